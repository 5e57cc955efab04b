"""Her bookings written into her CalDAV calendar, through the effect path.

Every change of a booking (booked, moved, cancelled, attended) is one ``calendars.push``
effect: the worker writes the booking as it is when the effect runs into each CalDAV
calendar she lets us write to, or takes it away once it is cancelled. An event always
lives at the address of its UID, so a retry after the server was down, or a second
change overtaking the first, leaves one event, never two. The event is her feed's (the
invite's UID, the title she chose, no attendees: a server must not invite her client).
"""

import logging
from datetime import datetime

from booking import effects
from booking.calendars import caldav_client, feed, ics
from booking.models import Booking, BookingEvent, Effect, ExternalCalendar

logger = logging.getLogger(__name__)

PUSH = "calendars.push"
WRITTEN = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)
CHANGES = (
    BookingEvent.Kind.CONFIRMED,
    BookingEvent.Kind.CREATED,
    BookingEvent.Kind.RESCHEDULED,
    BookingEvent.Kind.CANCELLED,
    BookingEvent.Kind.COMPLETED,
    BookingEvent.Kind.NO_SHOW,
    BookingEvent.Kind.ATTENDANCE_UNDONE,
)


def targets(practitioner_id: int):
    """Her CalDAV calendars that take her bookings (not paused)."""
    return ExternalCalendar.objects.filter(
        practitioner_id=practitioner_id,
        kind=ExternalCalendar.Kind.CALDAV,
        push_bookings=True,
        paused=False,
    )


def event_file(booking: Booking) -> bytes:
    return ics.calendar(feed.booking_event(booking, booking.practitioner.feed_detail)).to_ical()


def _run(effect: Effect) -> None:
    booking = effect.booking
    for calendar in targets(booking.practitioner_id):
        if booking.status in WRITTEN:
            caldav_client.put(calendar.secrets, booking.ical_uid, event_file(booking))
        else:
            caldav_client.delete(calendar.secrets, booking.ical_uid)
    logger.info(
        "Effect %s: booking %s brought up to date in her calendars.", effect.pk, booking.pk
    )


def _applies(event: BookingEvent) -> bool:
    # A time held for payment is not hers to see yet; its confirmation writes it.
    if event.booking.status == Booking.Status.HELD:
        return False
    return targets(event.booking.practitioner_id).exists()


def register() -> None:
    """Called from BookingConfig.ready()."""
    effects.register(PUSH, on=CHANGES, run=_run, applies=_applies)


def push_upcoming(practitioner_id: int, now: datetime, *, reason: str) -> int:
    """Write every booking ahead into her calendars once more (one just connected or
    resumed, another calendar chosen, other titles): one effect per booking, which writes
    it into each of them; ``reason`` keys the round, so a round repeated writes nothing
    twice."""
    ahead = Booking.objects.filter(
        practitioner_id=practitioner_id, status=Booking.Status.CONFIRMED, end__gt=now
    )
    scheduled = 0
    for booking in ahead:
        key = f"calendar-push:{booking.pk}:{booking.sequence}:{reason}"
        scheduled += effects.schedule(PUSH, key, booking=booking) is not None
    return scheduled
