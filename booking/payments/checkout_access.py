"""Who Checkout's return page may send on to the booking.

Stripe puts the Checkout Session id in the return URL, and so it lands in browser history,
access logs and anything a link is pasted into: it is not proof of who is asking. Only the
browser session that started the checkout, or the account the booking belongs to (the paid
journey signs in first), is sent on to the booking's own page; anyone else sees the same
neutral thank-you whether the id exists or not.
"""

from django.http import HttpRequest

from booking.models import Booking

SESSION_KEY = "payments_started_checkouts"
# A browser rarely starts more than a few; the oldest are forgotten first.
REMEMBERED = 20


def remember_checkout(request: HttpRequest, booking: Booking) -> None:
    """Note in this browser's session that it started (or resumed) ``booking``'s checkout."""
    booking_id = str(booking.public_id)
    started = [kept for kept in request.session.get(SESSION_KEY, []) if kept != booking_id]
    request.session[SESSION_KEY] = [*started, booking_id][-REMEMBERED:]


def started_checkout(request: HttpRequest, booking: Booking) -> bool:
    """Whether this request comes from whoever started ``booking``'s checkout."""
    if str(booking.public_id) in request.session.get(SESSION_KEY, []):
        return True
    user = request.user
    return user.is_authenticated and booking.client_id == user.pk
