"""Which reminders a booking sends: the offering's hours, less those its client turned off.

The practice sets the hours per offering (``Offering.reminder_hours``); the client keeps all
of them, some, or none for their own booking (``Booking.reminder_hours``, None for all). The
reminder itself asks ``kept`` when it is due, so a choice is honoured from the moment it
is saved, with nothing to reschedule.
"""

from booking.models import Booking


def offered(booking: Booking) -> list[int]:
    """The offering's reminder hours, the earliest reminder first."""
    return sorted(set(booking.offering.reminder_hours or []), reverse=True)


def kept(booking: Booking) -> list[int]:
    """The hours this booking's attendees are reminded at, the earliest first."""
    hours = offered(booking)
    if booking.reminder_hours is None:
        return hours
    return [hour for hour in hours if hour in booking.reminder_hours]


def choose(booking: Booking, hours: list[int]) -> Booking:
    """Keep only ``hours`` of the offering's reminders for ``booking`` ([] for none)."""
    chosen = [hour for hour in offered(booking) if hour in hours]
    booking.reminder_hours = chosen
    Booking.objects.filter(pk=booking.pk).update(reminder_hours=chosen)
    return booking


def hours_words(hours: int) -> str:
    """``24 hours``, ``1 hour``, ``2 days`` (whole days past two days)."""
    if hours >= 48 and hours % 24 == 0:
        return f"{hours // 24} days"
    return "1 hour" if hours == 1 else f"{hours} hours"


def in_words(hours: list[int]) -> str:
    """``24 hours and 2 hours before``, or "" for none."""
    words = [hours_words(hour) for hour in sorted(hours, reverse=True)]
    if not words:
        return ""
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"{listed} before"
