"""The practitioner cancels a booking for her client, and decides what comes back.

Her cancelling is not the client's late cancellation: a paid booking is refunded in full
unless she chooses otherwise (part of it, or nothing), and any other choice needs a reason
she types, kept in the booking's history and on the refund row, never shown to the client.
What the client is told is her optional personal line, quoted as hers in the cancellation
email (and the partner's, in a couples session).

Her cut-off does not apply to her (it is the client's limit for changing online). The
refund itself goes through the same machinery as every other: a Refund row written in the
cancellation's transaction, Stripe asked after commit with the row's idempotency key
(booking.payments.refunds).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from booking.booking_changes import mark_cancelled
from booking.models import Booking
from booking.payments import policy
from booking.payments.models import Payment, Refund
from booking.payments.refunds import (
    Cancellation,
    check_may_cancel,
    decide_refund,
    refund_data,
    refund_for,
    refundable_amount,
)
from booking.services import ChangeNotAllowed, lock_practitioner

REASON_NEEDED = "Please say why this cancellation does not refund in full."
AMOUNT_OR_PERCENT = "Please give the part to refund as an amount or a percentage."
AMOUNT_TOO_LARGE = "Only {refundable} can still be refunded."
AMOUNT_NOT_POSITIVE = "The part to refund must be more than nothing: choose “No refund” for that."
PERCENT_OUT_OF_RANGE = "The percentage must be between 1 and 99: choose “Full refund” for 100."
NOT_PAID = "This booking was not paid, so there is nothing to refund."
MAX_LINE = 500


class RefundChoice(StrEnum):
    FULL = "full"
    PART = "part"
    NONE = "none"


@dataclass(frozen=True)
class RefundPlan:
    """What she chose: a choice, and for a part, an amount or a percentage."""

    choice: RefundChoice = RefundChoice.FULL
    amount: Decimal | None = None
    percent: int | None = None
    reason: str = ""


def captured_payment(booking: Booking) -> Payment | None:
    """The booking's payment if money was taken (only then is there a refund to choose)."""
    payment = Payment.objects.filter(booking_id=booking.pk).first()
    return payment if payment is not None and payment.is_captured else None


def refund_amount_for(payment: Payment, plan: RefundPlan) -> Decimal:
    """What ``plan`` gives back of ``payment`` now; raises ChangeNotAllowed with the words
    for a plan that does not add up. The same rule for the page's preview and the refund."""
    refundable = refundable_amount(payment)
    if plan.choice == RefundChoice.FULL:
        return refundable
    if plan.choice == RefundChoice.NONE:
        return Decimal("0")
    if plan.amount is not None:
        if plan.amount <= 0:
            raise ChangeNotAllowed(AMOUNT_NOT_POSITIVE)
        if plan.amount > refundable:
            raise ChangeNotAllowed(
                AMOUNT_TOO_LARGE.format(
                    refundable=policy.format_money(refundable, payment.currency)
                )
            )
        # Rounded to the currency's smallest unit, as Stripe counts it.
        return policy.from_minor(policy.to_minor(plan.amount, payment.currency), payment.currency)
    if plan.percent is not None:
        if not 1 <= plan.percent <= 99:
            raise ChangeNotAllowed(PERCENT_OUT_OF_RANGE)
        return refund_for(payment, plan.percent)
    raise ChangeNotAllowed(AMOUNT_OR_PERCENT)


def _percent_of(payment: Payment, amount: Decimal) -> int:
    """The share of the payment ``amount`` is, rounded down (a part is never called full)."""
    return int((amount * 100 / payment.amount).to_integral_value(rounding=ROUND_DOWN))


def cancel_by_practitioner(
    *,
    booking: Booking,
    plan: RefundPlan = RefundPlan(),
    personal_line: str = "",
    actor_user=None,
    now: datetime | None = None,
) -> Cancellation:
    """Cancel ``booking`` as the practitioner, refunding as ``plan`` says (in full unless she
    chose otherwise, with a reason). One transaction: the cancellation, its Refund row and
    its history row together; Stripe and the emails after commit. Raises ChangeNotAllowed
    (not confirmed, a reason missing, a part that does not add up)."""
    now = now or timezone.now()
    reason = plan.reason.strip()[:200]
    personal_line = personal_line.strip()[:MAX_LINE]
    with transaction.atomic(durable=True):
        lock_practitioner(booking.practitioner_id)
        booking = Booking.objects.select_related("offering", "practitioner").get(pk=booking.pk)
        check_may_cancel(booking, actor="practitioner", hardship=False, now=now)
        payment = captured_payment(booking)
        if payment is None and plan.choice != RefundChoice.FULL:
            raise ChangeNotAllowed(NOT_PAID)
        if payment is not None and plan.choice != RefundChoice.FULL and not reason:
            raise ChangeNotAllowed(REASON_NEEDED)
        refund, percent = None, 0
        if payment is not None:
            amount = refund_amount_for(payment, plan)
            if plan.choice == RefundChoice.FULL:
                percent = 100
            elif plan.amount is None and plan.percent is not None:
                percent = plan.percent
            else:
                percent = _percent_of(payment, amount)
            if amount > 0:
                refund = _decide(
                    payment,
                    amount=amount,
                    percent=percent,
                    plan=plan,
                    now=now,
                    user=actor_user,
                    reason=reason,
                )
        data = {"refund_choice": str(plan.choice)} if payment is not None else {}
        if personal_line:
            data["personal_line"] = personal_line
        mark_cancelled(
            booking,
            actor="practitioner",
            actor_user=actor_user,
            now=now,
            reason=reason,
            **data,
            **refund_data(
                Payment.objects.filter(booking_id=booking.pk).first(),
                refund,
                percent,
                Refund.DecidedBy.PRACTITIONER,
            ),
        )
    return Cancellation(booking, refund, percent, Refund.DecidedBy.PRACTITIONER)


def _decide(payment, *, amount, percent, plan, now, user, reason) -> Refund | None:
    """A full or percentage refund through the shared decision; an amount she typed goes
    through it as that amount (the row, then Stripe after commit)."""
    typed = not (plan.choice == RefundChoice.FULL or plan.amount is None)
    return decide_refund(
        payment,
        percent=100 if plan.choice == RefundChoice.FULL else (percent if typed else plan.percent),
        decided_by=Refund.DecidedBy.PRACTITIONER,
        decided_by_user=user,
        reason=reason,
        now=now,
        amount=amount if typed else None,
    )
