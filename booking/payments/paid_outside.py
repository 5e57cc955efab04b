"""Money the practitioner took outside the system: a bank transfer, cash.

The booking is confirmed at once and a Payment row records the amount, the currency and
that it was paid outside, so her money page and the client's receipt tell the truth. Stripe
never hears of it: a refund of it is hers to give back the way it came, and is recorded as
done by her the moment it is decided (booking.payments.refunds.record_refund_done), never
sent to Stripe, never left pending for a retry that could not succeed.
"""

from datetime import datetime

from booking.models import Booking
from booking.payments.models import Payment


def record_payment(booking: Booking, *, now: datetime) -> Payment:
    """Inside the booking's transaction: the offering's price, paid outside, at ``now``."""
    offering = booking.offering
    return Payment.objects.create(
        booking=booking,
        amount=offering.price,
        currency=offering.currency.upper(),
        method=Payment.Method.OUTSIDE,
        state=Payment.State.PAID,
        paid_at=now,
        created_at=now,
    )


def is_outside(payment: Payment) -> bool:
    return payment.method == Payment.Method.OUTSIDE
