"""Undoing her "held" or "no-show" mark, the same day she made it.

A mis-tap on a phone between sessions should not need the operator. The undo is for the day
of the mark only (in her zone): by the next day the mark has been seen by whatever reads it
(her client list, her month) and a change is a decision, not a correction. The booking goes
back to confirmed, and so keeps its time again: if another booking has taken the rest of
that time since, the undo is refused rather than let two overlap.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from booking.models import Booking, BookingEvent
from booking.selectors import blocking_bookings
from booking.services import ChangeNotAllowed, lock_practitioner, log_event

NOT_MARKED = "This booking is not marked as held or as a no-show, so there is nothing to undo."
TOO_LATE_TO_UNDO = "A mark can only be undone on the day it was made."
TIME_TAKEN = "Another booking now keeps part of this time, so the mark cannot be undone."
MARKS = {
    Booking.Status.COMPLETED: BookingEvent.Kind.COMPLETED,
    Booking.Status.NO_SHOW: BookingEvent.Kind.NO_SHOW,
}


def last_mark(booking: Booking) -> BookingEvent | None:
    """The event of the mark she could undo, or None."""
    kind = MARKS.get(booking.status)
    if kind is None:
        return None
    return booking.events.filter(kind=kind).order_by("-at", "-pk").first()


def can_undo(booking: Booking, now: datetime | None = None) -> bool:
    """Whether her mark on ``booking`` was made today, in her zone."""
    mark = last_mark(booking)
    if mark is None:
        return False
    zone = booking.practitioner.zone
    return mark.at.astimezone(zone).date() == (now or timezone.now()).astimezone(zone).date()


def undo_attendance(*, booking: Booking, actor_user=None, now: datetime | None = None) -> Booking:
    """Back to confirmed, with a history row that names the mark undone. Raises
    ChangeNotAllowed (not marked, marked another day, its time taken since)."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        lock_practitioner(booking.practitioner_id)
        booking = Booking.objects.select_related("practitioner", "offering").get(pk=booking.pk)
        if booking.status not in MARKS:
            raise ChangeNotAllowed(NOT_MARKED)
        if not can_undo(booking, now):
            raise ChangeNotAllowed(TOO_LATE_TO_UNDO)
        overlapping = Booking.objects.filter(
            blocking_bookings(
                booking.practitioner, start=booking.blocked_start, end=booking.blocked_end, now=now
            )
        ).exclude(pk=booking.pk)
        if overlapping.exists():
            raise ChangeNotAllowed(TIME_TAKEN)
        undone = booking.status
        booking.status = Booking.Status.CONFIRMED
        try:
            with transaction.atomic():
                booking.save(update_fields=["status", "updated_at"])
        except IntegrityError as error:  # PostgreSQL's constraint, behind the check above
            raise ChangeNotAllowed(TIME_TAKEN) from error
        log_event(
            booking,
            BookingEvent.Kind.ATTENDANCE_UNDONE,
            actor="practitioner",
            actor_user=actor_user,
            at=now,
            undone=str(undone),
        )
    return booking
