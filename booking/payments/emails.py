"""The emails about money: a late payment refunded, a hardship request and its answer, and
what a paid booking's change emails say of money (given to booking.payment_hooks).

Plain strings only reach the templates; log lines name rows by id.
"""

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from booking import effects, links, refusals, selectors
from booking.emails.changes import CANCELLED
from booking.emails.compose import (
    book_again_url,
    console_booking_url,
    contact_line,
    format_short,
    format_span,
    format_span_in_two_zones,
    simple_message,
)
from booking.models import Booking, BookingEvent
from booking.payments import selectors as payment_selectors
from booking.payments.models import HardshipRequest, Payment, Refund
from booking.payments.policy import format_money

LATE_PAYMENT_REFUNDED = "late_payment_refunded"
HARDSHIP_REQUESTED = "hardship_requested"
HARDSHIP_DECIDED = "hardship_decided"
PAYMENT_EMAILS = (LATE_PAYMENT_REFUNDED, HARDSHIP_REQUESTED, HARDSHIP_DECIDED)
EFFECT = "payments.{kind}_email"

REFUND_ARRIVES = (
    "It goes back to the card or account you paid with and usually arrives within 5 to 10 "
    "working days."
)
# Money paid outside the system (bank transfer, cash) goes back the same way, by her hand.
OUTSIDE_REFUND_HERS = "It was paid outside the system: please give it back the way it came."
OUTSIDE_REFUND_CLIENT = (
    "You paid outside the system, so {name} returns your refund of {amount} ({percent}% of "
    "what you paid) to you the same way."
)
DECIDERS = {
    Refund.DecidedBy.POLICY: "cancellation policy",
    Refund.DecidedBy.PRACTITIONER: "policy waived",
    Refund.DecidedBy.HARDSHIP: "hardship exception",
    Refund.DecidedBy.LATE_PAYMENT: "paid after the time was taken",
}


def refund_note(booking: Booking, *, for_practitioner: bool) -> str:
    """One sentence on the money of a cancelled paid booking, from its cancellation event
    (which recorded the decision); empty for a booking that was never paid."""
    event = booking.events.filter(kind=BookingEvent.Kind.CANCELLED).order_by("-at", "-pk").first()
    data = event.data if event else {}
    if "refund_percent" not in data:
        return ""
    percent = int(data["refund_percent"])
    amount = format_money(data["refund_amount"], data["refund_currency"])
    decider = DECIDERS.get(data.get("refund_decided_by"), "")
    outside = Payment.objects.filter(booking=booking, method=Payment.Method.OUTSIDE).exists()
    if "refund_choice" in data:  # the practitioner cancelled and chose the refund
        return _practice_refund_note(booking, data, amount, for_practitioner, outside)
    if for_practitioner:
        if percent == 0:
            return f"No refund ({decider})."
        sent = OUTSIDE_REFUND_HERS if outside else "Stripe sends it now."
        return f"Refund: {amount}, {percent}% of the payment ({decider}). {sent}"
    if outside and percent > 0:
        return OUTSIDE_REFUND_CLIENT.format(
            amount=amount, name=booking.practitioner.name, percent=percent
        )
    if percent == 0:
        return (
            f"Because the {booking.offering.meeting_word} was cancelled this close to its start, "
            "the cancellation policy "
            "gives no refund. If something serious got in the way, reply to this email and "
            "ask for a one-time hardship exception."
        )
    if percent == 100:
        return f"You will get a full refund of {amount}. {REFUND_ARRIVES}"
    return (
        f"Under the cancellation policy you will get {percent}% back: {amount}. {REFUND_ARRIVES}"
    )


def _practice_refund_note(
    booking: Booking, data: dict, amount: str, for_practitioner: bool, outside: bool
) -> str:
    """The money of a cancellation by the practice, as she chose it. The client is told
    what comes back and when, never blamed: the notice they gave does not come into it."""
    choice, nothing = data["refund_choice"], data["refund_amount"] in ("0", "0.00")
    if for_practitioner:
        if nothing:
            return "No refund (your choice)."
        which = "in full" if choice == "full" else "in part (your choice)"
        sent = OUTSIDE_REFUND_HERS if outside else "Stripe sends it now."
        return f"Refund: {amount}, {which}. {sent}"
    if nothing:
        return (
            f"This cancellation comes without a refund. If you have a question about it, "
            f"reply to this email and {booking.practitioner.name} will answer."
        )
    if outside:
        name = booking.practitioner.name
        return f"You paid outside the system, so {name} returns {amount} to you the same way."
    if choice == "full":
        return f"You will get a full refund of {amount}. {REFUND_ARRIVES}"
    return f"You will get {amount} back. {REFUND_ARRIVES}"


def schedule_payment_email(kind: str, object_id: int, *, booking: Booking) -> None:
    """In the caller's transaction: one of the emails about money (PAYMENT_EMAILS), as an
    effect; ``object_id`` names the refund (late payment) or the hardship request, each
    emailed about once."""
    if kind not in PAYMENT_EMAILS:
        raise ValueError(f"Unknown payment email {kind!r}; expected one of {PAYMENT_EMAILS}.")
    name = EFFECT.format(kind=kind)
    effects.schedule(
        name,
        f"{name}:{object_id}",
        booking=booking,
        args={"object_id": object_id},
    )


def register() -> None:
    """Called from PaymentsConfig.ready()."""
    builders = {
        LATE_PAYMENT_REFUNDED: _late_payment_message,
        HARDSHIP_REQUESTED: _hardship_requested_message,
        HARDSHIP_DECIDED: _hardship_decided_message,
    }
    for kind, build in builders.items():
        effects.register_email(
            EFFECT.format(kind=kind), lambda effect, build=build: build(effect.args["object_id"])
        )


def money_lines(booking: Booking, change: str) -> dict:
    """For a paid booking that stands: what was paid, the receipt, and the cancellation
    terms, so that "cancel, no explanation needed" never hides what comes back."""
    payment = Payment.objects.filter(booking=booking).first()
    if change == CANCELLED or payment is None or not payment.is_captured:
        return {"paid": "", "receipt_url": "", "policy_lines": []}
    return {
        "paid": format_money(payment.amount, payment.currency),
        "receipt_url": links.manage_url(booking) + "receipt/",
        "policy_lines": payment_selectors.policy_lines(booking.offering),
    }


def _late_payment_message(refund_id: int) -> EmailMultiAlternatives | None:
    """To the client: paid after the hold, the time could not be kept (the reason decided
    when the payment arrived: someone else's booking only when there was one), refunded in
    full, and the free times nearest the one they wanted."""
    refund = (
        Refund.objects.select_related(
            "payment__booking__practitioner", "payment__booking__offering"
        )
        .filter(pk=refund_id)
        .first()
    )
    if refund is None:
        return None
    booking = refund.payment.booking
    practitioner, zone = booking.practitioner, booking.client_timezone
    now = timezone.now()
    nearest = selectors.nearest_slots(offering=booking.offering, around=booking.start, now=now)
    why = refusals.late_payment_wording(
        payment_selectors.refund_refusal(refund), booking=booking, now=now
    )
    context = {
        "client_name": booking.client_name,
        "why": why.message,
        "practice_name": practitioner.practice_name,
        "wanted": format_span_in_two_zones(
            booking.start, booking.end, zone, practitioner.timezone
        ),
        "amount": format_money(refund.amount, refund.payment.currency),
        "refund_arrives": REFUND_ARRIVES,
        "times": [format_span(slot.start, slot.end, zone) for slot in nearest],
        "book_url": book_again_url(booking),
        "contact_note": contact_line(practitioner),
    }
    return simple_message(
        template="email/late_payment_client",
        context=context,
        subject=f"Your payment to {practitioner.practice_name} is refunded in full",
        to=booking.client_email,
        practitioner=practitioner,
    )


def _hardship(request_id: int) -> HardshipRequest | None:
    return (
        HardshipRequest.objects.select_related(
            "booking__practitioner", "booking__offering", "booking__payment"
        )
        .filter(pk=request_id)
        .first()
    )


def _hardship_requested_message(request_id: int) -> EmailMultiAlternatives | None:
    """To the practitioner: who asks, for which booking, and where to decide."""
    request = _hardship(request_id)
    if request is None:
        return None
    booking = request.booking
    practitioner, zone = booking.practitioner, booking.practitioner.timezone
    context = {
        "client_name": booking.client_name,
        "offering_name": booking.offering.name,
        "when": format_span_in_two_zones(
            booking.start, booking.end, zone, booking.client_timezone
        ),
        "cancelled": booking.status == Booking.Status.CANCELLED,
        "amount": format_money(booking.payment.amount, booking.payment.currency),
        "booking_url": console_booking_url(booking),
    }
    return simple_message(
        template="email/hardship_practitioner",
        context=context,
        subject=f"Hardship request: booking on {format_short(booking.start, zone)}",
        to=practitioner.email,
        reply_to=booking.client_email,
        practitioner=practitioner,
    )


def _hardship_decided_message(request_id: int) -> EmailMultiAlternatives | None:
    """To the client: the answer, and what to do with it."""
    request = _hardship(request_id)
    if request is None:
        return None
    booking = request.booking
    practitioner, zone = booking.practitioner, booking.client_timezone
    approved = request.state == HardshipRequest.State.APPROVED
    cancelled = booking.status == Booking.Status.CANCELLED
    refund = booking.payment.refunds.filter(decided_by=Refund.DecidedBy.HARDSHIP).first()
    can_cancel = approved and not cancelled and booking.start > timezone.now()
    context = {
        "client_name": booking.client_name,
        "meeting": booking.offering.meeting_word,
        "practice_name": practitioner.practice_name,
        "practitioner_name": practitioner.name,
        "approved": approved,
        "cancelled": cancelled,
        "reply_line": request.reply_line,
        "when": format_span_in_two_zones(booking.start, booking.end, zone, practitioner.timezone),
        "amount": format_money(
            refund.amount if refund else booking.payment.amount, booking.payment.currency
        ),
        "refund_arrives": REFUND_ARRIVES,
        "manage_url": links.manage_url(booking) if can_cancel else "",
        "contact_note": contact_line(practitioner),
    }
    answer = "approved" if approved else "answered"
    return simple_message(
        template="email/hardship_client",
        context=context,
        subject=f"Your request to {practitioner.practice_name} is {answer}",
        to=booking.client_email,
        practitioner=practitioner,
    )
