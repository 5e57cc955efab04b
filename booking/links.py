"""Private manage links: HMAC over the booking and its last change.

The token covers the booking's id, status and sequence, so rescheduling or cancelling
voids every older link (the pattern of Django's password-reset tokens).
"""

import hmac

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

from booking.models import Booking

SALT = "booking.links.manage"


def manage_token(booking: Booking) -> str:
    value = f"{booking.public_id}:{booking.status}:{booking.sequence}"
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest()[:32]


def token_is_valid(booking: Booking, token: str) -> bool:
    return hmac.compare_digest(manage_token(booking), token or "")


def manage_path(booking: Booking) -> str:
    return reverse(
        "booking:manage", kwargs={"public_id": booking.public_id, "token": manage_token(booking)}
    )


def manage_url(booking: Booking) -> str:
    return settings.SITE_URL + manage_path(booking)
