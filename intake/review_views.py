"""The practitioner's review of a booking's intakes, and the client's export of their own.

The review answers 404 to everyone but the booking's practitioner (staff and superusers
included), asks her for her second factor as her console does, and every response it shows
is written to the access log in the same request, before anything is decrypted. The export
is reached by the client's private link only and holds that link's response alone: a
partner's link never reaches the other's answers.
"""

import json
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from booking import selectors as booking_selectors
from intake import review, selectors, services
from intake.models import UNSAFE, Response
from intake.views import _base, by_link
from practice.second_factor import ask_for_second_factor


@require_GET
def booking_review(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A booking's intakes for its practitioner: flags, the power picture, the answers."""
    booking = selectors.booking_for_review(user=request.user, public_id=public_id)
    if booking is None:
        raise Http404
    # Answers are read only in a session that used her second factor, as in her console.
    if asked := ask_for_second_factor(request):
        return asked
    attendees = selectors.responses_for_review(booking)
    shown = [
        response
        for _assignment, response in attendees
        if response is not None and response.erased_at is None and response.submitted_at
    ]
    # The answers of a part whose file gives it a ``who_sees`` note, shown on its page
    # (``Section.read_before_send``), are for her to see as soon as they are saved, and so is
    # the safety flag they raise; the rest, and any flag it raises, waits until sent. An unsent
    # response counts as read when it could hold such answers, since knowing whether it does
    # would mean decrypting it before the log is written.
    early = [
        (assignment, response)
        for assignment, response in attendees
        if response is not None
        and response.erased_at is None
        and response.submitted_at is None
        and response.answers_encrypted is not None
        and response.questionnaire.read_before_send
    ]
    read = list({r.pk: r for r in shown + [r for _a, r in early]}.values())
    has_note = booking.note_encrypted is not None
    earlier = _earlier_intakes(attendees)
    read += [response for _a, response in earlier if response not in read]
    services.record_reads(
        user=request.user,
        responses=read,
        note_of=booking if has_note else None,
        now=timezone.now(),
    )
    # Why each is flagged comes from inside the encrypted record, read now that it is logged.
    flagged = [
        (assignment, response, why)
        for assignment, response in attendees
        if (response in shown or (assignment, response) in early)
        and (why := _unsafe_she_may_see(response, sent=response in shown)) is not None
    ]

    people = [
        _person(assignment, response) for assignment, response in attendees if response in shown
    ]
    statuses = [
        {
            "name": assignment.name,
            "role": assignment.get_role_display(),
            "state": _state(response),
        }
        for assignment, response in attendees
    ]
    dimensions = review.power_dimensions(people) if people else []
    power_answered = review.any_power_answer(dimensions)
    names = [person.name for person in people]
    # Each attendee's answers for this session, named for what they were asked: in a couple,
    # one partner may have a check-in and the other the full intake.
    this_session = [
        {
            "name": assignment.name,
            "checkin": bool(services.questionnaire_for(assignment).checkin_for),
            "sent": response.submitted_at if response in shown else None,
        }
        for assignment, response in attendees
    ]
    context = {
        "booking": booking,
        "practitioner": booking.practitioner,
        "note": booking_selectors.booking_note(booking) if has_note else "",
        "statuses": statuses,
        "flagged": [assignment.name for assignment, _response, _why in flagged],
        "flagged_questions": [
            {"name": assignment.name, "labels": _labels(response.questionnaire, why)}
            for assignment, response, why in flagged
            if why
        ],
        "unsent": [
            {
                "name": assignment.name,
                "sections": review.before_sending(
                    review.Person(
                        key=assignment.role,
                        name=assignment.name,
                        questionnaire=response.questionnaire,
                        answers=response.answers,
                    )
                ),
            }
            for assignment, response in early
        ],
        "people": [
            {
                "person": person,
                "skipped_titles": review.skipped_section_titles(person),
            }
            for person in people
        ],
        "sections": review.answers_by_section(people) if people else [],
        "dimensions": [
            {"dimension": d, "readings": list(zip(people, d.readings, strict=True))}
            for d in dimensions
        ],
        # Built from escaped parts in intake.review; no raw answer text reaches it unescaped.
        "svg": mark_safe(review.power_svg(dimensions, names))  # noqa: S308
        if power_answered
        else "",
        # The same picture with each row's two axes stacked, for a phone (CSS shows one).
        "svg_stacked": mark_safe(  # noqa: S308
            review.power_svg(dimensions, names, layout=review.STACKED, ids="power-stacked")
        )
        if power_answered
        else "",
        "power_unanswered": bool(dimensions) and not power_answered,
        "this_session": this_session,
        "all_checkins": all(entry["checkin"] for entry in this_session),
        "earlier": [
            {
                "name": assignment.name,
                "sent": response.submitted_at,
                "sections": review.answers_by_section([_person(assignment, response)]),
            }
            for assignment, response in earlier
        ],
    }
    page = render(request, "intake/review/booking.html", context)
    page["X-Robots-Tag"] = "noindex"
    return page


def _person(assignment, response: Response) -> review.Person:
    return review.Person(
        key=assignment.role,
        name=assignment.name,
        questionnaire=response.questionnaire,
        answers=response.answers,
        skipped=tuple(response.skipped_sections),
    )


def _unsafe_she_may_see(response: Response, *, sent: bool) -> list[str] | None:
    """The questions whose answers flagged ``response`` as unsafe that she may be told of
    (before Send, only those of a part read before sending), from the reason kept encrypted
    with the answers; None when nothing she may see flags it. An empty list: flagged, the
    questions not recorded (a flag carried over from before reasons were kept)."""
    reason = response.attention.get(UNSAFE)
    if reason is None:
        return None
    questionnaire = response.questionnaire
    seen = [
        qid
        for qid in reason
        if sent or ((section := questionnaire.section_of(qid)) and section.read_before_send)
    ]
    return seen if sent or seen else None


def _labels(questionnaire, question_ids: list[str]) -> list[str]:
    return [q.label for qid in question_ids if (q := questionnaire.question(qid)) is not None]


def _earlier_intakes(attendees) -> list[tuple]:
    """The attendees asked a check-in, each with the full intake it follows: she reads the
    check-in beside what she knew until now."""
    return [
        (assignment, earlier)
        for assignment, _response in attendees
        if services.questionnaire_for(assignment).checkin_for
        and (earlier := selectors.earlier_answers(assignment)) is not None
    ]


def _state(response: Response | None) -> str:
    if response is None:
        return "Not started"
    if response.erased_at is not None:
        return "Erased by the client"
    if response.submitted_at is None:
        return "Started, not sent yet"
    return "Sent"


def _export_data(questionnaire, response: Response | None) -> dict:
    if response is None or not services.has_consent(response):
        return review.export(questionnaire, {}, [])
    data = review.export(questionnaire, response.answers, response.skipped_sections)
    data["submitted_at"] = response.submitted_at.isoformat() if response.submitted_at else None
    return data


@by_link
def export_json(request, assignment, questionnaire, response):
    """The link's own answers as a JSON download."""
    data = _export_data(questionnaire, response)
    data["exported_at"] = timezone.now().isoformat()
    page = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    page["Content-Disposition"] = 'attachment; filename="my-intake-answers.json"'
    return page


@by_link
def export_page(request, assignment, questionnaire, response):
    """The link's own answers as a readable, printable page."""
    context = _base(request, assignment, questionnaire, response) | {
        "export": _export_data(questionnaire, response),
        "exported_at": timezone.now(),
    }
    return render(request, "intake/export.html", context)
