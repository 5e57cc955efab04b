"""The month's money as her bookkeeping sees it: what came in, what went back, per currency.

A month is a month of her wall clock (a payment at 23:30 on 31 December in Berlin belongs
to December even though it is 22:30 UTC), so the bounds are local midnights turned into
UTC. A payment counts in the month it was paid; a refund in the month it was decided, with
its state beside it, and only a refund that is carried out lowers the month's net. Money
paid outside the system (bank transfer, cash) is named so, and its refund is hers to give
back: it never says Stripe sent it.
Two queries whatever the number of rows. Nothing about cards exists here: Stripe keeps
those, and this module has only amounts, states and Stripe's ids.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from booking.models import Booking
from booking.payments.models import Payment, Refund

HOW_PAID = {
    Payment.Method.CHECKOUT: "Card or wallet, through Stripe Checkout",
    Payment.Method.LINK: "Payment link you sent (Stripe Checkout)",
    Payment.Method.OUTSIDE: "Paid outside (bank transfer, cash)",
}

# Who decided a refund, in the one wording the whole console uses for her.
REFUND_REASONS = {
    Refund.DecidedBy.POLICY: "The cancellation policy",
    Refund.DecidedBy.PRACTITIONER: "Your decision",
    Refund.DecidedBy.HARDSHIP: "Hardship exception",
    Refund.DecidedBy.LATE_PAYMENT: "Payment came after its hold ended",
}

# A refund of money paid outside: recorded the moment it is decided, given back by her.
TO_GIVE_BACK = "To give back yourself"
REFUND_STATES = {
    Refund.State.SUCCEEDED: "Refunded by Stripe",
    Refund.State.PENDING: "Being refunded by Stripe",
    Refund.State.FAILED: "Failed: Stripe refused it",
}


@dataclass(frozen=True)
class PaymentLine:
    at: datetime
    client_name: str
    client_email: str
    offering: str
    amount: Decimal
    currency: str
    state: str
    state_label: str
    method: str
    how_paid: str
    booking_id: str
    payment_intent_id: str


@dataclass(frozen=True)
class RefundLine:
    at: datetime
    client_name: str
    client_email: str
    offering: str
    amount: Decimal
    currency: str
    state: str
    state_label: str
    reason: str
    method: str
    booking_id: str
    refund_id: str
    payment_intent_id: str

    @property
    def to_give_back(self) -> bool:
        return self.method == Payment.Method.OUTSIDE


@dataclass
class Totals:
    currency: str
    received: Decimal = Decimal("0")
    refunded: Decimal = Decimal("0")
    refund_pending: Decimal = Decimal("0")

    @property
    def net(self) -> Decimal:
        return self.received - self.refunded


@dataclass
class Month:
    first: date
    payments: list[PaymentLine] = field(default_factory=list)
    refunds: list[RefundLine] = field(default_factory=list)
    totals: list[Totals] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.payments and not self.refunds


def month_bounds(first: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Local midnight of the 1st of ``first``'s month and of the next, as aware datetimes
    (compared in UTC by the database)."""
    start = datetime(first.year, first.month, 1, tzinfo=zone)
    following = next_month(first)
    return start, datetime(following.year, following.month, 1, tzinfo=zone)


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def previous_month(first: date) -> date:
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def month_of(*, practitioner, first: date) -> Month:
    """Her payments and refunds of the month starting ``first`` (in her zone), oldest first,
    with the totals per currency."""
    zone = practitioner.zone
    start, end = month_bounds(first, zone)
    payments = (
        Payment.objects.filter(
            booking__practitioner=practitioner,
            state__in=Payment.CAPTURED,
            paid_at__gte=start,
            paid_at__lt=end,
        )
        .select_related("booking__offering")
        .order_by("paid_at", "pk")
    )
    refunds = (
        Refund.objects.filter(
            payment__booking__practitioner=practitioner, created_at__gte=start, created_at__lt=end
        )
        .select_related("payment__booking__offering")
        .order_by("created_at", "pk")
    )
    month = Month(first=first)
    totals: dict[str, Totals] = {}
    for payment in payments:
        booking = payment.booking
        month.payments.append(
            PaymentLine(
                at=payment.paid_at.astimezone(zone),
                amount=payment.amount,
                state=payment.state,
                state_label=_payment_state(payment),
                how_paid=HOW_PAID[payment.method],
                **_about(payment, booking),
            )
        )
        _totals(totals, payment.currency).received += payment.amount
    for refund in refunds:
        payment, booking = refund.payment, refund.payment.booking
        month.refunds.append(
            RefundLine(
                at=refund.created_at.astimezone(zone),
                amount=refund.amount,
                state=refund.state,
                state_label=_refund_state(refund),
                reason=_reason(refund),
                refund_id=refund.provider_refund_id,
                **_about(payment, booking),
            )
        )
        line = _totals(totals, payment.currency)
        if refund.state == Refund.State.SUCCEEDED:
            line.refunded += refund.amount
        elif refund.state == Refund.State.PENDING:
            line.refund_pending += refund.amount
    month.totals = [totals[currency] for currency in sorted(totals)]
    return month


def _totals(totals: dict[str, Totals], currency: str) -> Totals:
    currency = currency.upper()
    return totals.setdefault(currency, Totals(currency=currency))


def _about(payment: Payment, booking: Booking) -> dict:
    """What a payment's line and its refunds' lines both say of it: who, what, how paid."""
    return {
        "client_name": _client_names(booking),
        "client_email": booking.client_email,
        "offering": booking.offering.name,
        "currency": payment.currency.upper(),
        "method": payment.method,
        "booking_id": str(booking.public_id),
        "payment_intent_id": payment.payment_intent_id,
    }


def _client_names(booking: Booking) -> str:
    if booking.partner_name:
        return f"{booking.client_name} & {booking.partner_name}"
    return booking.client_name


def _reason(refund: Refund) -> str:
    """Why, in her words: who decided, and the reason she gave when she gave one."""
    why = refund_reason(refund)
    return f"{why}: {refund.reason}" if refund.reason else why


def refund_reason(refund: Refund) -> str:
    """Who decided the refund, in the console's one wording."""
    return REFUND_REASONS.get(refund.decided_by, refund.get_decided_by_display())


def _payment_state(payment: Payment) -> str:
    refunded = payment.state in (Payment.State.REFUNDED, Payment.State.PARTIALLY_REFUNDED)
    if refunded and payment.method == Payment.Method.OUTSIDE:
        return f"{payment.get_state_display()}: yours to give back"
    return payment.get_state_display()


def _refund_state(refund: Refund) -> str:
    if refund.payment.method == Payment.Method.OUTSIDE:
        return TO_GIVE_BACK
    return REFUND_STATES[refund.state]
