"""The only module that speaks to Stripe, through the real ``stripe`` library.

Where it talks to:
- ``STRIPE_SECRET_KEY`` set: Stripe (or ``STRIPE_API_BASE`` when set, e.g. the tests'
  stand-in on 127.0.0.1), webhooks signed with ``STRIPE_WEBHOOK_SECRET``;
- no key and ``DEBUG`` on: the local stand-in mounted in this very server under
  ``SITE_URL/stripe/standin/`` (booking.payments.standin), with a fixed development secret
  (so SITE_URL must be the address the development server listens on);
- no key and ``DEBUG`` off: nowhere. Paid bookings are refused with PaymentsNotConfigured;
  the stand-in is never used outside DEBUG.

Every call that creates something carries an idempotency key derived from our own row (the
booking, the refund decision), so a retry after a timeout or a crash never makes a second
Checkout Session or a second refund. Errors are re-raised as GatewayError without Stripe's
message, which can quote what we sent (the client's email address).
"""

import functools
import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

import stripe
from django.conf import settings
from django.urls import reverse

from booking import links
from booking.models import Booking
from booking.payments import webhook_events
from booking.payments.models import Payment
from booking.payments.policy import to_minor

logger = logging.getLogger(__name__)
# The library logs each request's form data at DEBUG (the client's email address among it)
# and Stripe's error messages at INFO (which can quote it). Only its warnings get through.
logging.getLogger("stripe").setLevel(logging.WARNING)

STANDIN_API_KEY = "sk_test_local_standin"
STANDIN_WEBHOOK_SECRET = "whsec_local_standin_development_only"  # noqa: S105 (DEBUG only)
WEBHOOK_TOLERANCE_SECONDS = 300  # Stripe's default: older signatures are refused
NETWORK_RETRIES = 2
TIMEOUT_SECONDS = (5, 30)  # connect, read

NOT_CONFIGURED = "Payments are not set up: STRIPE_SECRET_KEY is missing."


class GatewayError(Exception):
    """Stripe refused a call or could not be reached. ``code`` is Stripe's error code (or
    the error's class), ``http_status`` its answer (None: no answer)."""

    def __init__(self, message: str, *, code: str = "", http_status: int | None = None):
        super().__init__(message)
        self.code = code
        self.http_status = http_status


class PaymentsNotConfigured(GatewayError):
    pass


class InvalidSignature(Exception):
    """A webhook whose signature is missing, wrong or older than the tolerance."""


@dataclass(frozen=True)
class _Config:
    api_key: str
    api_base: str | None
    webhook_secret: str


def standin_enabled() -> bool:
    """The in-process stand-in plays Stripe only on a DEBUG server without Stripe keys."""
    return bool(settings.DEBUG) and not settings.STRIPE_SECRET_KEY


def standin_base() -> str:
    """Where the in-process stand-in answers: ``SITE_URL/stripe/standin``."""
    return settings.SITE_URL + reverse("payments:standin", kwargs={"path": ""}).rstrip("/")


STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"


def checkout_origin() -> str | None:
    """The origin of the Checkout pages clients are sent to, for the pages' form-action.

    A form that posts here and is answered with a redirect to Checkout counts, for the
    browser's form-action check, as a form sent to Checkout. None when Checkout is on this
    site (the in-process stand-in) or payments are off; the API base's origin when one is
    set (the stand-in over HTTP serves its pages beside its API).
    """
    if settings.STRIPE_SECRET_KEY:
        if settings.STRIPE_API_BASE:
            parts = urlsplit(settings.STRIPE_API_BASE)
            return f"{parts.scheme}://{parts.netloc}"
        return STRIPE_CHECKOUT_ORIGIN
    return None


def _config() -> _Config:
    if settings.STRIPE_SECRET_KEY:
        return _Config(
            settings.STRIPE_SECRET_KEY,
            settings.STRIPE_API_BASE or None,
            settings.STRIPE_WEBHOOK_SECRET,
        )
    if standin_enabled():
        return _Config(STANDIN_API_KEY, standin_base(), STANDIN_WEBHOOK_SECRET)
    raise PaymentsNotConfigured(NOT_CONFIGURED, code="not_configured")


@functools.lru_cache(maxsize=8)
def _client_for(api_key: str, api_base: str | None) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )


def client() -> stripe.StripeClient:
    config = _config()
    return _client_for(config.api_key, config.api_base)


def _failed(operation: str, error: stripe.StripeError) -> GatewayError:
    code = getattr(error, "code", None) or type(error).__name__
    status = getattr(error, "http_status", None)
    return GatewayError(
        f"Stripe: {operation} failed ({code}, HTTP {status or 'no answer'}).",
        code=code,
        http_status=status,
    )


def checkout_idempotency_key(booking: Booking) -> str:
    return f"checkout-session-{booking.public_id}"


def success_url() -> str:
    """Where Checkout sends the client after paying; Stripe fills in the session id."""
    return (
        settings.SITE_URL
        + reverse("payments:checkout_return")
        + "?session_id={CHECKOUT_SESSION_ID}"
    )


def cancel_url(booking: Booking) -> str:
    """Back from Checkout without paying: releases the hold (the link is the booking's own
    manage token, so it stops working once the hold has changed)."""
    return settings.SITE_URL + reverse(
        "payments:checkout_cancel",
        kwargs={"public_id": booking.public_id, "token": links.manage_token(booking)},
    )


def checkout_params(booking: Booking, payment: Payment) -> dict:
    """Everything derives from the booking and its payment, so a retry sends the very same
    request (Stripe refuses a reused idempotency key with other parameters)."""
    if booking.hold_expires_at is None:
        raise ValueError("A Checkout Session needs the hold's expiry.")
    reference = {"booking": str(booking.public_id), "payment": str(payment.public_id)}
    return {
        "mode": "payment",
        # Cards settle at once; bank debits settle after the hold has lapsed.
        "payment_method_types": ["card"],
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": payment.currency.lower(),
                    "unit_amount": to_minor(payment.amount, payment.currency),
                    "product_data": {"name": booking.offering.name},
                },
            }
        ],
        "customer_email": booking.client_email,
        "client_reference_id": str(booking.public_id),
        "metadata": reference,
        "payment_intent_data": {"metadata": reference},
        "expires_at": int(booking.hold_expires_at.timestamp()),
        "success_url": success_url(),
        "cancel_url": cancel_url(booking),
    }


def create_checkout_session(
    booking: Booking,
    payment: Payment,
    *,
    expires_at: int | None = None,
    cancel_to: str | None = None,
    idempotency_key: str | None = None,
):
    """A Checkout Session for ``payment``; the same one again for the same booking.

    A payment link (booking.payments.payment_links) holds the time longer than one
    session may live, so it passes its own ``expires_at``, the page Back leads to
    (``cancel_to``: the link's own page, not the release of the hold) and a key for each
    session it opens."""
    params = checkout_params(booking, payment)
    if expires_at is not None:
        params["expires_at"] = expires_at
    if cancel_to is not None:
        params["cancel_url"] = cancel_to
    try:
        return client().v1.checkout.sessions.create(
            params,
            options={"idempotency_key": idempotency_key or checkout_idempotency_key(booking)},
        )
    except stripe.StripeError as error:
        raise _failed("creating a Checkout Session", error) from None


def retrieve_checkout_session(session_id: str):
    try:
        return client().v1.checkout.sessions.retrieve(session_id)
    except stripe.StripeError as error:
        raise _failed("reading a Checkout Session", error) from None


def expire_checkout_session(session_id: str):
    """Close an open session so it can no longer be paid; return the session as it stands.

    A session that is no longer open (already paid, or already expired) is not an error:
    the caller reads its ``status`` and ``payment_status`` to see what happened instead.
    """
    try:
        return client().v1.checkout.sessions.expire(session_id)
    except stripe.InvalidRequestError as error:
        if error.http_status != 400:
            raise _failed("expiring a Checkout Session", error) from None
    except stripe.StripeError as error:
        raise _failed("expiring a Checkout Session", error) from None
    return retrieve_checkout_session(session_id)


def create_refund(payment: Payment, amount: Decimal, *, idempotency_key: str):
    """Refund ``amount`` of ``payment``; the key (from the refund decision) makes a retry
    return the refund already made instead of making another."""
    if not payment.payment_intent_id:
        raise GatewayError("Stripe: this payment has no payment intent.", code="no_intent")
    try:
        return client().v1.refunds.create(
            {
                "payment_intent": payment.payment_intent_id,
                "amount": to_minor(amount, payment.currency),
                "reason": "requested_by_customer",
                "metadata": {"payment": str(payment.public_id)},
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _failed("refunding", error) from None


def webhook_secret() -> str:
    if settings.STRIPE_SECRET_KEY:
        return settings.STRIPE_WEBHOOK_SECRET
    return STANDIN_WEBHOOK_SECRET if standin_enabled() else ""


def verify_webhook(payload: bytes, signature_header: str | None) -> stripe.Event:
    """The event, if ``signature_header`` signs ``payload`` with our endpoint secret within
    the tolerance either way; InvalidSignature otherwise (missing, forged, stale, dated in
    the future, or no secret set); MalformedEvent (webhook_events) for a signed body that
    is not an event we can read."""
    secret = webhook_secret()
    if not secret:
        logger.error("STRIPE_WEBHOOK_SECRET is not set; webhook refused.")
        raise InvalidSignature("No webhook secret is configured.")
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature_header, secret, WEBHOOK_TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError:
        raise InvalidSignature("The webhook signature is missing, wrong or too old.") from None
    except ValueError:  # a body that is not UTF-8 cannot have been signed by Stripe
        raise InvalidSignature("The webhook body is not a Stripe event.") from None
    # The library refuses only signatures older than the tolerance: one dated later than
    # it is just as replayable once its time comes, so it is refused too.
    if _signed_at(signature_header) > time.time() + WEBHOOK_TOLERANCE_SECONDS:
        raise InvalidSignature("The webhook signature is dated in the future.")
    return stripe.Event.construct_from(webhook_events.parse(payload), None)


def _signed_at(signature_header: str) -> int:
    """The ``t=`` of a header that verify_header has accepted, read as it reads it."""
    items = [item.split("=", 2) for item in signature_header.split(",")]
    return int(next(item[1] for item in items if item[0] == "t"))


def field(obj, name: str):
    """``obj[name]`` of a Stripe object (or a dict), None when absent."""
    try:
        return obj[name]
    except (KeyError, TypeError):
        return None
