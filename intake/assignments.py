"""Who is asked to fill a booking's intake: one assignment per attendee of a confirmed
booking whose offering has a questionnaire, created once however often it is asked for.
The invitations themselves are effects (``intake.notifications.invite``).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from booking.models import Booking
from intake import questionnaires, reminders, selectors
from intake.models import Assignment
from practice.models import Offering


def _attendees(booking: Booking) -> list[tuple[str, str, str]]:
    """Who is asked to fill the booking's questionnaire: ``(email, name, role)``.

    The client, and for a ``couples_session`` the partner too, by their own email: each
    gets their own assignment, token and response, so neither link reaches the other's.
    """
    attendees = [(booking.client_email, booking.client_name, Assignment.Role.CLIENT)]
    if (
        booking.offering.kind == Offering.Kind.COUPLES_SESSION
        and booking.partner_email
        and booking.partner_email.lower() != booking.client_email.lower()
    ):
        attendees.append((booking.partner_email, booking.partner_name, Assignment.Role.PARTNER))
    return attendees


def assign_for_booking(*, booking_id: int, now: datetime | None = None) -> list[Assignment]:
    """Create the assignments of a confirmed booking whose offering has a questionnaire.

    Someone who sent the full questionnaire recently (``last_sent_full``) is asked its
    check-in instead, with that response kept beside it (``earlier_response``): a few
    minutes about now rather than the same long form again.

    Idempotent: returns only the assignments created now, so a repeated confirmation (a
    webhook delivered twice, a task retried) invites no one twice. The booking's row lock
    serialises concurrent runs; the unique (booking, email) constraint stands behind it.
    Each new assignment's reminder, should it still be unsent two days before, is scheduled
    with it (``intake.reminders``).
    Without encryption keys (the system check refuses to start without them, so only a
    bare test or script configuration) there is nowhere safe to keep answers, so no one is
    asked for them.
    """
    if not settings.INTAKE_ENCRYPTION_KEYS:
        return []
    now = now or timezone.now()  # the moment the check-in period counts back from
    with transaction.atomic(durable=True):
        booking = (
            Booking.objects.select_for_update()
            .select_related("offering")
            .filter(pk=booking_id)
            .first()
        )
        if booking is None or booking.status != Booking.Status.CONFIRMED:
            return []
        offering = booking.offering
        offered = questionnaires.for_offering(offering.kind, offering.questionnaire_id)
        if offered is None:
            return []
        has_checkin = questionnaires.checkin_after(offered.id) is not None
        created = []
        for email, name, role in _attendees(booking):
            earlier = (
                selectors.last_sent_full(
                    booking=booking, email=email, questionnaire_id=offered.id, now=now
                )
                if has_checkin
                else None
            )
            assignment, is_new = Assignment.objects.get_or_create(
                booking=booking,
                email=email,
                defaults={"name": name, "role": role, "earlier_response": earlier},
            )
            if is_new:
                created.append(assignment)
        reminders.schedule_for(created, booking, now=now)
        return created


INVITATION_GRACE = timedelta(minutes=10)  # the confirmation's own effect goes first


def uninvited(*, now: datetime) -> list[Assignment]:
    """Assignments whose invitation never went out (the email failed, or the worker was
    down), for bookings still confirmed and ahead; those just created are left to the
    confirmation's own task."""
    return list(
        Assignment.objects.filter(
            invited_at__isnull=True,
            created_at__lt=now - INVITATION_GRACE,
            booking__status=Booking.Status.CONFIRMED,
            booking__start__gt=now,
        )
        .select_related("booking__practitioner", "booking__offering")
        .order_by("pk")
    )
