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

# How each state looks: confirmed and done in the calm accent, a pending payment in warm
# tones, what did not happen muted.
BADGES = {
    Booking.Status.HELD: "warn",
    Booking.Status.CANCELLED: "muted",
    Booking.Status.NO_SHOW: "muted",
}


@dataclass(frozen=True)
class BookingRow:
    booking: Booking
    manage_path: str
    status_label: str
    badge: str = ""
    intake_path: str | None = None


def _row(booking: Booking, intake: Assignment | None) -> BookingRow:
    intake_path = fill_path(intake) if intake is not None else None
    return BookingRow(
        booking,
        links.manage_path(booking),
        booking.get_status_display(),
        BADGES.get(booking.status, ""),
        intake_path,
    )


def _never_became_a_booking(booking: Booking, now: datetime) -> bool:
    """A hold whose payment never came: the time was never the client's, so it is not
    listed. Expiry is read from the timestamp (DESIGN.md): a lapsed hold no longer holds."""
    if booking.status == Booking.Status.EXPIRED:
        return True
    return booking.status == Booking.Status.HELD and booking.hold_expires_at <= now


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
        if _never_became_a_booking(booking, now):
            continue
        row = _row(booking, intakes.get(booking.pk))
        (upcoming if _is_upcoming(booking, now) else past).append(row)
    past.reverse()  # the most recent first
    context = {"upcoming": upcoming, "past": past, "emails": emails}
    return render(request, "booking/my_bookings.html", context)
