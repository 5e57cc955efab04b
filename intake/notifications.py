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

from booking.emails.compose import NotificationError, format_span, simple_message
from intake import links, selectors, services, tasks
from intake.models import Assignment, Response
from practice.timezones import clock, day, zone_label

logger = logging.getLogger(__name__)

INVITATION_SUBJECT = "Before your {meeting} with {practice}: a few optional questions"
PRACTITIONER_SUBJECTS = {
    tasks.SENT: "{name} sent their intake for {when}",
    tasks.SENT_READ_SOON: "{name} sent their intake for {when}: please open it soon",
    tasks.ALERTED: "Please open {name}'s intake soon: {when}",
}


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
        reply_to=practitioner.email,
        practice_name=practitioner.practice_name,
    )


def send_invitations(assignments: list[Assignment]) -> None:
    """Send each attendee their invitation and mark it sent (``invited_at``). One refused
    address does not keep the other partner's from going out; what failed stays unmarked
    for ``send_intake_invitations`` to retry, and is raised at the end as one error that
    names assignments, never an address."""
    failed = []
    for assignment in assignments:
        try:
            invitation_message(assignment).send()
        except Exception as error:
            failed.append(f"{assignment.pk} ({type(error).__name__})")
        else:
            Assignment.objects.filter(pk=assignment.pk).update(invited_at=timezone.now())
            logger.info("Sent the intake invitation of assignment %s.", assignment.pk)
    if failed:
        # Not chained: an SMTP error names the address, and the task's failure is logged.
        raise NotificationError(f"Intake invitation of assignment {', '.join(failed)} not sent.")


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
        reply_to=practitioner.email,
        practice_name=practitioner.practice_name,
    )


def send_practitioner_notice(*, response_id: int, reason: str, was_sent: bool = False) -> None:
    """Send one notice; nothing for a response erased (or gone) since it was queued, and
    the flagged one only by the job that claims it (``services.claim_alert``), given back
    when sending fails so that a later save tries again."""
    response = (
        Response.objects.select_related(
            "assignment__booking__practitioner", "assignment__booking__offering"
        )
        .filter(pk=response_id, erased_at__isnull=True)
        .first()
    )
    if response is None:
        return
    alert = reason == tasks.ALERTED
    if alert and not services.claim_alert(response_id=response_id, now=timezone.now()):
        return
    try:
        practitioner_notice(response, reason=reason, was_sent=was_sent).send()
    except Exception:
        if alert:
            services.release_alert(response_id=response_id)
        # Not chained or named: an SMTP error may carry her address; ids are enough.
        raise NotificationError(f"Notice about response {response_id} not sent.") from None
    logger.info("Told the practitioner about response %s (%s).", response_id, reason)
