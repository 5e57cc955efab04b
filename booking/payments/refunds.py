"""Refunds: deciding one (in the transaction of the change that gives it), asking Stripe
for it after commit, retrying it, and the client's cancellation of a paid booking.

A refund is a Refund row written with its decision under the practitioner's row lock;
Stripe is asked after commit with an idempotency key from that row, so asking twice
refunds once. Nothing here logs an email address, a name or an amount.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from booking import effects
from booking.booking_changes import TOO_LATE_TO_CHANGE, WRONG_STATE, mark_cancelled
from booking.models import Booking
from booking.payments import gateway, paid_outside, policy
from booking.payments.models import HardshipRequest, Payment, Refund, RefundTier
from booking.services import ChangeNotAllowed, lock_practitioner

logger = logging.getLogger(__name__)

ONLY_PRACTITIONER_WAIVES = "Only the practitioner can waive the cancellation policy."
SUBMIT = "payments.refund"


@dataclass(frozen=True)
class Cancellation:
    booking: Booking
    refund: Refund | None
    percent: int
    decided_by: str


def locked_payment(payment_id: int) -> Payment:
    return (
        Payment.objects.select_for_update(of=("self",))
        .select_related("booking__offering", "booking__practitioner")
        .get(pk=payment_id)
    )


def cancellation_terms(booking: Booking, *, now: datetime | None = None) -> tuple[int, str]:
    """The refund (percent, who decided) that cancelling ``booking`` by the client at
    ``now`` would give: for the manage page, before the client decides."""
    now = now or timezone.now()
    if hardship_approved(booking):
        return 100, Refund.DecidedBy.HARDSHIP
    return _policy_percent(booking, now=now), Refund.DecidedBy.POLICY


def _policy_percent(booking: Booking, *, now: datetime) -> int:
    tiers = RefundTier.objects.filter(offering_id=booking.offering_id).values_list(
        "min_hours_before_start", "refund_percent"
    )
    return policy.refund_percent(tiers, booking.start - now)


def hardship_approved(booking: Booking) -> bool:
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
        lock_practitioner(booking.practitioner_id)
        booking = Booking.objects.select_related("offering", "practitioner").get(pk=booking.pk)
        hardship = hardship_approved(booking)
        check_may_cancel(booking, actor=actor, hardship=hardship, now=now)
        if waive_policy:
            percent, decided_by = 100, Refund.DecidedBy.PRACTITIONER
        elif hardship:
            percent, decided_by = 100, Refund.DecidedBy.HARDSHIP
        else:
            percent, decided_by = _policy_percent(booking, now=now), Refund.DecidedBy.POLICY
        payment = Payment.objects.filter(booking_id=booking.pk).first()
        refund = None
        if payment is not None and payment.is_captured and percent > 0:
            refund = decide_refund(
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
            **refund_data(payment, refund, percent, decided_by),
        )
    return Cancellation(booking, refund, percent if payment is not None else 0, decided_by)


def client_can_cancel(booking: Booking, now: datetime | None = None) -> bool:
    """Whether the client may cancel online now: until the cut-off, or with an approved
    hardship request until the start (booking.booking_changes.client_can_change knows only the
    cut-off)."""
    try:
        check_may_cancel(
            booking,
            actor="client",
            hardship=hardship_approved(booking),
            now=now or timezone.now(),
        )
    except ChangeNotAllowed:
        return False
    return True


def check_may_cancel(booking: Booking, *, actor: str, hardship: bool, now: datetime) -> None:
    if booking.status != Booking.Status.CONFIRMED:
        raise ChangeNotAllowed(WRONG_STATE.format(status=booking.get_status_display().lower()))
    if actor != "client":
        return
    until = booking.start if hardship else booking.start - booking.practitioner.manage_cutoff
    if now > until:
        raise ChangeNotAllowed(TOO_LATE_TO_CHANGE)


def refund_data(payment: Payment | None, refund: Refund | None, percent, decided_by) -> dict:
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


def decide_refund(
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
    effects.schedule(
        SUBMIT,
        f"{SUBMIT}:{refund.pk}",
        booking=payment.booking,
        args={"refund_id": refund.pk},
    )
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
        return record_refund_done(refund=refund, now=now)
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
        lock_practitioner(refund.payment.booking.practitioner_id)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.state == Refund.State.PENDING:
            refund.state = Refund.State.SUCCEEDED
            refund.provider_refund_id = stripe_refund.id
            refund.succeeded_at = now
            refund.attempts += 1
            refund.error_code = ""
            refund.save()
            payment = locked_payment(refund.payment_id)
            done = payment.refunds.filter(state=Refund.State.SUCCEEDED).aggregate(
                total=Sum("amount")
            )["total"]
            set_refunded(payment, done or Decimal("0"), now=now)
    return refund


def set_refunded(payment: Payment, refunded: Decimal, *, now: datetime) -> None:
    """Both our refunds and Stripe's events report a running total: keep the larger."""
    total = min(max(payment.amount_refunded, refunded), payment.amount)
    if total <= 0:
        return
    state = Payment.State.REFUNDED if total >= payment.amount else Payment.State.PARTIALLY_REFUNDED
    if (total, state) == (payment.amount_refunded, payment.state):
        return
    payment.amount_refunded, payment.state = total, state
    payment.save(update_fields=["amount_refunded", "state", "updated_at"])


def record_refund_done(*, refund: Refund, now: datetime | None = None) -> Refund:
    """A decided refund of money paid outside: done by her, no provider involved; the
    payment's refunded total follows."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        lock_practitioner(refund.payment.booking.practitioner_id)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.state != Refund.State.PENDING:
            return refund
        refund.state = Refund.State.SUCCEEDED
        refund.succeeded_at = now
        refund.save(update_fields=["state", "succeeded_at"])
        payment = locked_payment(refund.payment_id)
        done = sum(r.amount for r in payment.refunds.filter(state=Refund.State.SUCCEEDED))
        set_refunded(payment, done, now=now)
    return refund


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


def cancel_if_paid(
    *, booking: Booking, actor: str, reason: str, actor_user, now
) -> Booking | None:
    """booking.booking_changes.cancel for a paid booking (through booking.payment_hooks): by
    the policy when the client cancels, in full when the practice does; None without payment."""
    if not Payment.objects.filter(booking_id=booking.pk).exists():
        return None
    return cancel_paid_booking(
        booking=booking,
        actor=actor,
        waive_policy=actor != "client",
        reason=reason,
        actor_user=actor_user,
        now=now,
    ).booking


def register() -> None:
    """A decided refund is asked of Stripe by an effect after commit; what Stripe did not
    answer stays pending for ``retry_pending_refunds``. Called from PaymentsConfig.ready()."""
    effects.register(SUBMIT, run=lambda effect: submit_refund(refund_id=effect.args["refund_id"]))
