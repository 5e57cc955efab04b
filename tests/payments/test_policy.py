"""The pure money rules: minor units and the refund a notice earns."""

from datetime import timedelta
from decimal import Decimal

import pytest

from booking.payments.policy import (
    format_money,
    from_minor,
    refund_amount,
    refund_percent,
    to_minor,
)

DEMO = [(48, 100), (24, 50)]
H = timedelta(hours=1)
S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("notice", "percent"),
    [
        (10 * 24 * H, 100),
        (48 * H, 100),
        (48 * H - S, 50),
        (24 * H, 50),
        (24 * H - S, 0),
        (S, 0),
        (timedelta(0), 0),
        (-H, 0),
    ],
)
def test_a_tier_applies_from_its_hours_inclusive(notice, percent):
    assert refund_percent(DEMO, notice) == percent


def test_the_best_reached_tier_wins_whatever_the_order():
    assert refund_percent([(24, 50), (0, 10), (48, 100)], 30 * H) == 50
    assert refund_percent([(24, 50), (0, 10), (48, 100)], H) == 10


def test_no_tiers_means_a_full_refund_until_the_start():
    assert refund_percent([], 5 * H) == 100


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        (Decimal("120.00"), "EUR", 12000),
        (Decimal("0.05"), "usd", 5),
        (Decimal("45.555"), "EUR", 4556),
        (Decimal("5000"), "JPY", 5000),
    ],
)
def test_minor_units_round_trip(amount, currency, minor):
    assert to_minor(amount, currency) == minor
    assert from_minor(minor, currency) == amount.quantize(from_minor(1, currency))


def test_a_share_is_rounded_half_up_to_the_smallest_unit_and_never_exceeds_the_whole():
    assert refund_amount(Decimal("120.00"), 50, "EUR") == Decimal("60.00")
    assert refund_amount(Decimal("45.55"), 50, "EUR") == Decimal("22.78")
    assert refund_amount(Decimal("45.55"), 100, "EUR") == Decimal("45.55")
    assert refund_amount(Decimal("999"), 33, "JPY") == Decimal("330")
    assert refund_amount(Decimal("120.00"), 0, "EUR") == Decimal("0.00")


def test_money_is_written_with_its_currency():
    assert format_money(Decimal("60"), "eur") == "60.00 EUR"
    assert format_money(Decimal("5000"), "JPY") == "5000 JPY"
