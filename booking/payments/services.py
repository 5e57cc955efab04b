"""Writes for paid bookings: hold, pay, confirm, release, cancel with refund, hardship, and
the Stripe webhook.

The rule behind every function: money and time never disagree. A completed Checkout ends in
a confirmed booking or a full refund, whatever order, delay or repetition Stripe's events
arrive in, because

- every decision is taken under the practitioner's row lock (the lock booking.services
  takes), so a webhook, the success page, the hold expiry and another client's booking
  are serialised, and each re-reads the rows before it acts;
- confirmation is one idempotent function (confirm_payment) that the success page and the
  webhook share: it acts only when Stripe says ``paid`` and only once;
- a payment that arrives after its hold confirms the booking if the time is still free,
  and otherwise is refunded in full;
- Stripe is called outside those transactions: before (creating or expiring a Checkout
  Session) or after commit (refunds, from a Refund row written with the decision, with an
  idempotency key from that row).

Nothing here logs an email address, a name or an amount: log lines name rows by id.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from booking import selectors
from booking.forms import partner_email_error
from booking.models import Booking, BookingEvent
from booking.payments import gateway, paid_outside, payment_links, policy, webhook_events
from booking.payments.models import HardshipRequest, Payment, Refund, RefundTier, WebhookEvent
from booking.refusals import Unbookable, lapsed_hold_reason
from booking.services import (
    NOT_ACTIVE,
    TOO_LATE_TO_CHANGE,
    WRONG_STATE,
    BookingError,
    ChangeNotAllowed,
    SlotUnavailable,
    _lock_practitioner,
    _log,
    _notify_on_commit,
    _save_span,
    check_bookable,
    check_unconfirmed_ceiling,
    create_booking,
    expire_stale_holds,
    mark_cancelled,
)
from booking.slots import blocked_span
from practice.models import Offering

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
NOT_HELD = "This booking is {status}, not waiting for payment."
ONLY_PRACTITIONER_WAIVES = "Only the practitioner can waive the cancellation policy."
HARDSHIP_EXISTS = "A hardship exception has already been asked for this booking."
HARDSHIP_NOT_PAID = "A hardship exception is for paid bookings."
HARDSHIP_TOO_LATE = "This booking can no longer be refunded."
HARDSHIP_DECIDED = "This request has already been {state}."
PARTNER_REQUIRED = "A couples session needs your partner's name and email address."
HOLD_ENDED = (
    "The time held for you has been let go, so nothing is booked. Please pick a time again."
)


class PaymentUnavailable(BookingError):
    """Stripe could not be reached or refused; the hold was released."""


class Result(StrEnum):
    """What confirm_payment (and so the success page and the webhook) found and did."""

    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    NOT_PAID = "not_paid"  # Checkout not paid (yet): a delayed method, or abandoned
    REFUNDED = "refunded"  # paid after the hold, the time not kept: refunded in full
    ALREADY_REFUNDED = "already_refunded"
    DUPLICATE = "duplicate"  # a webhook event already handled
    UNKNOWN = "unknown"  # not a session of ours


class HeldCheckout(NamedTuple):
    booking: Booking
    payment: Payment
    checkout_url: str


@dataclass(frozen=True)
class PaymentOutcome:
    result: Result
    payment: Payment | None = None
    booking: Booking | None = None


@dataclass(frozen=True)
class Cancellation:
    booking: Booking
    refund: Refund | None
    percent: int
    decided_by: str


class _Duplicate(Exception):
    """The event was recorded by another delivery meanwhile: roll back, change nothing."""


# --- hold and pay ------------------------------------------------------------------------


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
    client's (BookingError otherwise); other offerings keep no partner. The partner is
    stored on the booking only: Stripe sees the client alone.
    """
    now = now or timezone.now()
    if not offering.is_active:
        raise BookingError(NOT_ACTIVE)
    if offering.is_free:
        raise BookingError(NOT_PAID_OFFERING)
    partner_name, partner_email = _partner(offering, partner_name, partner_email, client_email)
    try:
        gateway.client()
    except gateway.PaymentsNotConfigured as error:
        raise PaymentUnavailable(PAYMENTS_OFF) from error
    span = blocked_span(start, selectors.slot_policy(offering))
    email = client_email.strip().lower()
    with transaction.atomic(durable=True):
        practitioner = _lock_practitioner(offering.practitioner_id)
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
            )
    return _open_checkout(booking, payment, now=now)


def resume_checkout(*, booking: Booking, now: datetime | None = None) -> HeldCheckout:
    """The Checkout Session of a running hold, again (Back from Checkout, then "Continue to
    payment"): the same session, so nothing is paid twice; a hold that ended refuses."""
    now = now or timezone.now()
    if booking.status != Booking.Status.HELD or booking.hold_expires_at <= now:
        raise BookingError(HOLD_ENDED)
    return _open_checkout(booking, booking.payment, now=now)


def _partner(offering: Offering, name: str, email: str, client_email: str) -> tuple[str, str]:
    """The partner to store: checked for a couples session, dropped for anything else."""
    if offering.kind != Offering.Kind.COUPLES_SESSION:
        return "", ""
    name, email = name.strip(), email.strip().lower()
    if not name or not email:
        raise BookingError(PARTNER_REQUIRED)
    if error := partner_email_error(email, client_email):
        raise BookingError(error)
    return name, email


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
    )
    payment = Payment.objects.create(
        booking=booking, amount=offering.price, currency=offering.currency.upper(), created_at=now
    )
    _log(
        booking,
        BookingEvent.Kind.CREATED,
        actor="client",
        actor_user=client_user,
        at=now,
        start=start.isoformat(),
        hold_expires_at=booking.hold_expires_at.isoformat(),
    )
    _schedule_hold_expiry_on_commit(booking)
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
        _release(booking, reason="checkout_failed", payment_state=Payment.State.FAILED, now=now)
        raise PaymentUnavailable(PAYMENT_UNAVAILABLE) from error
    with transaction.atomic(durable=True):
        Payment.objects.filter(pk=payment.pk, checkout_session_id=None).update(
            checkout_session_id=session.id
        )
    payment.checkout_session_id = session.id
    return HeldCheckout(booking, payment, session.url)


def _schedule_hold_expiry_on_commit(booking: Booking) -> None:
    from booking import tasks

    booking_id, at = booking.pk, booking.hold_expires_at
    transaction.on_commit(lambda: tasks.schedule_hold_expiry(booking_id=booking_id, at=at))


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
    payment = _payment_for_session(checkout_session_id, session)
    if payment is None:
        _record_alone(event, WebhookEvent.Status.IGNORED, "unknown session", now)
        return PaymentOutcome(Result.UNKNOWN)
    if session is None:
        session = gateway.retrieve_checkout_session(checkout_session_id)
    paid = _field(session, "status") == "complete" and _field(session, "payment_status") == "paid"
    intent_id = _field(session, "payment_intent") or ""
    try:
        with _event_transaction(event):
            _lock_practitioner(payment.booking.practitioner_id)
            _claim(event)
            payment = _locked_payment(payment.pk)
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
            _record(event, WebhookEvent.Status.PROCESSED, result, now)
    except _Duplicate:
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
                _save_span(booking)  # the database constraint has the last word
            except SlotUnavailable:
                booking.status = previous
                refused = Unbookable.TAKEN  # only another booking trips the constraint
            else:
                confirmed = True
    if confirmed:
        _log(booking, BookingEvent.Kind.CONFIRMED, actor="system", at=now, late=late)
        _notify_on_commit(booking, "confirmed")
        return Result.CONFIRMED, booking
    booking = _release_locked(booking.pk, reason="paid_too_late", payment_state=None, now=now)
    refund = _decide_refund(
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
        _send_payment_email_on_commit("late_payment_refunded", refund.pk)
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
    booking = _release(booking, reason="checkout_cancelled", payment_state=payment_state, now=now)
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
    if _field(session, "status") == "complete" and _field(session, "payment_status") == "paid":
        paid = confirm_payment(
            checkout_session_id=payment.checkout_session_id, session=session, now=now
        )
        return paid, None
    return None, Payment.State.EXPIRED if _field(session, "status") == "expired" else None


def _release(
    booking: Booking, *, reason: str, payment_state: str | None, now: datetime, event=None
) -> Booking:
    with _event_transaction(event):
        _lock_practitioner(booking.practitioner_id)
        _claim(event)
        booking = _release_locked(booking.pk, reason=reason, payment_state=payment_state, now=now)
        _record(event, WebhookEvent.Status.PROCESSED, reason, now)
    return booking


def _release_locked(booking_id: int, *, reason: str, payment_state: str | None, now) -> Booking:
    """Inside the lock: a held booking becomes expired; an uncaptured payment takes
    ``payment_state`` (a captured one is never touched: that money has its own path)."""
    booking = Booking.objects.select_related("offering", "practitioner").get(pk=booking_id)
    if booking.status == Booking.Status.HELD:
        booking.status = Booking.Status.EXPIRED
        booking.save(update_fields=["status", "updated_at"])
        _log(booking, BookingEvent.Kind.EXPIRED, actor="system", at=now, reason=reason)
    if payment_state is not None:
        Payment.objects.filter(booking_id=booking_id).exclude(state__in=Payment.CAPTURED).update(
            state=payment_state, updated_at=now
        )
    return booking


# --- webhooks ----------------------------------------------------------------------------


def handle_webhook(*, payload: bytes, signature: str | None, now: datetime | None = None) -> str:
    """Verify, record and act on one delivery from Stripe; returns the outcome's name.

    Raises gateway.InvalidSignature (answer 400: nothing was read or changed), or
    webhook_events.MalformedEvent for a signed body it cannot read (answer 400; the
    rejection is recorded, without the body). A repeated
    event id changes nothing. Any other error rolls back the event's record with its
    effects, so Stripe's retry handles it afresh.
    """
    try:
        event = gateway.verify_webhook(payload, signature)
    except webhook_events.MalformedEvent as error:
        webhook_events.record_rejection(error, now=now or timezone.now())
        raise
    return process_event(event, now=now)


def process_event(event, *, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if WebhookEvent.objects.filter(stripe_event_id=event.id).exists():
        return "duplicate"
    obj = event.data.object
    kind = event.type
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        outcome = confirm_payment(checkout_session_id=obj.id, session=obj, event=event, now=now)
        return str(outcome.result)
    if kind in ("checkout.session.async_payment_failed", "checkout.session.expired"):
        return _session_ended(event, obj, now=now)
    if kind == "charge.refunded":
        return _charge_refunded(event, obj, now=now)
    _record_alone(event, WebhookEvent.Status.IGNORED, "not handled", now)
    return "ignored"


def _session_ended(event, session, *, now: datetime) -> str:
    """Checkout expired, or its delayed payment failed: release the hold if nothing was
    paid. A captured payment is never undone by a late or reordered event."""
    payment = _payment_for_session(session.id, session)
    if payment is None or payment_links.outlived_by_hold(payment, now=now):
        outcome = "unknown session" if payment is None else "payment link still held"
        _record_alone(event, WebhookEvent.Status.IGNORED, outcome, now)
        return "ignored"
    failed = event.type == "checkout.session.async_payment_failed"
    reason = "payment_failed" if failed else "checkout_expired"
    state = Payment.State.FAILED if failed else Payment.State.EXPIRED
    try:
        _release(payment.booking, reason=reason, payment_state=state, now=now, event=event)
    except _Duplicate:
        return "duplicate"
    return reason


def _charge_refunded(event, charge, *, now: datetime) -> str:
    """Stripe's word on how much of a charge is refunded, ours or from its dashboard."""
    intent_id = _field(charge, "payment_intent") or ""
    payment = Payment.objects.filter(payment_intent_id=intent_id).first() if intent_id else None
    if payment is None:
        _record_alone(event, WebhookEvent.Status.IGNORED, "unknown charge", now)
        return "ignored"
    refunded = policy.from_minor(int(_field(charge, "amount_refunded") or 0), payment.currency)
    try:
        with _event_transaction(event):
            _lock_practitioner(payment.booking.practitioner_id)
            _claim(event)
            _set_refunded(_locked_payment(payment.pk), refunded, now=now)
            _record(event, WebhookEvent.Status.PROCESSED, "refund recorded", now)
    except _Duplicate:
        return "duplicate"
    return "refund recorded"


@contextmanager
def _event_transaction(event):
    """One durable transaction that also records ``event``: if another delivery of it was
    recorded meanwhile (the unique id refuses ours), everything rolls back as _Duplicate."""
    try:
        with transaction.atomic(durable=True):
            yield
    except IntegrityError:
        if event is not None and WebhookEvent.objects.filter(stripe_event_id=event.id).exists():
            raise _Duplicate from None
        raise


def _claim(event) -> None:
    """Inside the lock: stop if another delivery of ``event`` has been recorded."""
    if event is not None and WebhookEvent.objects.filter(stripe_event_id=event.id).exists():
        raise _Duplicate


def _record(event, status: str, outcome: str, now: datetime) -> None:
    if event is None:
        return
    WebhookEvent.objects.create(
        stripe_event_id=event.id,
        type=event.type,
        object_id=_field(event.data.object, "id") or "",
        status=status,
        outcome=str(outcome)[:60],
        received_at=now,
        processed_at=timezone.now(),
    )


def _record_alone(event, status: str, outcome: str, now: datetime) -> None:
    if event is None:
        return
    try:
        with _event_transaction(event):
            _record(event, status, outcome, now)
    except _Duplicate:
        pass


def _payment_for_session(session_id: str, session=None) -> Payment | None:
    """Our payment for a Checkout Session: by its id, or (should the id not have been
    saved, a crash between Stripe's answer and our write) by the metadata we gave it."""
    payment = (
        Payment.objects.select_related("booking").filter(checkout_session_id=session_id).first()
    )
    if payment is None and session is not None:
        reference = _field(_field(session, "metadata"), "payment")
        if reference:
            payment = (
                Payment.objects.select_related("booking")
                .filter(public_id=reference, checkout_session_id=None)
                .first()
            )
    return payment


def _field(obj, name: str):
    """``obj[name]`` of a Stripe object (or a dict), None when absent."""
    try:
        return obj[name]
    except (KeyError, TypeError):
        return None


def _locked_payment(payment_id: int) -> Payment:
    return (
        Payment.objects.select_for_update(of=("self",))
        .select_related("booking__offering", "booking__practitioner")
        .get(pk=payment_id)
    )


# --- refunds -----------------------------------------------------------------------------


def cancellation_terms(booking: Booking, *, now: datetime | None = None) -> tuple[int, str]:
    """The refund (percent, who decided) that cancelling ``booking`` by the client at
    ``now`` would give: for the manage page, before the client decides."""
    now = now or timezone.now()
    if _hardship_approved(booking):
        return 100, Refund.DecidedBy.HARDSHIP
    return _policy_percent(booking, now=now), Refund.DecidedBy.POLICY


def _policy_percent(booking: Booking, *, now: datetime) -> int:
    tiers = RefundTier.objects.filter(offering_id=booking.offering_id).values_list(
        "min_hours_before_start", "refund_percent"
    )
    return policy.refund_percent(tiers, booking.start - now)


def _hardship_approved(booking: Booking) -> bool:
    return HardshipRequest.objects.filter(
        booking_id=booking.pk, state=HardshipRequest.State.APPROVED
    ).exists()


def cancel_paid_booking(
    *,
    booking: Booking,
    actor: str = "client",
    waive_policy: bool = False,
    reason: str = "",
    actor_user=None,
    now: datetime | None = None,
) -> Cancellation:
    """Cancel a confirmed booking and refund per the offering's policy.

    The refund is the policy's percentage for the notice at ``now`` (a tier's hours
    included: exactly 48 h before reaches the 48 h tier), in full when the practitioner
    waives the policy (``waive_policy``, not for clients) or approved a hardship request.
    A client may cancel until the practice's cut-off, or until the start with an approved
    hardship request. The Refund row is written with the cancellation; Stripe is asked
    after commit. Both sides are emailed. A booking without payment is just cancelled.
    Raises ChangeNotAllowed (wrong state, too late, a client waiving the policy).
    """
    now = now or timezone.now()
    if waive_policy and actor == "client":
        raise ChangeNotAllowed(ONLY_PRACTITIONER_WAIVES)
    with transaction.atomic(durable=True):
        _lock_practitioner(booking.practitioner_id)
        booking = Booking.objects.select_related("offering", "practitioner").get(pk=booking.pk)
        hardship = _hardship_approved(booking)
        _check_may_cancel(booking, actor=actor, hardship=hardship, now=now)
        if waive_policy:
            percent, decided_by = 100, Refund.DecidedBy.PRACTITIONER
        elif hardship:
            percent, decided_by = 100, Refund.DecidedBy.HARDSHIP
        else:
            percent, decided_by = _policy_percent(booking, now=now), Refund.DecidedBy.POLICY
        payment = Payment.objects.filter(booking_id=booking.pk).first()
        refund = None
        if payment is not None and payment.is_captured and percent > 0:
            refund = _decide_refund(
                payment,
                percent=percent,
                decided_by=decided_by,
                decided_by_user=actor_user if actor != "client" else None,
                reason=reason,
                now=now,
            )
        mark_cancelled(
            booking,
            actor=actor,
            actor_user=actor_user,
            now=now,
            reason=reason,
            **_refund_data(payment, refund, percent, decided_by),
        )
    return Cancellation(booking, refund, percent if payment is not None else 0, decided_by)


def client_can_cancel(booking: Booking, now: datetime | None = None) -> bool:
    """Whether the client may cancel online now: until the cut-off, or with an approved
    hardship request until the start (booking.services.client_can_change knows only the
    cut-off)."""
    try:
        _check_may_cancel(
            booking,
            actor="client",
            hardship=_hardship_approved(booking),
            now=now or timezone.now(),
        )
    except ChangeNotAllowed:
        return False
    return True


def _check_may_cancel(booking: Booking, *, actor: str, hardship: bool, now: datetime) -> None:
    if booking.status != Booking.Status.CONFIRMED:
        raise ChangeNotAllowed(WRONG_STATE.format(status=booking.get_status_display().lower()))
    if actor != "client":
        return
    until = booking.start if hardship else booking.start - booking.practitioner.manage_cutoff
    if now > until:
        raise ChangeNotAllowed(TOO_LATE_TO_CHANGE)


def _refund_data(payment: Payment | None, refund: Refund | None, percent, decided_by) -> dict:
    """What the cancellation's audit event (and so its emails) say about money."""
    if payment is None:
        return {}
    return {
        "refund_percent": percent if refund is not None else 0,
        "refund_amount": str(refund.amount) if refund is not None else "0",
        "refund_currency": payment.currency,
        "refund_decided_by": decided_by,
    }


def refundable_amount(payment: Payment) -> Decimal:
    """What can still be given back: the payment less every refund promised (failed ones
    do not count)."""
    promised = payment.refunds.exclude(state=Refund.State.FAILED).aggregate(total=Sum("amount"))
    return max(payment.amount - (promised["total"] or Decimal("0")), Decimal("0"))


def refund_for(payment: Payment, percent: int) -> Decimal:
    """What a ``percent`` refund of ``payment`` gives back now: that share of what is still
    refundable, in the currency's smallest unit. The one rule for deciding a refund and for
    showing one before it is decided."""
    return policy.refund_amount(refundable_amount(payment), percent, payment.currency)


def _decide_refund(
    payment: Payment,
    *,
    percent: int,
    decided_by: str,
    now: datetime,
    decided_by_user=None,
    reason: str = "",
    amount: Decimal | None = None,
) -> Refund | None:
    """Inside the lock: write the refund decision; Stripe is asked after commit. The
    amount is ``percent`` of what is still refundable, unless given (one she typed)."""
    if amount is None:
        amount = refund_for(payment, percent)
    if amount <= 0:
        return None
    refund = Refund.objects.create(
        payment=payment,
        amount=amount,
        percent=percent,
        decided_by=decided_by,
        decided_by_user=decided_by_user,
        reason=reason[:200],
        created_at=now,
    )
    refund_id = refund.pk

    def submit():
        from booking import tasks

        tasks.submit_refund.enqueue(refund_id=refund_id)

    transaction.on_commit(submit)
    return refund


def submit_refund(*, refund_id: int, now: datetime | None = None) -> Refund:
    """Ask Stripe for a decided refund (the task after commit; the retry command later).

    Idempotent: the key comes from the Refund row, so asking twice refunds once. A refusal
    (4xx) marks the refund failed for the practitioner to see in the admin; no answer or a
    5xx leaves it pending for the next retry.
    """
    now = now or timezone.now()
    refund = Refund.objects.select_related("payment__booking").get(pk=refund_id)
    if refund.state != Refund.State.PENDING:
        return refund
    if paid_outside.is_outside(refund.payment):  # hers to give back: never sent to Stripe
        return paid_outside.record_refund_done(refund=refund, now=now)
    try:
        stripe_refund = gateway.create_refund(
            refund.payment, refund.amount, idempotency_key=refund.idempotency_key
        )
    except gateway.GatewayError as error:
        refused = error.http_status is not None and 400 <= error.http_status < 500
        logger.warning("Refund %s not made (%s).", refund.pk, error.code)
        with transaction.atomic(durable=True):
            Refund.objects.filter(pk=refund.pk, state=Refund.State.PENDING).update(
                state=Refund.State.FAILED if refused else Refund.State.PENDING,
                error_code=error.code[:100],
                attempts=refund.attempts + 1,
            )
        refund.refresh_from_db()
        return refund
    with transaction.atomic(durable=True):
        _lock_practitioner(refund.payment.booking.practitioner_id)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.state == Refund.State.PENDING:
            refund.state = Refund.State.SUCCEEDED
            refund.provider_refund_id = stripe_refund.id
            refund.succeeded_at = now
            refund.attempts += 1
            refund.error_code = ""
            refund.save()
            payment = _locked_payment(refund.payment_id)
            done = payment.refunds.filter(state=Refund.State.SUCCEEDED).aggregate(
                total=Sum("amount")
            )["total"]
            _set_refunded(payment, done or Decimal("0"), now=now)
    return refund


def _set_refunded(payment: Payment, refunded: Decimal, *, now: datetime) -> None:
    """Both our refunds and Stripe's events report a running total: keep the larger."""
    total = min(max(payment.amount_refunded, refunded), payment.amount)
    if total <= 0:
        return
    state = Payment.State.REFUNDED if total >= payment.amount else Payment.State.PARTIALLY_REFUNDED
    if (total, state) == (payment.amount_refunded, payment.state):
        return
    payment.amount_refunded, payment.state = total, state
    payment.save(update_fields=["amount_refunded", "state", "updated_at"])


def retry_pending_refunds(*, older_than: timedelta = timedelta(minutes=5), now=None) -> int:
    """Submit refunds still pending after ``older_than`` (Stripe was unreachable)."""
    now = now or timezone.now()
    pending = Refund.objects.filter(
        state=Refund.State.PENDING, created_at__lte=now - older_than
    ).values_list("pk", flat=True)
    submitted = 0
    for refund_id in list(pending):
        if submit_refund(refund_id=refund_id, now=now).state == Refund.State.SUCCEEDED:
            submitted += 1
    return submitted


# --- hardship ----------------------------------------------------------------------------


def request_hardship(
    *, booking: Booking, actor_user=None, now: datetime | None = None
) -> HardshipRequest:
    """The client asks, once per booking, to be refunded in full whatever the notice.

    For a paid booking that is confirmed and not started, or that the client cancelled
    with less than a full refund. The practitioner is emailed to decide. Raises
    ChangeNotAllowed.
    """
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        _lock_practitioner(booking.practitioner_id)
        booking = Booking.objects.get(pk=booking.pk)
        payment = Payment.objects.filter(booking_id=booking.pk).first()
        if payment is None or not payment.is_captured:
            raise ChangeNotAllowed(HARDSHIP_NOT_PAID)
        if HardshipRequest.objects.filter(booking_id=booking.pk).exists():
            raise ChangeNotAllowed(HARDSHIP_EXISTS)
        open_for_refund = (booking.status == Booking.Status.CONFIRMED and booking.start > now) or (
            booking.status == Booking.Status.CANCELLED and refundable_amount(payment) > 0
        )
        if not open_for_refund:
            raise ChangeNotAllowed(HARDSHIP_TOO_LATE)
        request = HardshipRequest.objects.create(booking=booking, requested_at=now)
        _send_payment_email_on_commit("hardship_requested", request.pk)
    return request


def decide_hardship(
    *, request: HardshipRequest, approve: bool, actor_user=None, now: datetime | None = None
) -> HardshipRequest:
    """The practitioner approves or declines a hardship request; the client is emailed.
    The decision lives in booking.payments.hardship_decisions (with her line to them)."""
    from booking.payments import hardship_decisions

    return hardship_decisions.decide_hardship(
        request=request, approve=approve, actor_user=actor_user, now=now
    )


def _send_payment_email_on_commit(kind: str, object_id: int) -> None:
    from booking import tasks

    transaction.on_commit(lambda: tasks.send_payment_email.enqueue(kind=kind, object_id=object_id))
