"""Reads about money: where a booking and its payment disagree (should be nowhere)."""

from decimal import Decimal

from django.db.models import Q, Sum

from booking.models import Booking
from booking.payments import policy
from booking.payments.models import Payment, Refund, RefundTier
from booking.refusals import Unbookable
from practice.models import Offering


def disagreements() -> list[tuple[int, str]]:
    """Bookings whose state contradicts their payment's, as ``(booking id, why)``.

    The invariant ("no lost payment, no unpaid time"): a confirmed, completed or no-show
    paid booking has its money taken; money taken for a booking that did not get its time
    (held past its expiry, expired) is refunded in full, or is being refunded; a pending
    or failed payment never stands behind a confirmed booking. A cancelled booking's
    refund follows the policy, so any amount is consistent there.
    """
    found: list[tuple[int, str]] = []
    given_time = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)
    unpaid = Payment.objects.filter(booking__status__in=given_time).exclude(
        state__in=Payment.CAPTURED
    )
    found += [(booking_id, "time given, not paid") for booking_id in _ids(unpaid)]
    no_time = Payment.objects.filter(state__in=Payment.CAPTURED).filter(
        Q(booking__status=Booking.Status.EXPIRED) | Q(booking__status=Booking.Status.HELD)
    )
    promised = dict(
        Refund.objects.filter(payment__in=no_time)
        .exclude(state=Refund.State.FAILED)
        .values_list("payment_id")
        .annotate(total=Sum("amount"))
    )
    for payment_id, booking_id, amount in no_time.values_list("pk", "booking_id", "amount"):
        if promised.get(payment_id, Decimal("0")) < amount:
            found.append((booking_id, "paid, no time, not refunded in full"))
    return found


def _ids(payments) -> list[int]:
    return list(payments.values_list("booking_id", flat=True))


def refund_policy(offering: Offering) -> list[tuple[int, int]]:
    """The offering's tiers as ``(min_hours_before_start, refund_percent)``, most notice
    first; empty means a full refund whenever the client cancels."""
    return list(
        RefundTier.objects.filter(offering=offering)
        .order_by("-min_hours_before_start")
        .values_list("min_hours_before_start", "refund_percent")
    )


def policy_lines(offering: Offering) -> list[str]:
    """The policy in words, for the page before paying and the manage page (see
    ``policy.terms_in_words``)."""
    return policy.terms_in_words(refund_policy(offering))


def late_payment_refusal(payment: Payment) -> Unbookable | None:
    """Why ``payment``, which arrived after its hold ended, was refunded: the reason decided
    when it arrived and written on its refund (None if none was written)."""
    refund = (
        payment.refunds.filter(decided_by=Refund.DecidedBy.LATE_PAYMENT)
        .order_by("created_at", "pk")
        .first()
    )
    return refund_refusal(refund) if refund is not None else None


def refund_refusal(refund: Refund) -> Unbookable | None:
    """The Unbookable reason a late payment's refund records (None: none, or not late)."""
    if refund.decided_by != Refund.DecidedBy.LATE_PAYMENT:
        return None
    try:
        return Unbookable(refund.reason)
    except ValueError:
        return None
