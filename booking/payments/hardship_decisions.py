"""The practitioner's answer to a client's hardship request, with a line of her own.

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
from booking.payments.models import HardshipRequest, Payment, Refund
from booking.payments.services import (
    HARDSHIP_DECIDED,
    _decide_refund,
    _send_payment_email_on_commit,
)
from booking.services import ChangeNotAllowed, _lock_practitioner

MAX_REPLY_LINE = 500


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
        _lock_practitioner(request.booking.practitioner_id)
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
                _decide_refund(
                    payment,
                    percent=100,
                    decided_by=Refund.DecidedBy.HARDSHIP,
                    decided_by_user=actor_user,
                    now=now,
                )
        _send_payment_email_on_commit("hardship_decided", request.pk)
    return request
