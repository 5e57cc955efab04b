"""A booking's history in words, for her: each BookingEvent as a sentence she would say.

"Booked by Sam on 2 Dec, 09:14", "Moved by you from … to …", "Paid 120.00 EUR",
"Cancelled by you — full refund of 120.00 EUR". Times in her zone. The reason she gave for a
smaller refund is hers and shows here; nothing the client wrote (their note, their
answers) is ever part of an event.
"""

from dataclasses import dataclass
from datetime import datetime

from booking.models import Booking, BookingEvent
from booking.payments.models import HardshipRequest, Payment, Refund
from booking.payments.policy import format_money
from practice.timezones import clock, day


@dataclass(frozen=True)
class Line:
    at: datetime
    when: str  # "2 Dec, 09:14" in her zone
    text: str
    detail: str = ""  # her reason, her line to the client


def _short(moment: datetime, zone_name: str) -> str:
    """``Wed 2 Dec, 09:14``: one moment of the history, in her zone."""
    return f"{day(moment, zone_name, short=True)}, {clock(moment, zone_name)}"


def _by(event: BookingEvent, booking: Booking) -> str:
    if event.actor == "practitioner":
        return "by you"
    if event.actor == "client":
        return f"by {booking.client_name.split()[0] if booking.client_name else 'the client'}"
    if event.actor == "staff":
        return "by staff"
    return "automatically"


def _refund_words(data: dict) -> str:
    if "refund_amount" not in data:
        return ""
    amount = format_money(data["refund_amount"], data["refund_currency"])
    if data["refund_amount"] in ("0", "0.00"):
        return "no refund"
    if data.get("refund_choice") == "full" or int(data.get("refund_percent", 0)) == 100:
        return f"full refund of {amount}"
    if "refund_choice" in data:
        return f"refund of {amount}"
    return f"refund of {amount} ({data['refund_percent']}%, by the cancellation policy)"


def _sentence(event: BookingEvent, booking: Booking, payment: Payment | None, zone: str):
    data, by = event.data or {}, _by(event, booking)
    kind = event.kind
    if kind == BookingEvent.Kind.CREATED:
        if "hold_expires_at" in data:
            return f"Booked {by}, held while they pay", ""
        if data.get("awaiting_email_confirmation"):
            return f"Booked {by}, waiting for them to confirm it from the email", ""
        return f"Booked {by}", ""
    if kind == BookingEvent.Kind.CONFIRMED:
        if event.actor == "system" and payment is not None:
            late = (
                " (after the hold had ended; the time was still free)" if data.get("late") else ""
            )
            return f"Paid {format_money(payment.amount, payment.currency)}{late}", ""
        return f"Confirmed {by} from the email link", ""
    if kind == BookingEvent.Kind.RESCHEDULED:
        old = datetime.fromisoformat(data["old_start"])
        new = datetime.fromisoformat(data["new_start"])
        outside = " (outside your open times)" if data.get("outside_open_times") else ""
        text = f"Moved {by} from {_short(old, zone)} to {_short(new, zone)}{outside}"
        line = data.get("personal_line", "")
        return text, f"Your note to them: “{line}”" if line else ""
    if kind == BookingEvent.Kind.CANCELLED:
        refund = _refund_words(data)
        text = f"Cancelled {by}" + (f" — {refund}" if refund else "")
        details = []
        if data.get("reason") and event.actor != "client":
            details.append(f"Your reason: “{data['reason']}”")
        if data.get("personal_line"):
            details.append(f"Your note to them: “{data['personal_line']}”")
        return text, " · ".join(details)
    if kind == BookingEvent.Kind.EXPIRED:
        if data.get("reason") == "released_by_practitioner":
            return "Released by you before it was paid, so the time was freed", ""
        if data.get("reason") == "paid_too_late":
            return "Released: the payment came after the time was taken", ""
        return "The hold ended without payment or confirmation, so the time was freed", ""
    if kind == BookingEvent.Kind.COMPLETED:
        return f"Marked as held {by}", ""
    if kind == BookingEvent.Kind.NO_SHOW:
        return f"Marked as a no-show {by}", ""
    if kind == BookingEvent.Kind.ATTENDANCE_UNDONE:
        mark = "held" if data.get("undone") == "completed" else "a no-show"
        return f"The mark as {mark} undone {by}; confirmed again", ""
    return f"{event.get_kind_display()} {by}", ""


def _hardship_lines(booking: Booking, hardship: HardshipRequest, zone: str) -> list[Line]:
    """The client's request and her answer (the request holds no words of theirs)."""
    first = booking.client_name.split()[0] if booking.client_name else "The client"
    lines = [
        Line(
            hardship.requested_at,
            _short(hardship.requested_at, zone),
            f"{first} asked for a hardship exception (a full refund whatever the notice)",
        )
    ]
    if hardship.decided_at is not None:
        answer = "Approved" if hardship.state == HardshipRequest.State.APPROVED else "Declined"
        by = "by you" if hardship.decided_by_id == booking.practitioner.user_id else "by staff"
        line = hardship.reply_line
        lines.append(
            Line(
                hardship.decided_at,
                _short(hardship.decided_at, zone),
                f"Hardship exception {answer.lower()} {by}; {first} was emailed",
                f"Your note to them: “{line}”" if line else "",
            )
        )
    return lines


def history(
    booking: Booking,
    *,
    events,
    payment: Payment | None,
    refunds,
    hardship: HardshipRequest | None = None,
) -> list[Line]:
    """Every event of ``booking`` as a sentence, oldest first, with the moments Stripe
    confirmed its refunds and the hardship request and its answer between them."""
    zone = booking.practitioner.timezone
    lines = _hardship_lines(booking, hardship, zone) if hardship is not None else []
    for event in events:
        text, detail = _sentence(event, booking, payment, zone)
        lines.append(Line(event.at, _short(event.at, zone), text, detail))
    for refund in refunds:
        if refund.state == Refund.State.SUCCEEDED and refund.succeeded_at:
            amount = format_money(refund.amount, refund.payment.currency)
            # Money paid outside goes back by her hand: nothing was sent by anyone here.
            if refund.payment.method == Payment.Method.OUTSIDE:
                text = f"Refund of {amount} recorded: to give back yourself (it was paid outside)"
            else:
                text = f"Refund of {amount} sent by Stripe"
            lines.append(Line(refund.succeeded_at, _short(refund.succeeded_at, zone), text))
        elif refund.state == Refund.State.FAILED:
            amount = format_money(refund.amount, refund.payment.currency)
            lines.append(
                Line(
                    refund.created_at,
                    _short(refund.created_at, zone),
                    f"Stripe refused the refund of {amount}",
                )
            )
    return sorted(lines, key=lambda line: line.at)
