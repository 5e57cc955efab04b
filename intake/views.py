"""The client's intake pages, reached only by the assignment's private link.

Every page works without JavaScript: each step is a form POST that saves the page's answers
before moving on, so nothing typed is lost. Thin: find the assignment by its token (a
friendly 404 otherwise), one service call, redirect or render. Nothing here logs answers or
the POST.
"""

from functools import wraps
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from booking.models import Booking
from intake import crisis, forms, links, review, selectors, services
from intake.models import UNSAFE, Assignment, Response
from intake.questionnaires import PREFER_NOT_TO_SAY_LABEL, Section

# Where the person filling in is, for the support box only. Both are cookies on this
# device, scoped to this link's path (so a partner's never reaches the booker's link, even
# on a shared computer) and kept for the browser session; the server never stores them.
ZONE_COOKIE = "intake_zone"  # set by the optional script: the device's time zone
COUNTRY_COOKIE = "intake_country"  # set by the "Choose your country" form

MORE_QUESTIONS = "Your answers opened a few more questions here. All of them are optional."
CONSENT_NEEDED = "To begin, please tick the box. If you'd rather not, that is fine too."


def by_link(view):
    """Resolve the token to its assignment (404 page otherwise). Never cached: every page
    under intake: is private (practice.headers)."""

    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def wrapper(request: HttpRequest, token: str, **kwargs) -> HttpResponse:
        assignment = links.assignment_by_token(token)
        if assignment is None:
            return render(request, "intake/not_found.html", status=404)
        try:
            questionnaire = services.questionnaire_for(assignment)
        except services.IntakeError:
            return render(request, "intake/not_found.html", status=404)
        response = Response.objects.filter(assignment=assignment).first()
        if response is not None and response.erased_at is not None:
            return render(request, "intake/erased.html", _base(request, assignment, questionnaire))
        page = view(request, assignment, questionnaire, response, **kwargs)
        page["X-Robots-Tag"] = "noindex"
        return page

    return wrapper


def _base(
    request: HttpRequest,
    assignment: Assignment,
    questionnaire,
    response: Response | None = None,
) -> dict:
    booking = assignment.booking
    # Their own answers' reason, decrypted only when the mark in clear says there is one.
    flagged = response is not None and UNSAFE in response.attention
    device_zone = request.COOKIES.get(ZONE_COOKIE, "")
    place = crisis.for_person(
        chosen=request.COOKIES.get(COUNTRY_COOKIE, ""),
        device_zone=device_zone,
        # Only the client booked; the booker's zone says nothing about where a partner is.
        booked_zone=booking.client_timezone if assignment.role == Assignment.Role.CLIENT else "",
    )
    return {
        "assignment": assignment,
        "token": assignment.token,
        "questionnaire": questionnaire,
        "practitioner_name": booking.practitioner.name,
        # A cancelled meeting needs no answers; the page says so, and what was given stays
        # the client's to read, download or delete.
        "booking_cancelled": booking.status == Booking.Status.CANCELLED,
        "given": response is not None and response.answers_encrypted is not None,
        "meeting": booking.offering.meeting_word,
        "crisis": place.resources,
        "crisis_place": place,
        "crisis_countries": crisis.choices(),
        "show_crisis": flagged,
        # Open on the page right after the answer that raised the flag; folded after that.
        "crisis_open": flagged and request.GET.get("support") == "1",
        "directory_url": crisis.DIRECTORY_URL,
        "device_zone": device_zone,  # as the script set it, so that it sets it only once
        "zone_cookie": ZONE_COOKIE,
        "link_path": links.fill_path(assignment),
        "here": request.get_full_path(),
        "earlier": _earlier(assignment, questionnaire),
    }


def _earlier(assignment: Assignment, questionnaire) -> dict | None:
    """On a check-in, when the full answers it follows were sent (to say "your answers from
    3 March"): in the booked zone for the client, in the practice's for a partner."""
    earlier = selectors.earlier_answers(assignment) if questionnaire.checkin_for else None
    if earlier is None:
        return None
    booking = assignment.booking
    zone = (
        booking.client_timezone
        if assignment.role == Assignment.Role.CLIENT
        else booking.practitioner.timezone
    )
    sent = timezone.localtime(earlier.submitted_at, ZoneInfo(zone))
    same_year = sent.year == timezone.localtime(timezone.now(), ZoneInfo(zone)).year
    return {"response": earlier, "date": date_format(sent, "j F" if same_year else "j F Y")}


def _cancelled(assignment: Assignment) -> bool:
    return assignment.booking.status == Booking.Status.CANCELLED


def _consented(response: Response | None) -> bool:
    return response is not None and services.has_consent(response)


def _section_url(token: str, section: Section, *, straight_in: bool = False) -> str:
    url = reverse("intake:section", kwargs={"token": token, "section_id": section.id})
    return url + "?start=1" if straight_in else url


@by_link
def start_page(request, assignment, questionnaire, response):
    """The consent step, or a welcome back with the way on; for a cancelled meeting neither
    (nothing is to be started or answered), only the way to read, download or delete what
    was given."""
    context = _base(request, assignment, questionnaire, response)
    if _cancelled(assignment):
        return render(request, "intake/cancelled.html", context)
    if request.method == "POST":
        if request.POST.get("agree"):
            services.give_consent(assignment=assignment, now=timezone.now())
            first = selectors.shown_sections(questionnaire, {})[0]
            return redirect(_section_url(assignment.token, first))
        context["consent_needed"] = CONSENT_NEEDED
    if not _consented(response):
        return render(request, "intake/consent.html", context)
    answers = response.answers
    resume = selectors.resume_section(questionnaire, answers, response.skipped_sections)
    first = selectors.shown_sections(questionnaire, answers)[0]
    context |= {
        "continue_url": _section_url(assignment.token, resume)
        if resume
        else reverse("intake:review", kwargs={"token": assignment.token}),
        "all_through": resume is None,
        "first_url": _section_url(assignment.token, first),
        "started": resume != first,
        "submitted": response.submitted_at is not None,
    }
    return render(request, "intake/welcome.html", context)


@by_link
def section_page(request, assignment, questionnaire, response, section_id: str):
    """One section: its content note first (if it has one), then its questions."""
    if not _consented(response) or _cancelled(assignment):
        return redirect("intake:start", token=assignment.token)
    token = assignment.token
    answers = response.answers
    sections = selectors.shown_sections(questionnaire, answers)
    section = next((s for s in sections if s.id == section_id), None)
    if section is None:
        return redirect("intake:start", token=token)
    errors: dict[str, str] = {}
    values = answers
    notice = MORE_QUESTIONS if request.GET.get("more") else ""

    if request.method == "POST":
        action = request.POST.get("action", "next")
        now = timezone.now()
        if action == "skip_section":
            response = services.skip_section(assignment=assignment, section_id=section.id, now=now)
            return redirect(_after(token, questionnaire, response, section))
        if action == "enter":
            if section.id in response.skipped_sections:
                services.skip_section(
                    assignment=assignment, section_id=section.id, skip=False, now=now
                )
            return redirect(_section_url(token, section, straight_in=True))
        drawn = set(request.POST.getlist("shown"))
        on_page = [q for q in section.questions if q.id in drawn]
        given = forms.read_answers(on_page, request.POST)
        try:
            response = services.save_answers(assignment=assignment, answers=given, now=now)
        except services.InvalidAnswers as invalid:
            if action == "autosave":
                return HttpResponse(status=400)
            errors, values = invalid.errors, answers | given
        else:
            if action == "autosave":  # the optional script, saving as the client goes
                return HttpResponse(status=204)
            now_shown = selectors.shown_questions(questionnaire, section, response.answers)
            if action == "back":
                url = _before(token, questionnaire, response, section)
            elif any(q.id not in drawn for q in now_shown):
                url = _section_url(token, section, straight_in=True) + "&more=1"
            else:
                url = _after(token, questionnaire, response, section)
            # Leaving a page with an answer that signals danger opens the support box on
            # the next page, whether or not the script saved that answer a moment before.
            if drawn & set(questionnaire.unsafe_question_ids(response.answers)):
                url += ("&" if "?" in url else "?") + "support=1"
            return redirect(url)

    context = _base(request, assignment, questionnaire, response) | {
        "section": section,
        "progress": selectors.progress(
            questionnaire, sections, section, answers, response.skipped_sections
        ),
        "back_url": _before(token, questionnaire, response, section),
    }
    skipped = section.id in response.skipped_sections
    if section.content_note and (request.GET.get("start") != "1" or skipped):
        return render(request, "intake/content_note.html", context | {"skipped": skipped})
    questions = selectors.shown_questions(questionnaire, section, values)
    context |= {
        # On a page that asks about safety, the support box is there from the start,
        # hidden until an answer that signals danger is chosen (or saved, without script).
        "crisis_standby": any(q.unsafe_values for q in questions),
        "fields": forms.fields(questions, values, errors),
        "errors": errors,
        "notice": notice,
        "prefer_not_label": PREFER_NOT_TO_SAY_LABEL,
        "is_last": section == sections[-1],
    }
    return render(request, "intake/section.html", context)


def _after(token: str, questionnaire, response: Response, section: Section) -> str:
    sections = selectors.shown_sections(questionnaire, response.answers)
    later = sections[sections.index(section) + 1 :] if section in sections else []
    if later:
        return _section_url(token, later[0])
    return reverse("intake:review", kwargs={"token": token})


def _before(token: str, questionnaire, response: Response, section: Section) -> str:
    sections = selectors.shown_sections(questionnaire, response.answers)
    index = sections.index(section) if section in sections else len(sections)
    if index == 0:
        return reverse("intake:start", kwargs={"token": token})
    previous = sections[index - 1]
    return _section_url(token, previous, straight_in=previous.id not in response.skipped_sections)


@by_link
def review_page(request, assignment, questionnaire, response):
    """The client's answers read back, and "Send" (which they may do again after changes)."""
    if not _consented(response) or _cancelled(assignment):
        return redirect("intake:start", token=assignment.token)
    if request.method == "POST":
        services.submit(assignment=assignment, now=timezone.now())
        return redirect("intake:thanks", token=assignment.token)
    answers = response.answers
    sections = selectors.shown_sections(questionnaire, answers)
    context = _base(request, assignment, questionnaire, response) | {
        "rows": [
            row
            | {
                "url": _section_url(
                    assignment.token, row["section"], straight_in=not row["skipped"]
                )
            }
            for row in selectors.review(questionnaire, answers, response.skipped_sections)
        ],
        "progress": selectors.progress(
            questionnaire, sections, None, answers, response.skipped_sections
        ),
        "back_url": _before(assignment.token, questionnaire, response, None),
        "submitted": response.submitted_at is not None,
    }
    return render(request, "intake/review.html", context)


@by_link
def thanks_page(request, assignment, questionnaire, response):
    if response is None or response.submitted_at is None:
        return redirect("intake:start", token=assignment.token)
    return render(
        request, "intake/thanks.html", _base(request, assignment, questionnaire, response)
    )


@by_link
def support_country(request, assignment, questionnaire, response):
    """The support box's "Choose your country": remembered for this link on this device.

    Works without JavaScript (a plain form POST, then back to the page it came from, with
    the box open). The choice goes into a cookie scoped to this link's path for the browser
    session, never into the database, so neither the other partner nor anyone else with
    access to the booking can see it.
    """
    base = links.fill_path(assignment)
    back = request.POST.get("next", "")
    if not back.startswith(base) or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = base
    page = redirect(_with_support_open(back))
    country = request.POST.get("country", "")
    if request.method == "POST" and crisis.is_choice(country):
        page.set_cookie(
            COUNTRY_COOKIE,
            country,
            path=base,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return page


def _with_support_open(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "support"] + [("support", "1")]
    return urlunsplit(parts._replace(query=urlencode(query)))


@by_link
def erase_page(request, assignment, questionnaire, response):
    """Delete my answers, after a confirm step."""
    if request.method == "POST":
        services.erase(assignment=assignment, now=timezone.now())
        return render(request, "intake/erased.html", _base(request, assignment, questionnaire))
    return render(
        request, "intake/erase_confirm.html", _base(request, assignment, questionnaire, response)
    )


@by_link
def earlier_page(request, assignment, questionnaire, response):
    """A check-in's earlier full answers, to read on this link (changing them is
    ``update_full``'s)."""
    context = _base(request, assignment, questionnaire, response)
    if context["earlier"] is None:
        return redirect("intake:start", token=assignment.token)
    earlier = context["earlier"]["response"]
    context["export"] = review.export(
        earlier.questionnaire, earlier.answers, earlier.skipped_sections
    )
    return render(request, "intake/earlier.html", context)


@by_link
def update_full(request, assignment, questionnaire, response):
    """ "Update my full answers": the check-in becomes the full questionnaire, filled in with
    the earlier answers; then its consent step, as for any questionnaire."""
    if request.method == "POST" and questionnaire.checkin_for and not _cancelled(assignment):
        try:
            services.switch_to_full(assignment=assignment, now=timezone.now())
        except services.IntakeError:
            pass  # the earlier answers were erased meanwhile: the check-in stays
    return redirect("intake:start", token=assignment.token)
