"""Starting a paid booking: the hold of its time and the Stripe Checkout that pays for it.

The hold is written under the practitioner's row lock (the lock booking.services takes), so
two clients never hold one time; Stripe is called outside that transaction, and a Checkout
that cannot be opened lets the time go again (booking.payments.confirmation.release).
What happens when the money arrives is booking.payments.confirmation.

Nothing here logs an email address, a name or an amount: log lines name rows by id.
"""

import logging
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from booking import selectors
from booking.forms import PARTNER_ZONE_UNKNOWN, partner_email_error
from booking.models import Booking, BookingEvent
from booking.payments import gateway
from booking.payments.confirmation import release
from booking.payments.models import Payment
from booking.services import (
    NOT_ACTIVE,
    BookingError,
    check_bookable,
    check_unconfirmed_ceiling,
    create_booking,
    expire_stale_holds,
    lock_practitioner,
    log_event,
)
from booking.slots import blocked_span
from practice.models import Offering
from practice.timezones import canonical_timezone

logger = logging.getLogger(__name__)

# Stripe's minimum for a Checkout Session's expires_at is 30 minutes after it receives the
# request; the extra minute covers the time between our clock and its arrival there.
HOLD_DURATION = timedelta(minutes=31)

NOT_PAID_OFFERING = "This offering is free: it is booked without payment."
PAYMENT_UNAVAILABLE = (
    "We could not open the payment page just now, so nothing is booked and the time is free "
    "again. Please try once more in a moment."
)
PAYMENT_RETRY = "We could not open the payment page just now. Please try again in a moment."
PAYMENTS_OFF = "Online payment is not available at the moment. Please get in touch to book."
PARTNER_REQUIRED = "A couples session needs your partner's name and email address."
HOLD_ENDED = (
    "The time held for you has been let go, so nothing is booked. Please pick a time again."
)


class PaymentUnavailable(BookingError):
    """Stripe could not be reached or refused; the hold was released."""


class HeldCheckout(NamedTuple):
    booking: Booking
    payment: Payment
    checkout_url: str


def hold_for_payment(
    *,
    offering: Offering,
    start: datetime,
    client_user,
    client_name: str,
    client_email: str,
    client_timezone: str,
    note: str = "",
    partner_name: str = "",
    partner_email: str = "",
    partner_timezone: str = "",
    now: datetime | None = None,
) -> HeldCheckout:
    """Hold a slot of a paid offering while the client pays through Stripe Checkout.

    The booking is ``held`` until ``hold_expires_at``, which is the Checkout Session's
    ``expires_at`` to the second; it blocks the slot until then and not a moment longer
    (selectors treat an expired hold as free; the task and the command tidy up). Raises
    SlotUnavailable at once when the time is taken, BookingError for an inactive or free
    offering, and PaymentUnavailable (hold released) when Stripe cannot open Checkout.
    The same client asking again for the same slot while the hold runs ("Pay" pressed
    twice, a reload) gets the same hold and the same Checkout Session back. Who may book
    (returning clients only) is the caller's check.

    A couples session needs the partner's name and an email address other than the
    client's (BookingError otherwise), and may have the partner's own zone (their reminders
    read it; none: the client's); other offerings keep no partner. The partner is stored on
    the booking only: Stripe sees the client alone.
    """
    now = now or timezone.now()
    if not offering.is_active:
        raise BookingError(NOT_ACTIVE)
    if offering.is_free:
        raise BookingError(NOT_PAID_OFFERING)
    partner_name, partner_email, partner_timezone = _partner(
        offering, partner_name, partner_email, partner_timezone, client_email
    )
    try:
        gateway.client()
    except gateway.PaymentsNotConfigured as error:
        raise PaymentUnavailable(PAYMENTS_OFF) from error
    span = blocked_span(start, selectors.slot_policy(offering))
    email = client_email.strip().lower()
    with transaction.atomic(durable=True):
        practitioner = lock_practitioner(offering.practitioner_id)
        expire_stale_holds(practitioner=practitioner, start=span.start, end=span.end, now=now)
        booking = _live_hold(offering=offering, start=start, email=email, now=now)
        if booking is not None:  # "Pay" pressed twice: the same hold, the same Checkout
            payment = booking.payment
        else:
            check_unconfirmed_ceiling(email=email, now=now)
            check_bookable(
                offering=offering,
                start=start,
                now=now,
                zone_name=client_timezone,
                client_email=email,
            )
            booking, payment = _hold(
                offering,
                practitioner,
                span,
                start=start,
                email=email,
                now=now,
                client_user=client_user,
                client_name=client_name,
                client_timezone=client_timezone,
                note=note,
                partner_name=partner_name,
                partner_email=partner_email,
                partner_timezone=partner_timezone,
            )
    return _open_checkout(booking, payment, now=now)


def resume_checkout(*, booking: Booking, now: datetime | None = None) -> HeldCheckout:
    """The Checkout Session of a running hold, again (Back from Checkout, then "Continue to
    payment"): the same session, so nothing is paid twice; a hold that ended refuses."""
    now = now or timezone.now()
    if booking.status != Booking.Status.HELD or booking.hold_expires_at <= now:
        raise BookingError(HOLD_ENDED)
    return _open_checkout(booking, booking.payment, now=now)


def _partner(
    offering: Offering, name: str, email: str, zone: str, client_email: str
) -> tuple[str, str, str]:
    """The partner to store: checked for a couples session, dropped for anything else."""
    if offering.kind != Offering.Kind.COUPLES_SESSION:
        return "", "", ""
    name, email = name.strip(), email.strip().lower()
    if not name or not email:
        raise BookingError(PARTNER_REQUIRED)
    if error := partner_email_error(email, client_email):
        raise BookingError(error)
    listed = canonical_timezone(zone) if zone else ""
    if listed is None:
        raise BookingError(PARTNER_ZONE_UNKNOWN)
    return name, email, listed


def _hold(
    offering,
    practitioner,
    span,
    *,
    start,
    email,
    now,
    client_user,
    client_name,
    client_timezone,
    note,
    partner_name="",
    partner_email="",
    partner_timezone="",
) -> tuple[Booking, Payment]:
    """Inside the lock, the slot checked: write the held booking and its pending payment."""
    booking = create_booking(
        practitioner=practitioner,
        offering=offering,
        status=Booking.Status.HELD,
        start=start,
        span=span,
        client_name=client_name,
        client_email=email,
        client_timezone=client_timezone,
        client_user=client_user,
        note=note,
        now=now,
        hold_expires_at=(now + HOLD_DURATION).replace(microsecond=0),
        partner_name=partner_name,
        partner_email=partner_email,
        partner_timezone=partner_timezone,
    )
    payment = Payment.objects.create(
        booking=booking, amount=offering.price, currency=offering.currency.upper(), created_at=now
    )
    log_event(
        booking,
        BookingEvent.Kind.CREATED,
        actor="client",
        actor_user=client_user,
        at=now,
        start=start.isoformat(),
        hold_expires_at=booking.hold_expires_at.isoformat(),
    )
    return booking, payment


def _live_hold(*, offering: Offering, start: datetime, email: str, now: datetime):
    """The client's own running hold of this very slot: "Pay" pressed twice."""
    return (
        Booking.objects.select_related("payment", "offering")
        .filter(
            offering=offering,
            start=start,
            client_email=email,
            status=Booking.Status.HELD,
            hold_expires_at__gt=now,
        )
        .first()
    )


def _open_checkout(booking: Booking, payment: Payment, *, now: datetime) -> HeldCheckout:
    """Create (or, for the same booking, find again: the idempotency key) its Checkout
    Session, outside any transaction; release the hold if Stripe cannot."""
    try:
        session = gateway.create_checkout_session(booking, payment)
    except gateway.GatewayError as error:
        logger.warning("Checkout for booking %s failed (%s).", booking.pk, error.code)
        if payment.checkout_session_id:  # a retry: the first session may still be paid
            raise PaymentUnavailable(PAYMENT_RETRY) from error
        release(booking, reason="checkout_failed", payment_state=Payment.State.FAILED, now=now)
        raise PaymentUnavailable(PAYMENT_UNAVAILABLE) from error
    with transaction.atomic(durable=True):
        Payment.objects.filter(pk=payment.pk, checkout_session_id=None).update(
            checkout_session_id=session.id
        )
    payment.checkout_session_id = session.id
    return HeldCheckout(booking, payment, session.url)
