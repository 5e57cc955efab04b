"""Hardship: a client asks to be refunded in full whatever the notice, and the
practitioner answers, with a line of her own if she likes.

Approving means cancelling refunds in full whatever the notice (until the start); when the
client has already cancelled, the rest of the payment is refunded now, through the same
refund machinery as every other (a Refund row in the decision's transaction, Stripe after
commit). Her optional line is kept on the request and quoted as hers in the client's email;
the request itself carries no words of the client's (see HardshipRequest).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from booking.models import Booking
from booking.payments import emails as payment_emails
from booking.payments.models import HardshipRequest, Payment, Refund
from booking.payments.refunds import decide_refund, refundable_amount
from booking.services import ChangeNotAllowed, lock_practitioner

HARDSHIP_EXISTS = "A hardship exception has already been asked for this booking."
HARDSHIP_NOT_PAID = "A hardship exception is for paid bookings."
HARDSHIP_TOO_LATE = "This booking can no longer be refunded."
HARDSHIP_DECIDED = "This request has already been {state}."
MAX_REPLY_LINE = 500


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
        lock_practitioner(booking.practitioner_id)
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
        payment_emails.schedule_payment_email(
            payment_emails.HARDSHIP_REQUESTED, request.pk, booking=booking
        )
    return request


def decide_hardship(
    *,
    request: HardshipRequest,
    approve: bool,
    reply_line: str = "",
    actor_user=None,
    now: datetime | None = None,
) -> HardshipRequest:
    """Approve or decline ``request`` once; the client is emailed after commit. Raises
    ChangeNotAllowed when it was already decided (another tab, the operator)."""
    now = now or timezone.now()
    reply_line = reply_line.strip()[:MAX_REPLY_LINE]
    with transaction.atomic(durable=True):
        lock_practitioner(request.booking.practitioner_id)
        request = HardshipRequest.objects.select_related("booking").get(pk=request.pk)
        if request.state != HardshipRequest.State.REQUESTED:
            raise ChangeNotAllowed(
                HARDSHIP_DECIDED.format(state=request.get_state_display().lower())
            )
        request.state = (
            HardshipRequest.State.APPROVED if approve else HardshipRequest.State.DECLINED
        )
        request.decided_at = now
        request.decided_by = actor_user
        request.reply_line = reply_line
        request.save()
        if approve and request.booking.status == Booking.Status.CANCELLED:
            payment = Payment.objects.get(booking_id=request.booking_id)
            if payment.is_captured:
                decide_refund(
                    payment,
                    percent=100,
                    decided_by=Refund.DecidedBy.HARDSHIP,
                    decided_by_user=actor_user,
                    now=now,
                )
        payment_emails.schedule_payment_email(
            payment_emails.HARDSHIP_DECIDED, request.pk, booking=request.booking
        )
    return request
