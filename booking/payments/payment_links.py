"""Payment links: the practitioner books a paid session for a client, who pays from a link.

The time is held for the client much longer than a self-checkout's half hour (LINK_HOLD,
and never past LINK_ENDS_BEFORE_START before the start), since they learn of it from an
email. A Stripe Checkout Session lives 24 hours at most, so none is made with the booking:
the emailed link opens one when it is followed, and opens a new one if the last one
expired while the time is still held. Its Back button leads to the link's own page, never
to the release of the hold: only the hold's end frees the time she booked.

Paying confirms the booking through confirm_payment, as any Checkout does (the webhook or
the return page, whichever is first), with the usual emails, invite and intake. A hold
that ends unpaid is expired like any other (its history says so), and the time is free.
"""

import hmac
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from booking import effects
from booking.models import Booking
from booking.payments import gateway
from booking.payments.models import Payment
from booking.services import BookingError

logger = logging.getLogger(__name__)

LINK_HOLD = timedelta(hours=48)
LINK_ENDS_BEFORE_START = timedelta(hours=2)
SHORTEST_LINK_HOLD = timedelta(hours=1)
# Stripe's bounds for a session's expires_at are 30 minutes and 24 hours from its creation.
SESSION_AT_LEAST = timedelta(minutes=31)
SESSION_AT_MOST = timedelta(hours=23)

TOO_SOON_FOR_A_LINK = (
    "This starts too soon for a payment link: the client would have less than an hour to "
    "pay. Choose paid outside or no charge instead, or a later time."
)
LINK_HOLD_ENDED = "The time held for this payment has ended, so nothing is booked."
PAYMENT_NOT_OPENED = "We could not open the payment page just now. Please try again in a moment."

SALT = "booking.payments.payment_link"
LINK_EMAIL = "payments.link_email"


class LinkUnavailable(BookingError):
    """Stripe could not open Checkout just now; the time stays held."""


def link_hold_until(*, start: datetime, now: datetime) -> datetime:
    """Until when a payment link holds ``start``: LINK_HOLD, or until LINK_ENDS_BEFORE_START
    before the start if that is sooner; BookingError when that leaves under an hour."""
    until = min(now + LINK_HOLD, start - LINK_ENDS_BEFORE_START).replace(microsecond=0)
    if until - now < SHORTEST_LINK_HOLD:
        raise BookingError(TOO_SOON_FOR_A_LINK)
    return until


def hold_for_link(booking: Booking, *, now: datetime) -> Payment:
    """Inside the booking's transaction: its pending payment and the email with the link
    (an effect; the hold's end follows the booking's creation, booking.services)."""
    offering = booking.offering
    payment = Payment.objects.create(
        booking=booking,
        amount=offering.price,
        currency=offering.currency.upper(),
        method=Payment.Method.LINK,
        created_at=now,
    )
    effects.schedule(LINK_EMAIL, f"{LINK_EMAIL}:{booking.pk}", booking=booking)
    return payment


def pay_token(booking: Booking) -> str:
    """The link's key: this booking only, and only while its time is what was emailed (a
    reschedule raises the sequence and voids it)."""
    value = f"{booking.public_id}:{booking.sequence}"
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest()[:32]


def pay_token_is_valid(booking: Booking, token: str) -> bool:
    return hmac.compare_digest(pay_token(booking), token or "")


def pay_path(booking: Booking) -> str:
    kwargs = {"public_id": booking.public_id, "token": pay_token(booking)}
    return reverse("payments:pay_link", kwargs=kwargs)


def pay_url(booking: Booking) -> str:
    return settings.SITE_URL + pay_path(booking)


def is_waiting(booking: Booking, now: datetime | None = None) -> bool:
    """Whether ``booking`` is held for its payment link and the hold still runs."""
    return booking.status == Booking.Status.HELD and booking.hold_expires_at > (
        now or timezone.now()
    )


def open_checkout(*, booking: Booking, now: datetime | None = None) -> str | None:
    """The Checkout page to send the client to: the last session if it is still open, a
    new one otherwise. None when that last session turns out paid (the booking is then
    confirmed here). Raises BookingError when the hold has ended, LinkUnavailable when
    Stripe cannot be asked."""
    from booking.payments import confirmation

    now = now or timezone.now()
    if not is_waiting(booking, now):
        raise BookingError(LINK_HOLD_ENDED)
    payment = Payment.objects.get(booking=booking)
    previous = payment.checkout_session_id
    try:
        if previous:
            session = gateway.retrieve_checkout_session(previous)
            if session["status"] == "open":
                return session["url"]
            if session["status"] == "complete" and session["payment_status"] == "paid":
                confirmation.confirm_payment(
                    checkout_session_id=previous, session=session, now=now
                )
                return None
        session = gateway.create_checkout_session(
            booking,
            payment,
            expires_at=_session_expiry(booking, now),
            cancel_to=pay_url(booking) + "?back=1",
            idempotency_key=f"payment-link-{booking.public_id}-{previous or 'first'}",
        )
    except gateway.GatewayError as error:
        logger.warning("Payment link of booking %s: checkout not opened (%s).", booking.pk, error)
        raise LinkUnavailable(PAYMENT_NOT_OPENED) from error
    with transaction.atomic(durable=True):
        Payment.objects.filter(pk=payment.pk, checkout_session_id=previous).update(
            checkout_session_id=session.id
        )
    return session.url


def _session_expiry(booking: Booking, now: datetime) -> int:
    """The session ends with the hold, or within Stripe's day. From the hour's start, so
    that a retry within the hour sends the very same request (its idempotency key)."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    ends = min(booking.hold_expires_at, hour + SESSION_AT_MOST)
    return int(max(ends, now + SESSION_AT_LEAST).timestamp())


def outlived_by_hold(payment: Payment, *, now: datetime) -> bool:
    """A link's Checkout Session ended (Stripe's day is shorter than the hold) while the
    time is still held: nothing to release, the link opens a new session."""
    return payment.method == Payment.Method.LINK and is_waiting(payment.booking, now)


def link_message(booking: Booking) -> EmailMultiAlternatives | None:
    """The client's email with the link: who booked what for when (their zone first), the
    amount, the link and until when the time is held. None once the hold has ended."""
    from booking.emails.compose import (
        contact_line,
        format_moment,
        format_short,
        format_span_in_two_zones,
        simple_message,
    )
    from booking.payments.policy import format_money

    if not is_waiting(booking):
        return None
    practitioner, zone = booking.practitioner, booking.client_timezone
    meeting = booking.offering.meeting_word
    context = {
        "client_name": booking.client_name,
        "practitioner_name": practitioner.name,
        "practice_name": practitioner.practice_name,
        "meeting": meeting,
        "offering_name": booking.offering.name,
        "when": format_span_in_two_zones(booking.start, booking.end, zone, practitioner.timezone),
        "amount": format_money(booking.payment.amount, booking.payment.currency),
        "pay_url": pay_url(booking),
        "held_until": format_moment(booking.hold_expires_at, zone),
        "privacy_url": settings.SITE_URL + reverse("privacy"),
        "contact_note": contact_line(practitioner),
    }
    return simple_message(
        template="email/payment_link",
        context=context,
        # Discreet like every subject (lock screens): the practice and the day, not her name.
        subject=f"Your {meeting} with {practitioner.practice_name} on "
        f"{format_short(booking.start, zone)}: a link to pay",
        to=booking.client_email,
        practitioner=practitioner,
    )


def register() -> None:
    """Called from PaymentsConfig.ready()."""
    effects.register_email(LINK_EMAIL, lambda effect: link_message(effect.booking))
