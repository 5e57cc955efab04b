"""Pages for a signed-in client: their bookings."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from booking import links
from booking.models import Booking
from intake.links import fill_path
from intake.models import Assignment
from practice import selectors


@dataclass(frozen=True)
class BookingRow:
    booking: Booking
    manage_path: str
    status_label: str
    intake_path: str | None = None


def _row(booking: Booking, now: datetime, intake: Assignment | None) -> BookingRow:
    label = booking.get_status_display()
    if booking.status == Booking.Status.HELD and booking.hold_expires_at <= now:
        # Expiry is read from the timestamp (DESIGN.md): a lapsed hold no longer holds.
        label = Booking.Status.EXPIRED.label
    intake_path = fill_path(intake) if intake is not None else None
    return BookingRow(booking, links.manage_path(booking), label, intake_path)


def _is_upcoming(booking: Booking, now: datetime) -> bool:
    if booking.end <= now:
        return False
    if booking.status == Booking.Status.CONFIRMED:
        return True
    return booking.status == Booking.Status.HELD and booking.hold_expires_at > now


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    """Upcoming and past bookings of the signed-in client: those the account owns and those
    made under one of its verified emails, each with the client's own intake questions if
    it has them (three queries, whatever the number of bookings). Only assignments for the
    account's own verified addresses are linked: a partner's link never shows here."""
    now = timezone.now()
    emails = selectors.verified_emails(request.user)
    bookings = list(selectors.client_bookings(request.user, emails=emails))
    own = {email.lower() for email in emails}
    intakes = {
        assignment.booking_id: assignment
        for assignment in Assignment.objects.filter(booking__in=bookings).order_by()
        if assignment.email.lower() in own
    }
    upcoming: list[BookingRow] = []
    past: list[BookingRow] = []
    for booking in bookings:
        row = _row(booking, now, intakes.get(booking.pk))
        (upcoming if _is_upcoming(booking, now) else past).append(row)
    past.reverse()  # the most recent first
    context = {"upcoming": upcoming, "past": past, "emails": emails}
    return render(request, "booking/my_bookings.html", context)
