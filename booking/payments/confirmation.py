"""Money arriving for a hold, or the hold ending without it: confirm, refund or release.

The rule behind every function: money and time never disagree. A completed Checkout ends in
a confirmed booking or a full refund, whatever order, delay or repetition Stripe's events
arrive in, because

- every decision is taken under the practitioner's row lock (the lock booking.services
  takes), so a webhook, the success page, the hold expiry and another client's booking
  are serialised, and each re-reads the rows before it acts;
- confirmation is one idempotent function (confirm_payment) that the success page and the
  webhook share: it acts only when Stripe says ``paid`` and only once;
- a payment that arrives after its hold confirms the booking if the time is still free,
  and otherwise is refunded in full (a Refund row written with the decision; Stripe is
  asked after commit).

Nothing here logs an email address, a name or an amount: log lines name rows by id.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils import timezone

from booking.models import Booking, BookingEvent
from booking.payments import gateway
from booking.payments.emails import LATE_PAYMENT_REFUNDED, schedule_payment_email
from booking.payments.event_log import Duplicate, claim, event_transaction, record, record_alone
from booking.payments.gateway import field
from booking.payments.models import Payment, Refund, WebhookEvent
from booking.payments.refunds import decide_refund, locked_payment
from booking.refusals import Unbookable, lapsed_hold_reason
from booking.services import (
    SlotUnavailable,
    expire_stale_holds,
    lock_practitioner,
    log_event,
    save_span,
)

logger = logging.getLogger(__name__)


class Result(StrEnum):
    """What confirm_payment (and so the success page and the webhook) found and did."""

    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    NOT_PAID = "not_paid"  # Checkout not paid (yet): a delayed method, or abandoned
    REFUNDED = "refunded"  # paid after the hold, the time not kept: refunded in full
    ALREADY_REFUNDED = "already_refunded"
    DUPLICATE = "duplicate"  # a webhook event already handled
    UNKNOWN = "unknown"  # not a session of ours


@dataclass(frozen=True)
class PaymentOutcome:
    result: Result
    payment: Payment | None = None
    booking: Booking | None = None


def confirm_payment(
    *, checkout_session_id: str, session=None, event=None, now: datetime | None = None
) -> PaymentOutcome:
    """Confirm the booking a Checkout Session paid for: once, whoever asks first.

    The success page calls it with the id from its URL (the session is then read from
    Stripe: an id is not proof of payment); the webhook passes the session from the signed
    event and the event itself, which is recorded in the same transaction. Acts only when
    the session's ``payment_status`` is ``paid``. A payment that finds its hold expired
    confirms the booking if the time is still free, and otherwise refunds in full and
    emails the client the nearest free times. Raises GatewayError only when it had to read
    the session from Stripe and could not.
    """
    now = now or timezone.now()
    payment = payment_for_session(checkout_session_id, session)
    if payment is None:
        record_alone(event, WebhookEvent.Status.IGNORED, "unknown session", now)
        return PaymentOutcome(Result.UNKNOWN)
    if session is None:
        session = gateway.retrieve_checkout_session(checkout_session_id)
    paid = field(session, "status") == "complete" and field(session, "payment_status") == "paid"
    intent_id = field(session, "payment_intent") or ""
    try:
        with event_transaction(event):
            lock_practitioner(payment.booking.practitioner_id)
            claim(event)
            payment = locked_payment(payment.pk)
            booking = payment.booking
            changed = []
            if intent_id and not payment.payment_intent_id:
                payment.payment_intent_id = intent_id
                changed.append("payment_intent_id")
            if not paid:
                result = Result.NOT_PAID
            elif payment.is_captured:
                result = (
                    Result.ALREADY_CONFIRMED
                    if booking.status == Booking.Status.CONFIRMED
                    else Result.ALREADY_REFUNDED
                )
            else:
                payment.state, payment.paid_at = Payment.State.PAID, now
                changed += ["state", "paid_at"]
                if not payment.checkout_session_id:
                    payment.checkout_session_id = checkout_session_id
                    changed.append("checkout_session_id")
            if changed:
                payment.save(update_fields=[*changed, "updated_at"])
            if paid and "state" in changed:
                result, booking = _confirm_or_refund(booking, payment, now=now)
            record(event, WebhookEvent.Status.PROCESSED, result, now)
    except Duplicate:
        return PaymentOutcome(Result.DUPLICATE, payment, payment.booking)
    return PaymentOutcome(result, payment, booking)


def _confirm_or_refund(
    booking: Booking, payment: Payment, *, now: datetime
) -> tuple[Result, Booking]:
    """Inside the lock: money has just arrived for ``booking``; give it its time (a hold
    still running already owns it), or else its time if still free, or the money back."""
    confirmed = False
    late = False
    # Why the time cannot be kept, decided here under the lock and written with the refund,
    # so that the client's page and email say what really stood in the way.
    refused: Unbookable | None = None  # None after it all: a state with no known reason
    if booking.status == Booking.Status.HELD and booking.hold_expires_at > now:
        booking.status = Booking.Status.CONFIRMED
        booking.save(update_fields=["status", "updated_at"])
        confirmed = True
    elif booking.status in (Booking.Status.HELD, Booking.Status.EXPIRED):
        late = True
        refused = _why_not_free(booking, now=now)
        if refused is None:
            booking.refresh_from_db()  # _why_not_free may have marked it expired
            previous, booking.status = booking.status, Booking.Status.CONFIRMED
            try:
                save_span(booking)  # the database constraint has the last word
            except SlotUnavailable:
                booking.status = previous
                refused = Unbookable.TAKEN  # only another booking trips the constraint
            else:
                confirmed = True
    if confirmed:
        log_event(booking, BookingEvent.Kind.CONFIRMED, actor="system", at=now, late=late)
        return Result.CONFIRMED, booking
    booking = release_locked(booking.pk, reason="paid_too_late", payment_state=None, now=now)
    refund = decide_refund(
        payment,
        percent=100,
        decided_by=Refund.DecidedBy.LATE_PAYMENT,
        reason=refused or "",
        now=now,
    )
    logger.info(
        "Payment %s came after booking %s lost its time (%s): refund.",
        payment.pk,
        booking.pk,
        refused,
    )
    if refund is not None:
        schedule_payment_email(LATE_PAYMENT_REFUNDED, refund.pk, booking=booking)
    return Result.REFUNDED, booking


def _why_not_free(booking: Booking, *, now: datetime) -> Unbookable | None:
    """Inside the lock: why a booking whose hold lapsed cannot have its time any more
    (None: it still can), after expiring the stale holds in its span."""
    if booking.start > now:
        expire_stale_holds(
            practitioner=booking.practitioner,
            start=booking.blocked_start,
            end=booking.blocked_end,
            now=now,
        )
    return lapsed_hold_reason(booking=booking, now=now)


def release_hold(*, booking: Booking, now: datetime | None = None) -> PaymentOutcome:
    """The client came back from Checkout without paying: free the time, close Checkout.

    Stripe is asked first to expire the session, so it cannot be paid afterwards. If it
    turns out paid already (another tab), the booking is confirmed instead. If Stripe
    cannot be reached the hold is released anyway; a payment that still arrives is then a
    late one (confirmed if the time is free, refunded otherwise).
    """
    now = now or timezone.now()
    payment = Payment.objects.filter(booking_id=booking.pk).first()
    paid, payment_state = close_checkout(payment, now=now)
    if paid is not None:
        return paid
    booking = release(booking, reason="checkout_cancelled", payment_state=payment_state, now=now)
    return PaymentOutcome(Result.NOT_PAID, payment, booking)


def close_checkout(
    payment: Payment | None, *, now: datetime
) -> tuple[PaymentOutcome | None, str | None]:
    """Ask Stripe to expire the payment's Checkout before its hold is let go, so that it
    cannot be paid afterwards: (the confirmation, when it turns out paid already in
    another tab; the payment's state to record, EXPIRED when Stripe closed it). Stripe out
    of reach: (None, None), and a payment that still arrives is a late one."""
    if payment is None or not payment.checkout_session_id:
        return None, None
    try:
        session = gateway.expire_checkout_session(payment.checkout_session_id)
    except gateway.GatewayError as error:
        logger.warning("Could not expire checkout of payment %s (%s).", payment.pk, error.code)
        return None, None
    if field(session, "status") == "complete" and field(session, "payment_status") == "paid":
        paid = confirm_payment(
            checkout_session_id=payment.checkout_session_id, session=session, now=now
        )
        return paid, None
    return None, Payment.State.EXPIRED if field(session, "status") == "expired" else None


def release(
    booking: Booking, *, reason: str, payment_state: str | None, now: datetime, event=None
) -> Booking:
    with event_transaction(event):
        lock_practitioner(booking.practitioner_id)
        claim(event)
        booking = release_locked(booking.pk, reason=reason, payment_state=payment_state, now=now)
        record(event, WebhookEvent.Status.PROCESSED, reason, now)
    return booking


def release_locked(booking_id: int, *, reason: str, payment_state: str | None, now) -> Booking:
    """Inside the lock: a held booking becomes expired; an uncaptured payment takes
    ``payment_state`` (a captured one is never touched: that money has its own path)."""
    booking = Booking.objects.select_related("offering", "practitioner").get(pk=booking_id)
    if booking.status == Booking.Status.HELD:
        booking.status = Booking.Status.EXPIRED
        booking.save(update_fields=["status", "updated_at"])
        log_event(booking, BookingEvent.Kind.EXPIRED, actor="system", at=now, reason=reason)
    if payment_state is not None:
        Payment.objects.filter(booking_id=booking_id).exclude(state__in=Payment.CAPTURED).update(
            state=payment_state, updated_at=now
        )
    return booking


def payment_for_session(session_id: str, session=None) -> Payment | None:
    """Our payment for a Checkout Session: by its id, or (should the id not have been
    saved, a crash between Stripe's answer and our write) by the metadata we gave it."""
    payment = (
        Payment.objects.select_related("booking").filter(checkout_session_id=session_id).first()
    )
    if payment is None and session is not None:
        reference = field(field(session, "metadata"), "payment")
        if reference:
            payment = (
                Payment.objects.select_related("booking")
                .filter(public_id=reference, checkout_session_id=None)
                .first()
            )
    return payment
