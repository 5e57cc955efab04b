"""Private manage links: HMAC over the booking and its last change.

The token covers the booking's id, status and sequence, so rescheduling or cancelling
voids every older link (the pattern of Django's password-reset tokens). An older link is
still recognised as once genuine (``was_valid_once``), so that its page can offer to email
the current link to the booking's own address instead of a dead end.
"""

import hmac

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

from booking.models import Booking

SALT = "booking.links.manage"


def _token(public_id, status: str, sequence: int) -> str:
    value = f"{public_id}:{status}:{sequence}"
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest()[:32]


def manage_token(booking: Booking) -> str:
    return _token(booking.public_id, booking.status, booking.sequence)


def token_is_valid(booking: Booking, token: str) -> bool:
    return hmac.compare_digest(manage_token(booking), token or "")


def was_valid_once(booking: Booking, token: str) -> bool:
    """Was ``token`` this booking's link at some state up to now (any status, any sequence
    up to the current one)? A forged token matches none of them."""
    return any(
        hmac.compare_digest(_token(booking.public_id, status, sequence), token or "")
        for sequence in range(booking.sequence + 1)
        for status in Booking.Status.values
    )


def masked_email(address: str) -> str:
    """``robin@example.org`` → ``r…@example.org``: enough for the owner to recognise, not
    enough for whoever holds an old link to learn the address."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}…@{domain}"


def manage_path(booking: Booking) -> str:
    return reverse(
        "booking:manage", kwargs={"public_id": booking.public_id, "token": manage_token(booking)}
    )


def manage_url(booking: Booking) -> str:
    return settings.SITE_URL + manage_path(booking)


CONFIRM_SALT = "booking.links.confirm"


def confirm_token(booking: Booking) -> str:
    """The token of the link that confirms a free call held for its client's confirmation:
    only ever emailed to the booking's address (never shown to whoever booked), so that
    following it shows the address is theirs. Not the manage token, which the API and the
    pages hand to whoever books."""
    return salted_hmac(CONFIRM_SALT, str(booking.public_id), algorithm="sha256").hexdigest()[:32]


def confirm_token_is_valid(booking: Booking, token: str) -> bool:
    return hmac.compare_digest(confirm_token(booking), token or "")


def confirm_url(booking: Booking) -> str:
    kwargs = {"public_id": booking.public_id, "token": confirm_token(booking)}
    return settings.SITE_URL + reverse("booking:confirm", kwargs=kwargs)
