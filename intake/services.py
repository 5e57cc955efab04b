"""Writes: consent, answers (save as you go), submission and erasure of an intake (who is
asked is ``intake.assignments``'s, erasure past the retention period ``intake.retention``'s).

Each entry point is one durable transaction that locks the assignment's row, so two tabs
saving at once merge one after the other instead of losing answers. Answers are only ever
handled in memory and stored encrypted; nothing here logs them, and error messages name
question ids, never values.

Answer conventions (see ``intake.questionnaires``): a question left out is skipped; the
value ``PREFER_NOT_TO_SAY`` is a real answer ("I'd rather not say") for every type; a value
of None in ``save_answers`` clears an earlier answer. Answers to question ids the pinned
questionnaire does not have are ignored without error: no page rendered from that version
can send them, so they come from a stale or altered form, and refusing the whole save would
lose the person's other answers. They are never stored.
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from booking import effects
from booking.models import Booking
from intake import notice_reasons, questionnaires, selectors
from intake.models import UNSAFE, AccessLog, Assignment, Consent, Response
from intake.questionnaires import Questionnaire
from practice.errors import UserFacingError

NO_QUESTIONNAIRE = "This booking's offering has no intake questionnaire."
CONSENT_REQUIRED = "Please agree to how your answers are stored before they are saved."
ERASED = "These answers were erased and cannot be changed."
UNKNOWN_SECTION = "There is no section {section!r} in this questionnaire."
NO_EARLIER_ANSWERS = "There are no earlier answers to start from."


class IntakeError(UserFacingError):
    """An intake rule said no."""


class InvalidAnswers(IntakeError):
    """Some answers do not fit their questions; ``errors`` maps question id to the reason."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("Some answers could not be saved: " + ", ".join(sorted(errors)))
        self.errors = errors


def questionnaire_for(assignment: Assignment) -> Questionnaire:
    """The version this assignment answers: its response's, else the newest for the
    offering, or that one's check-in when there are earlier answers to go with it."""
    response = Response.objects.filter(assignment=assignment).first()
    if response is not None:
        return response.questionnaire
    questionnaire = questionnaires.for_offering(
        assignment.booking.offering.kind, assignment.booking.offering.questionnaire_id
    )
    if questionnaire is None:
        raise IntakeError(NO_QUESTIONNAIRE)
    checkin = questionnaires.checkin_after(questionnaire.id)
    if checkin is not None and selectors.earlier_answers(assignment) is not None:
        return checkin
    return questionnaire


def _lock(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update()
        .select_related("booking__offering")
        .get(pk=assignment.pk)
    )


def _response(assignment: Assignment, now: datetime) -> Response:
    """The assignment's response, created on first use and pinned to today's version."""
    response = Response.objects.filter(assignment=assignment).first()
    if response is None:
        questionnaire = questionnaire_for(assignment)
        response = Response.objects.create(
            assignment=assignment,
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            started_at=now,
            updated_at=now,
        )
    if response.erased_at is not None:
        raise IntakeError(ERASED)
    return response


def give_consent(*, assignment: Assignment, now: datetime) -> Consent:
    """Record explicit consent, worded as in the questionnaire version being answered."""
    with transaction.atomic(durable=True):
        assignment = _lock(assignment)
        response = _response(assignment, now)
        questionnaire = response.questionnaire
        given = Consent.objects.filter(
            assignment=assignment,
            consent_version=questionnaire.consent.version,
            withdrawn_at__isnull=True,
        ).first()
        if given is not None:
            return given
        return Consent.objects.create(
            assignment=assignment,
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            consent_version=questionnaire.consent.version,
            given_at=now,
        )


def has_consent(response: Response) -> bool:
    return Consent.objects.filter(
        assignment_id=response.assignment_id,
        consent_version=response.questionnaire.consent.version,
        withdrawn_at__isnull=True,
    ).exists()


def _attention(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, list[str]]:
    """Why these answers need her attention: the questions whose answers signal that someone
    may not be safe. Kept inside the encrypted record; only the bare mark is in clear."""
    unsafe = questionnaire.unsafe_question_ids(answers)
    return {UNSAFE: unsafe} if unsafe else {}


def _keep_answers(
    response: Response,
    answers: dict[str, Any],
    *,
    sent: bool,
    sending_at: datetime | None = None,
) -> bool:
    """Store the answers with the flag re-derived from them (it opens the client's own
    support box), both encrypted, the mark "needs attention" in clear. When she may see the
    answer that raised it (``seen_unsafe_question_ids``: a part read before Send, or any
    part once sent) she is told at once: until her email has gone out
    (``claim_alert``), each such save asks for it, and the first job to run sends it. An
    answer in a part she reads only once sent tells her nothing before Send.
    ``sending_at``: the moment of the Send itself, whose own notice tells her (True: it
    should ask her to read soon); the flag then counts as told, so one Send never brings two
    emails, one of them saying the intake was not sent yet."""
    questionnaire = response.questionnaire
    response.keep_answers(answers, attention=_attention(questionnaire, answers))
    seen = questionnaire.seen_unsafe_question_ids(answers, sent=sent)
    if seen and response.practitioner_alerted_at is None:
        if sending_at is not None:
            response.practitioner_alerted_at = sending_at
            return True
        _tell_practitioner(response, notice_reasons.ALERTED, was_sent=sent)
    return False


def claim_alert(*, response_id: int, now: datetime) -> bool:
    """Whether this job is the one to email her that a response is flagged: true once per
    response, and only while it still is (its reason, decrypted, says unsafe). The
    assignment's lock keeps a save that read the response before the claim from writing over
    it."""
    with transaction.atomic(durable=True):
        assignment = Assignment.objects.filter(response__pk=response_id).first()
        if assignment is None:
            return False
        _lock(assignment)
        unclaimed = Response.objects.filter(
            pk=response_id,
            practitioner_alerted_at__isnull=True,
            needs_attention=True,
            erased_at__isnull=True,
        )
        response = unclaimed.first()
        if response is None or UNSAFE not in response.attention:
            return False
        return bool(unclaimed.update(practitioner_alerted_at=now))


def release_alert(*, response_id: int) -> None:
    """Give the claim back when her email could not be sent, so that the next save that
    finds the flag raised tries again."""
    with transaction.atomic(durable=True):
        assignment = Assignment.objects.filter(response__pk=response_id).first()
        if assignment is not None:
            _lock(assignment)
            Response.objects.filter(pk=response_id).update(practitioner_alerted_at=None)


NOTICE = "intake.notice"


def _tell_practitioner(response: Response, reason: str, *, was_sent=False) -> None:
    """In the save's transaction, the effect that emails her (intake.notifications), never
    from the request. ``was_sent`` is decided now, at the save, not when it runs: a Send in
    between would otherwise make the email say the answer came after sending."""
    booking, now = response.assignment.booking, timezone.now()
    effects.schedule(
        NOTICE,
        f"{NOTICE}:{response.pk}:{reason}:{now.timestamp():.6f}",
        booking=booking,
        args={"response_id": response.pk, "reason": reason, "was_sent": was_sent},
    )


def save_answers(*, assignment: Assignment, answers: dict[str, Any], now: datetime) -> Response:
    """Merge a page of answers into the stored ones (save as you go) and re-check the flags.

    Answers not in ``answers`` are kept; None clears one. Every value is checked against its
    question first, and nothing is saved when one does not fit (``InvalidAnswers``, so the
    page can be shown again with what was typed). Unknown question ids are ignored.
    """
    with transaction.atomic(durable=True):
        assignment = _lock(assignment)
        response = _response(assignment, now)
        if not has_consent(response):
            raise IntakeError(CONSENT_REQUIRED)
        questionnaire = response.questionnaire
        errors = {}
        known = {}
        for question_id, value in answers.items():
            question = questionnaire.question(question_id)
            if question is None:
                continue
            if value is not None and (error := question.answer_error(value)):
                errors[question_id] = error
            known[question_id] = value
        if errors:
            raise InvalidAnswers(errors)
        merged = response.answers
        for question_id, value in known.items():
            if value is None:
                merged.pop(question_id, None)
            else:
                merged[question_id] = value
        _keep_answers(response, merged, sent=response.submitted_at is not None)
        response.updated_at = now
        response.save()
        return response


def switch_to_full(*, assignment: Assignment, now: datetime) -> Response:
    """Turn a check-in into the full questionnaire, filled in with the earlier answers.

    The earlier answers that the newest full version still asks come first, then this
    check-in's answers to the same questions (they are newer). The check-in's own questions
    have no place in the full one and are left behind, as the page says before. Consent is
    asked again: the full questionnaire's wording is its own. Nothing is sent until Send.
    """
    with transaction.atomic(durable=True):
        assignment = _lock(assignment)
        earlier = selectors.earlier_answers(assignment)
        if earlier is None:
            raise IntakeError(NO_EARLIER_ANSWERS)
        response = Response.objects.filter(assignment=assignment).first()
        if response is not None and response.erased_at is not None:
            raise IntakeError(ERASED)
        if response is not None and not response.questionnaire.checkin_for:
            return response  # already the full one (a second click, another tab)
        offering = assignment.booking.offering
        full = questionnaires.for_offering(offering.kind, offering.questionnaire_id)
        if full is None:
            raise IntakeError(NO_QUESTIONNAIRE)
        given = earlier.answers | (response.answers if response is not None else {})
        answers = {
            qid: value
            for qid, value in given.items()
            if (question := full.question(qid)) is not None and not question.answer_error(value)
        }
        if response is None:
            response = Response(assignment=assignment, started_at=now)
        response.questionnaire_id, response.questionnaire_version = full.key
        response.skipped_sections = [
            section.id for section in full.sections if section.id in earlier.skipped_sections
        ]
        response.submitted_at = None
        # The flag opens the client's own support box; her email waits for a save the
        # client makes under the full questionnaire's consent (asked next): these answers
        # are copies of ones she has read, not news.
        response.keep_answers(answers, attention=_attention(full, answers))
        response.updated_at = now
        response.save()
        return response


def skip_section(
    *, assignment: Assignment, section_id: str, skip: bool = True, now: datetime
) -> Response:
    """Mark a whole section as skipped (after its content note), or take the mark back.

    Answers already given in it are kept, so un-skipping loses nothing.
    """
    with transaction.atomic(durable=True):
        assignment = _lock(assignment)
        response = _response(assignment, now)
        if section_id not in {section.id for section in response.questionnaire.sections}:
            raise IntakeError(UNKNOWN_SECTION.format(section=section_id))
        skipped = [s for s in response.skipped_sections if s != section_id]
        response.skipped_sections = [*skipped, section_id] if skip else skipped
        response.updated_at = now
        response.save()
        return response


def submit(*, assignment: Assignment, now: datetime) -> Response:
    """Send the answers to the practitioner.

    Answers to questions that ended up hidden (their condition no longer holds) are dropped
    now, not while filling in, so switching an answer back and forth never loses text. The
    answers can still be changed afterwards; ``submitted_at`` keeps the latest submission.
    """
    with transaction.atomic(durable=True):
        assignment = _lock(assignment)
        response = _response(assignment, now)
        if not has_consent(response):
            raise IntakeError(CONSENT_REQUIRED)
        shown = response.questionnaire.shown_answers(response.answers)
        soon = _keep_answers(response, shown, sent=True, sending_at=now)
        response.submitted_at = now
        response.updated_at = now
        response.save()
        reason = notice_reasons.SENT_READ_SOON if soon else notice_reasons.SENT
        _tell_practitioner(response, reason)
        return response


def erase(*, assignment: Assignment, now: datetime) -> Response | None:
    """Delete the answers for good, keeping a tombstone (which version, when, erased when).

    The mark, its reason and the skipped sections are derived from the answers and go with
    them, and for the client (not a partner) so does the note they wrote when booking. The
    consent rows and access log stay: they record what happened, not what was said.
    """
    with transaction.atomic(durable=True):
        assignment = _lock(assignment)
        if assignment.role == Assignment.Role.CLIENT:
            Booking.objects.filter(pk=assignment.booking_id).update(note_encrypted=None)
        response = Response.objects.filter(assignment=assignment).first()
        if response is None or response.erased_at is not None:
            return response
        wipe_answers(response, now=now)
        return response


def wipe_answers(response: Response, *, now: datetime) -> None:
    """The erasure itself, inside the caller's transaction (``erase``, and erasing a whole
    client in ``practice.erasure``): the answers and all that is derived from them go, the
    tombstone stays."""
    response.answers_encrypted = None
    response.needs_attention = False
    response.practitioner_alerted_at = None
    response.skipped_sections = []
    response.erased_at = now
    response.updated_at = now
    response.save()


def record_reads(
    *, user, responses: list[Response], note_of: Booking | None = None, now: datetime
) -> None:
    """One access-log row per response about to be shown to ``user``, and one for the note
    of ``note_of`` if it is shown too, in one transaction, before anything is decrypted."""
    rows = [
        AccessLog(user=user, response=response, action=AccessLog.Action.READ, at=now)
        for response in responses
    ]
    if note_of is not None:
        rows.append(AccessLog(user=user, booking=note_of, action=AccessLog.Action.READ, at=now))
    with transaction.atomic():
        AccessLog.objects.bulk_create(rows)
