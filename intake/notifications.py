"""The invitation to fill an intake: a private link and nothing else.

Discreet by design: the subject is neutral, and the templates receive plain strings chosen
here (never the booking, the assignment or the questionnaire), so that no answer, note or
question can reach an email by a template edit. Log lines carry ids only. Honest about the
effort: the body says how long answering everything takes, by the questionnaire's own
estimate (the one the progress line counts down from).
"""

import logging

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from booking.notifications import NotificationError, format_span, simple_message
from intake import links, selectors, services
from intake.models import Assignment

logger = logging.getLogger(__name__)

INVITATION_SUBJECT = "Before your {meeting} with {practice}: a few optional questions"


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
