"""The invitation to fill an intake, and the practitioner's notices about one.

Discreet by design: the subjects are neutral, and the templates receive plain strings chosen
here (never the booking, the assignment or the questionnaire), so that no answer, note or
question can reach an email by a template edit. Log lines carry ids only. Honest about the
effort: the invitation says how long answering everything takes, by the questionnaire's own
estimate (the one the progress line counts down from).

The practitioner's notices say who (a first name), which booking and when, and link to the
review page; what was answered, and even which part of the questionnaire, stays behind her
sign-in there. An email can be read over a shoulder or on a shared phone.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from booking import effects
from booking.emails import changes
from booking.emails.compose import format_span, simple_message
from booking.models import Booking
from intake import assignments, links, notice_reasons, selectors, services
from intake.models import Assignment, Response
from practice.timezones import clock, day, zone_label

logger = logging.getLogger(__name__)

INVITATION_SUBJECT = "Before your {meeting} with {practice}: a few optional questions"
PRACTITIONER_SUBJECTS = {
    notice_reasons.SENT: "{name} sent their intake for {when}",
    notice_reasons.SENT_READ_SOON: "{name} sent their intake for {when}: please open it soon",
    notice_reasons.ALERTED: "Please open {name}'s intake soon: {when}",
}
ASSIGNMENT = "intake.assignment"
INVITATION = "intake.invitation"


def subject_when(moment: datetime, zone_name: str) -> str:
    """``Fri 4 Dec, 14:30 Berlin time`` (``Fri 8 Jan 2027`` next year): the booking's time
    for a subject, without the brackets of ``format_short``, which would nest inside a
    subject's own."""
    when = f"{day(moment, zone_name, short=True)}, {clock(moment, zone_name)}"
    return f"{when} {zone_label(zone_name)} time"


def invitation_message(assignment: Assignment) -> EmailMultiAlternatives:
    booking = assignment.booking
    practitioner = booking.practitioner
    context = {
        "name": assignment.name,
        "meeting": booking.offering.meeting_word,
        "practice_name": practitioner.practice_name,
        "practitioner_name": practitioner.name,
        "when": format_span(booking.start, booking.end, booking.client_timezone),
        "fill_url": links.fill_url(assignment),
        "duration": selectors.time_text(services.questionnaire_for(assignment).estimated_minutes),
    }
    return simple_message(
        template="email/intake_invitation",
        context=context,
        subject=INVITATION_SUBJECT.format(
            meeting=booking.offering.meeting_word, practice=practitioner.practice_name
        ),
        to=assignment.email,
        practitioner=practitioner,
    )


def invite(assignments: list[Assignment]) -> int:
    """Schedule the invitation of each of ``assignments`` not yet invited, one effect each
    (keyed by the assignment: asking twice invites no one twice); how many are new."""
    return sum(
        effects.schedule(
            INVITATION,
            f"{INVITATION}:{assignment.pk}",
            booking=assignment.booking,
            args={"assignment_id": assignment.pk},
        )
        is not None
        for assignment in assignments
        if assignment.invited_at is None
    )


def _assign(effect) -> None:
    """A booking confirmed: its assignments, then each attendee's own invitation. Those of
    an earlier run are invited too, so a run that died between the two loses no one."""
    assignments.assign_for_booking(booking_id=effect.booking_id)
    invite(list(Assignment.objects.filter(booking_id=effect.booking_id).select_related("booking")))


def _send_invitation(effect) -> None:
    assignment = (
        Assignment.objects.select_related("booking__practitioner", "booking__offering")
        .filter(pk=effect.args["assignment_id"])
        .first()
    )
    booking = assignment.booking if assignment else None
    if (
        booking is None
        or assignment.invited_at is not None
        or booking.status != Booking.Status.CONFIRMED
        or booking.start <= timezone.now()
    ):
        return
    effects.deliver(effect, invitation_message(assignment))
    Assignment.objects.filter(pk=assignment.pk).update(invited_at=timezone.now())
    logger.info("Sent the intake invitation of assignment %s.", assignment.pk)


def practitioner_notice(
    response: Response, *, reason: str, was_sent: bool = False
) -> EmailMultiAlternatives:
    """To the practitioner: whose intake, for which booking, and the link to read it."""
    assignment = response.assignment
    booking = assignment.booking
    practitioner = booking.practitioner
    name = assignment.name.split()[0] if assignment.name.strip() else "A client"
    context = {
        "reason": reason,
        "was_sent": was_sent,  # an answer changed after sending
        "name": name,
        "offering_name": booking.offering.name,
        "meeting": booking.offering.meeting_word,
        "when": format_span(booking.start, booking.end, practitioner.timezone),
        "review_url": settings.SITE_URL
        + reverse("intake:booking_review", kwargs={"public_id": booking.public_id}),
        "practice_name": practitioner.practice_name,
    }
    return simple_message(
        template="email/intake_practitioner",
        context=context,
        subject=PRACTITIONER_SUBJECTS[reason].format(
            name=name, when=subject_when(booking.start, practitioner.timezone)
        ),
        to=practitioner.email,
        practitioner=practitioner,
    )


def _send_notice(effect) -> None:
    """One notice; nothing for a response erased (or gone) since, and the flagged one only
    by the run that claims it (``services.claim_alert``), given back when sending fails so
    that the retry (or a later save) tries again."""
    response_id, reason = effect.args["response_id"], effect.args["reason"]
    response = (
        Response.objects.select_related(
            "assignment__booking__practitioner", "assignment__booking__offering"
        )
        .filter(pk=response_id, erased_at__isnull=True)
        .first()
    )
    if response is None:
        return
    alert = reason == notice_reasons.ALERTED
    if alert and not services.claim_alert(response_id=response_id, now=timezone.now()):
        return
    message = practitioner_notice(response, reason=reason, was_sent=effect.args["was_sent"])
    try:
        effects.deliver(effect, message)
    except BaseException:
        if alert:
            services.release_alert(response_id=response_id)
        raise
    logger.info("Told the practitioner about response %s (%s).", response_id, reason)


def _confirms(event) -> bool:
    return changes.change_of(event) == changes.CONFIRMED


def register() -> None:
    """Called from IntakeConfig.ready()."""
    effects.register(ASSIGNMENT, on=changes.EMAIL_EVENTS, applies=_confirms, run=_assign)
    effects.register(INVITATION, run=_send_invitation)
    effects.register(services.NOTICE, run=_send_notice)
