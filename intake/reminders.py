"""One reminder of an intake not yet sent, 48 hours before the session, to that attendee.

Scheduled for each assignment when it is created (``intake.assignments.assign_for_booking``)
and again, at the booking's new version, after a reschedule (the ``intake.reminders``
effect, which voids the old ones first). When it is due it looks again: the booking still
confirmed at the same version, and this attendee's own questionnaire still not sent. Each
partner's reminder looks at their own response only and says nothing of the other's.
"""

from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from booking import effects, reminders
from booking.emails.compose import format_span, simple_message
from booking.models import Booking
from intake import links
from intake.models import Assignment, Response
from practice.models import is_erased_address

SCHEDULE = "intake.reminders"
SEND = "intake.reminder"
BEFORE = timedelta(hours=48)
SUBJECT = "Before your {meeting} with {practice}: your questions are still open"


def key(assignment: Assignment, booking: Booking) -> str:
    return f"intake-reminder:{assignment.pk}:v{booking.sequence}"


def schedule_for(assignments: list[Assignment], booking: Booking, *, now: datetime) -> list:
    """Schedule the reminder of each of ``assignments`` 48 hours before ``booking``, unless
    that moment has passed (booked two days ahead or less: the invitation is fresh)."""
    due_at = booking.start - BEFORE
    if booking.status != Booking.Status.CONFIRMED or due_at <= now:
        return []
    return [
        effects.schedule(
            SEND,
            key(assignment, booking),
            due_at=due_at,
            booking=booking,
            args={"assignment": assignment.pk, "sequence": booking.sequence},
        )
        for assignment in assignments
    ]


def _schedule(effect) -> None:
    booking = effect.booking
    if not reminders.is_latest_change(effect, booking):
        return
    effects.void(booking, names=[SEND])
    schedule_for(list(booking.intakes.all()), booking, now=timezone.now())


def _is_sent(assignment: Assignment) -> bool:
    return Response.objects.filter(assignment=assignment, submitted_at__isnull=False).exists()


def _effect_message(effect) -> EmailMultiAlternatives | None:
    assignment = (
        Assignment.objects.select_related("booking__offering", "booking__practitioner")
        .filter(pk=effect.args.get("assignment"))
        .first()
    )
    booking = assignment.booking if assignment else None
    if (
        booking is None
        or booking.status != Booking.Status.CONFIRMED
        or booking.sequence != effect.args.get("sequence")
        or booking.start <= timezone.now()
        or is_erased_address(assignment.email)
        or _is_sent(assignment)
    ):
        return None
    return reminder_message(assignment)


def reminder_message(assignment: Assignment) -> EmailMultiAlternatives:
    booking = assignment.booking
    practitioner = booking.practitioner
    meeting = booking.offering.meeting_word
    zone = reminders.zone_of(booking, assignment.role)
    context = {
        "name": assignment.name,
        "meeting": meeting,
        "practice_name": practitioner.practice_name,
        "practitioner_name": practitioner.name,
        "when": format_span(booking.start, booking.end, zone),
        "fill_url": links.fill_url(assignment),
    }
    return simple_message(
        template="email/intake_reminder",
        context=context,
        subject=SUBJECT.format(meeting=meeting, practice=practitioner.practice_name),
        to=assignment.email,
        practitioner=practitioner,
    )


def register() -> None:
    """Called from IntakeConfig.ready()."""
    effects.register(SCHEDULE, on=reminders.MOVES, run=_schedule)
    effects.register_email(SEND, _effect_message)
