"""Pages for a signed-in client: their bookings."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from booking import links
from booking.models import Booking
from practice import selectors


@dataclass(frozen=True)
class BookingRow:
    booking: Booking
    manage_path: str
    status_label: str


def _row(booking: Booking, now: datetime) -> BookingRow:
    label = booking.get_status_display()
    if booking.status == Booking.Status.HELD and booking.hold_expires_at <= now:
        # Expiry is read from the timestamp (DESIGN.md): a lapsed hold no longer holds.
        label = Booking.Status.EXPIRED.label
    return BookingRow(booking, links.manage_path(booking), label)


def _is_upcoming(booking: Booking, now: datetime) -> bool:
    if booking.end <= now:
        return False
    if booking.status == Booking.Status.CONFIRMED:
        return True
    return booking.status == Booking.Status.HELD and booking.hold_expires_at > now


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    """Upcoming and past bookings of the signed-in client: those the account owns and those
    made under one of its verified emails (two queries, whatever the number of bookings)."""
    now = timezone.now()
    emails = selectors.verified_emails(request.user)
    upcoming: list[BookingRow] = []
    past: list[BookingRow] = []
    for booking in selectors.client_bookings(request.user, emails=emails):
        (upcoming if _is_upcoming(booking, now) else past).append(_row(booking, now))
    past.reverse()  # the most recent first
    context = {"upcoming": upcoming, "past": past, "emails": emails}
    return render(request, "booking/my_bookings.html", context)
