"""Money the practitioner took outside the system: a bank transfer, cash.

The booking is confirmed at once and a Payment row records the amount, the currency and
that it was paid outside, so her money page and the client's receipt tell the truth. Stripe
never hears of it: a refund of it is hers to give back the way it came, and is recorded as
done by her the moment it is decided (booking.payments.refunds.submit_refund asks here
first), never sent to Stripe, never left pending for a retry that could not succeed.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from booking.models import Booking
from booking.payments.models import Payment, Refund


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


def record_refund_done(*, refund: Refund, now: datetime | None = None) -> Refund:
    """A decided refund of money paid outside: done by her, no provider involved; the
    payment's refunded total follows."""
    from booking.payments.refunds import locked_payment, set_refunded
    from booking.services import lock_practitioner

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
