"""Booking as a request asks for it, under the booking limits (practice.ratelimits).

The details pages and the JSON API both book through these two functions, so that both
count a request the same way, hold a busy network's free calls for their email
confirmation the same way, and remember the same browser as the one that started a
checkout. Each raises ratelimits.Limited over a limit, before anything is written.
"""

from django.http import HttpRequest

from booking import free_calls
from booking.models import Booking
from booking.payments import checkout as payment_checkout
from booking.payments import checkout_access
from practice import ratelimits
from practice.models import Offering


def book_free_call(request: HttpRequest, offering: Offering, data: dict) -> Booking:
    """free_calls.book_assessment for this request: confirmed at once, or, once its network
    has booked several, held until the client confirms it from the email sent to them."""
    ratelimits.check_booking(request, email=data["email"])
    place = ratelimits.free_call_needs_confirmation(ratelimits.client_ip(request))
    booking = free_calls.book_assessment(
        offering=offering,
        start=data["start"],
        client_name=data["name"],
        client_email=data["email"],
        client_timezone=data["timezone"],
        note=data["note"],
        confirm_by_email=bool(place),
    )
    if booking.status == Booking.Status.HELD:
        ratelimits.note_awaiting(booking.public_id, place)
    return booking


def hold_paid_session(
    request: HttpRequest, offering: Offering, data: dict
) -> payment_checkout.HeldCheckout:
    """payment_checkout.hold_for_payment for the signed-in client of this request; this
    browser is remembered as the one that started the checkout (checkout_access)."""
    user = request.user
    ratelimits.check_booking(request, email=user.email)
    held = payment_checkout.hold_for_payment(
        offering=offering,
        start=data["start"],
        client_user=user,
        client_name=data["name"],
        client_email=user.email,
        client_timezone=data["timezone"],
        partner_name=data.get("partner_name") or "",
        partner_email=data.get("partner_email") or "",
        partner_timezone=data.get("partner_timezone") or "",
    )
    checkout_access.remember_checkout(request, held.booking)
    return held
