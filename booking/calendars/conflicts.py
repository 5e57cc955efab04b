"""Busy time in her calendars over a booking she already has: marked, told once, never
acted on. A dentist put in her calendar over a client's session is her decision to make
(move the session, or the dentist); the system only makes sure she knows, by one email per
read that finds bookings newly overlapped (a calendar added over a busy month is one email,
not one per booking) and a mark on each booking in her console until it is resolved.
"""

from datetime import datetime

from django.core.mail import EmailMultiAlternatives

from booking import effects
from booking.emails.compose import (
    console_booking_url,
    format_short,
    format_span,
    simple_message,
)
from booking.models import Booking, BusyBlock, CalendarConflict

EMAIL = "calendars.conflict_email"


def refresh(practitioner, now: datetime) -> list[CalendarConflict]:
    """Open a conflict for each confirmed booking ahead that imported busy time now
    overlaps, resolve those it no longer does; the new ones, each with its email on record."""
    bookings = list(
        Booking.objects.filter(
            practitioner=practitioner, status=Booking.Status.CONFIRMED, end__gt=now
        ).order_by("start")
    )
    blocks = list(
        BusyBlock.objects.filter(
            practitioner=practitioner, calendar__isnull=False, end__gt=now
        ).order_by("start")
    )
    overlapping = {}
    for booking in bookings:
        for block in blocks:
            if block.start >= booking.end:
                break
            if block.end > booking.start:
                overlapping[booking.pk] = block
                break
    open_ = {
        conflict.booking_id: conflict
        for conflict in CalendarConflict.objects.filter(
            booking__practitioner=practitioner, resolved_at__isnull=True
        )
    }
    CalendarConflict.objects.filter(
        pk__in=[c.pk for booking_id, c in open_.items() if booking_id not in overlapping]
    ).update(resolved_at=now)
    created = CalendarConflict.objects.bulk_create(
        CalendarConflict(
            booking_id=booking_id,
            calendar_id=block.calendar_id,
            busy_start=block.start,
            busy_end=block.end,
            found_at=now,
        )
        for booking_id, block in overlapping.items()
        if booking_id not in open_
    )
    if created:
        # One email for all of them, on record with the earliest booking (``overlapping``
        # follows the bookings in their order, and so does ``created``).
        first = next(booking for booking in bookings if booking.pk == created[0].booking_id)
        effects.schedule(
            EMAIL,
            f"calendar-conflict:{created[0].pk}",
            booking=first,
            args={"conflicts": [conflict.pk for conflict in created]},
        )
    return created


def _message(effect) -> EmailMultiAlternatives | None:
    still = list(
        CalendarConflict.objects.filter(
            pk__in=effect.args.get("conflicts", []),
            resolved_at__isnull=True,
            booking__status=Booking.Status.CONFIRMED,
        )
        .select_related("booking__offering", "calendar")
        .order_by("booking__start")
    )
    if not still:
        return None  # resolved since: nothing to tell her
    practitioner = effect.booking.practitioner
    zone = practitioner.timezone
    overlaps = [
        {
            "client_name": conflict.booking.client_name,
            "offering_name": conflict.booking.offering.name,
            "when": format_span(conflict.booking.start, conflict.booking.end, zone),
            "busy": format_span(conflict.busy_start, conflict.busy_end, zone),
            "calendar_name": conflict.calendar.name
            if conflict.calendar
            else "one of your calendars",
            "booking_url": console_booking_url(conflict.booking),
        }
        for conflict in still
    ]
    first = still[0].booking
    subject = (
        f"Your calendar is busy during a booking on {format_short(first.start, zone)}"
        if len(still) == 1
        else f"Your calendar is busy during {len(still)} bookings"
    )
    return simple_message(
        template="email/calendar_conflict",
        context={"overlaps": overlaps},
        subject=subject,
        to=practitioner.email,
        practitioner=practitioner,
    )


def register() -> None:
    effects.register_email(EMAIL, _message)


def open_for(bookings) -> set[int]:
    """Which of these bookings her calendars show her busy for (the console's mark)."""
    return set(
        CalendarConflict.objects.filter(
            booking__in=bookings, resolved_at__isnull=True
        ).values_list("booking_id", flat=True)
    )
