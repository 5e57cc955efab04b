"""Pure money rules: minor units and the refund a cancellation earns. No ORM, no clock."""

from collections.abc import Iterable
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

# Currencies Stripe counts in whole units (no cents): https://docs.stripe.com/currencies
ZERO_DECIMAL_CURRENCIES = frozenset(
    "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split()
)


def _exponent(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2


def to_minor(amount: Decimal, currency: str) -> int:
    """``Decimal("120.00"), "EUR"`` → ``12000``: what Stripe's ``unit_amount`` wants."""
    scaled = Decimal(amount).scaleb(_exponent(currency))
    return int(scaled.to_integral_value(rounding=ROUND_HALF_UP))


def from_minor(minor: int, currency: str) -> Decimal:
    exponent = _exponent(currency)
    return (Decimal(minor).scaleb(-exponent)).quantize(Decimal(1).scaleb(-exponent))


def format_money(amount: Decimal, currency: str) -> str:
    """``120.00 EUR``: unambiguous in any language, no locale needed."""
    exponent = _exponent(currency)
    return f"{Decimal(amount).quantize(Decimal(1).scaleb(-exponent))} {currency.upper()}"


def refund_percent(tiers: Iterable[tuple[int, int]], notice: timedelta) -> int:
    """The percentage refunded for cancelling ``notice`` before the start.

    ``tiers`` are ``(min_hours_before_start, refund_percent)`` pairs. A tier applies when
    the notice is at least its hours (exactly 48 h reaches a 48 h tier; 48 h less a second
    does not); the best applicable tier wins. No tiers: a full refund. A notice reached by
    no tier, or a start already past: nothing.
    """
    tiers = list(tiers)
    if not tiers:
        return 100
    if notice <= timedelta(0):
        return 0
    reached = [percent for hours, percent in tiers if notice >= timedelta(hours=hours)]
    return max(reached, default=0)


def refund_amount(refundable: Decimal, percent: int, currency: str) -> Decimal:
    """``percent`` of ``refundable``, rounded half up to the currency's smallest unit."""
    minor = to_minor(refundable, currency)
    share = (Decimal(minor) * percent / 100).to_integral_value(rounding=ROUND_HALF_UP)
    return from_minor(min(int(share), minor), currency)


def terms_in_words(tiers: Iterable[tuple[int, int]]) -> list[str]:
    """Cancellation terms as clients read them, before paying, on their booking's page and
    in their email, and as the practitioner sees them said back while she edits them:
    ``["48 hours or more before the start: a full refund", "24 to 48 hours before: 50 %
    back", "Less than 24 hours before: no refund"]``. ``tiers`` are ``(hours, percent)``,
    most notice first; none is a full refund at any time."""
    tiers = list(tiers)
    if not tiers:
        return ["Cancel any time before the start for a full refund."]
    lines = []
    above = None
    for hours, percent in tiers:
        what = _refund_words(percent)
        if above is None:
            lines.append(f"{hours} hours or more before the start: {what}")
        else:
            lines.append(f"{hours} to {above} hours before: {what}")
        above = hours
    if above:
        lines.append(f"Less than {above} hours before: no refund")
    return lines


def _refund_words(percent: int) -> str:
    if percent >= 100:
        return "a full refund"
    if percent <= 0:
        return "no refund"
    return f"{percent} % back"
