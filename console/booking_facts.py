"""What the console's booking page says, read in one place: the booking (hers only), its
money, its intakes and its history. Reads only; every change is a service's.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.http import Http404
from django.utils import timezone

from booking.emails.compose import format_span, format_span_in_two_zones
from booking.models import Booking, BookingEvent
from booking.payments import ledger
from booking.payments.models import HardshipRequest, Payment, Refund
from booking.payments.policy import format_money
from booking.payments.refunds import refundable_amount
from console import booking_history
from intake import selectors as intake_selectors
from intake.models import Assignment, Response
from practice.models import Practitioner

STATUS_WORDS = {
    Booking.Status.HELD: "Held — waiting for payment",
    Booking.Status.CONFIRMED: "Confirmed",
    Booking.Status.COMPLETED: "Held — the session took place",
    Booking.Status.NO_SHOW: "No-show",
    Booking.Status.EXPIRED: "Lapsed — never paid or confirmed",
    Booking.Status.CANCELLED: "Cancelled",
}
PAYMENT_WORDS = {
    Payment.State.PENDING: "Waiting for payment",
    Payment.State.PAID: "Paid",
    Payment.State.FAILED: "Payment failed",
    Payment.State.EXPIRED: "Payment page closed unpaid",
    Payment.State.REFUNDED: "Refunded in full",
    Payment.State.PARTIALLY_REFUNDED: "Partly refunded",
}
REFUND_WORDS = {
    Refund.State.PENDING: "on its way (Stripe is being asked)",
    Refund.State.SUCCEEDED: "sent",
    Refund.State.FAILED: "refused by Stripe",
}
HARDSHIP_WORDS = {
    HardshipRequest.State.REQUESTED: "Asked for, waiting for your answer",
    HardshipRequest.State.APPROVED: "Approved by you",
    HardshipRequest.State.DECLINED: "Declined by you",
}


def booking_of(practitioner: Practitioner, public_id: UUID) -> Booking:
    """Her booking with that id, or a 404 (another practitioner's looks like no booking)."""
    booking = (
        Booking.objects.select_related("offering", "practitioner")
        .filter(public_id=public_id, practitioner=practitioner)
        .first()
    )
    if booking is None:
        raise Http404
    return booking


def status_words(booking: Booking, now: datetime) -> str:
    if booking.status == Booking.Status.HELD:
        if booking.hold_expires_at <= now:
            return STATUS_WORDS[Booking.Status.EXPIRED]
        if booking.offering.is_free:
            return "Held — waiting for them to confirm it from the email"
    if (
        booking.status == Booking.Status.EXPIRED
        and booking.events.filter(kind=BookingEvent.Kind.EXPIRED, actor="practitioner").exists()
    ):
        return "Released by you — never paid"
    return STATUS_WORDS[booking.status]


def when(booking: Booking) -> dict:
    """The meeting in her zone, and in the client's when it differs."""
    own, client = booking.practitioner.timezone, booking.client_timezone
    return {
        "own": format_span(booking.start, booking.end, own),
        "client": format_span(booking.start, booking.end, client) if client != own else "",
    }


def when_in_both(booking: Booking, start: datetime) -> str:
    end = start + (booking.end - booking.start)
    return format_span_in_two_zones(
        start, end, booking.practitioner.timezone, booking.client_timezone
    )


@dataclass(frozen=True)
class Money:
    price: str
    payment: Payment | None
    payment_words: str
    paid: str
    outside: bool  # paid outside the system: any refund is hers to give back
    refunds: list[dict]
    hardship: str


def money(booking: Booking) -> Money:
    offering = booking.offering
    payment = Payment.objects.filter(booking_id=booking.pk).first()
    refunds = list(payment.refunds.order_by("created_at")) if payment else []
    hardship = HardshipRequest.objects.filter(booking_id=booking.pk).first()
    outside = payment is not None and payment.method == Payment.Method.OUTSIDE
    return Money(
        price="Free" if offering.is_free else format_money(offering.price, offering.currency),
        payment=payment,
        payment_words=_payment_words(payment, outside) if payment else "",
        paid=format_money(payment.amount, payment.currency) if payment else "",
        outside=outside,
        refunds=[
            {
                "amount": format_money(refund.amount, payment.currency),
                "state": REFUND_WORDS[refund.state],
                "to_give_back": outside,
                "decided": ledger.refund_reason(refund),
                "reason": refund.reason,
                "refused": refund.state == Refund.State.FAILED,
            }
            for refund in refunds
        ],
        hardship=HARDSHIP_WORDS[hardship.state] if hardship else "",
    )


def _payment_words(payment: Payment, outside: bool) -> str:
    """Outside the system she took the money herself: its refunds, below, are hers too."""
    if outside:
        return "Paid outside"
    return PAYMENT_WORDS.get(payment.state, "")


def _intake_state(assignment: Assignment, response: Response | None) -> str:
    first = assignment.name.split()[0] if assignment.name else "Their"
    if response is None:
        if assignment.invited_at is None:
            return f"{first}'s questions are not sent yet"
        return f"{first} has the questions, not started"
    if response.erased_at is not None:
        return f"{first} erased their answers"
    if response.submitted_at is None:
        return f"{first} has started, not sent yet"
    return f"{first} sent their answers"


def intakes(booking: Booking) -> list[dict]:
    """Each attendee's intake in words, without decrypting anything (the mark in clear
    says whether it needs her attention)."""
    return [
        {
            "name": assignment.name,
            "role": assignment.get_role_display(),
            "state": _intake_state(assignment, response),
            "attention": response is not None
            and response.needs_attention
            and response.submitted_at is not None,
        }
        for assignment, response in intake_selectors.responses_for_review(booking)
    ]


def history(booking: Booking) -> list[booking_history.Line]:
    payment = Payment.objects.filter(booking_id=booking.pk).first()
    refunds = list(payment.refunds.select_related("payment")) if payment else []
    events = list(booking.events.order_by("at", "pk"))
    hardship = HardshipRequest.objects.filter(booking_id=booking.pk).first()
    return booking_history.history(
        booking, events=events, payment=payment, refunds=refunds, hardship=hardship
    )


def open_hardship(booking: Booking) -> HardshipRequest | None:
    """The client's hardship request still waiting for her answer, or None."""
    return HardshipRequest.objects.filter(
        booking_id=booking.pk, state=HardshipRequest.State.REQUESTED
    ).first()


def refundable(payment: Payment) -> str:
    """What can still be given back, in words: ``120.00 EUR``."""
    return format_money(refundable_amount(payment), payment.currency)


def has_started(booking: Booking, now: datetime | None = None) -> bool:
    return booking.start <= (now or timezone.now())
