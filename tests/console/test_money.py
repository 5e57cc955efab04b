"""Money: what came in and went back in a month of her wall clock, per currency, and the
same month as a CSV for her bookkeeping behind a fresh confirmation."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Booking
from booking.payments.models import Payment, Refund
from tests.console.support import sign_in_with_factor
from tests.factories import insert_booking, make_session_offering

pytestmark = pytest.mark.django_db

BOM = "\ufeff"


def paid(offering, paid_at, *, amount, currency="EUR", name="Sam Client", email=None, **extra):
    booking = insert_booking(
        offering,
        paid_at + timedelta(days=5),
        client_name=name,
        email=email or f"{name.split()[0].lower()}@example.org",
    )
    return Payment.objects.create(
        booking=booking,
        amount=Decimal(amount),
        currency=currency,
        state=extra.pop("state", Payment.State.PAID),
        created_at=paid_at - timedelta(minutes=5),
        paid_at=paid_at,
        checkout_session_id=f"cs_{booking.pk}",
        payment_intent_id=f"pi_{booking.pk}",
        **extra,
    )


def refund(payment, at, *, amount, state=Refund.State.SUCCEEDED, **extra):
    return Refund.objects.create(
        payment=payment,
        amount=Decimal(amount),
        percent=int(Decimal(amount) * 100 / payment.amount),
        decided_by=extra.pop("decided_by", Refund.DecidedBy.POLICY),
        state=state,
        provider_refund_id=extra.pop("provider_refund_id", f"re_{payment.pk}"),
        created_at=at,
        **extra,
    )


@pytest.fixture
def december(session):
    """Mixed currencies and a partial refund, all in December 2026 in Berlin."""
    a = paid(session, datetime(2026, 12, 3, 10, tzinfo=UTC), amount="120.00", name="Sam Adler")
    b = paid(session, datetime(2026, 12, 8, 10, tzinfo=UTC), amount="120.00", name="Zoë Brun")
    c = paid(
        session,
        datetime(2026, 12, 9, 10, tzinfo=UTC),
        amount="90.00",
        currency="CHF",
        name="Noé Favre",
    )
    refund(b, datetime(2026, 12, 10, 9, tzinfo=UTC), amount="60.00")
    refund(
        c,
        datetime(2026, 12, 11, 9, tzinfo=UTC),
        amount="90.00",
        state=Refund.State.PENDING,
        decided_by=Refund.DecidedBy.PRACTITIONER,
        reason="I was ill",
        provider_refund_id="",
    )
    return a, b, c


def test_totals_per_currency_count_what_came_in_and_what_went_back(console, december):
    response = console.get("/console/money/?month=2026-12")

    assert response.status_code == 200
    totals = {t["currency"]: t for t in response.context["totals"]}
    assert totals["EUR"] == {
        "currency": "EUR",
        "received": "240.00 EUR",
        "refunded": "60.00 EUR",
        "pending": "",
        "net": "180.00 EUR",
    }
    # A refund still with Stripe is said apart and does not lower the net yet.
    assert totals["CHF"]["received"] == "90.00 CHF"
    assert totals["CHF"]["refunded"] == "0.00 CHF"
    assert totals["CHF"]["pending"] == "90.00 CHF"
    assert totals["CHF"]["net"] == "90.00 CHF"
    page = response.content.decode()
    assert "Zoë Brun" in page
    assert "Your decision: I was ill" in page
    assert "Being refunded" in page
    assert "Card or wallet, through Stripe Checkout" in page


def test_a_payment_late_on_the_last_evening_in_berlin_is_in_that_month(console, session):
    # 23:30 on 31 December in Berlin is 22:30 UTC, still December; 00:30 on 1 January
    # (23:30 UTC on 31 December) is January.
    paid(session, datetime(2026, 12, 31, 22, 30, tzinfo=UTC), amount="120.00", name="Late Lou")
    paid(session, datetime(2026, 12, 31, 23, 30, tzinfo=UTC), amount="80.00", name="New Nia")
    # 00:30 on 1 December in Berlin is 23:30 UTC on 30 November: December too.
    paid(session, datetime(2026, 11, 30, 23, 30, tzinfo=UTC), amount="50.00", name="Early Eli")

    december = console.get("/console/money/?month=2026-12").content.decode()
    january = console.get("/console/money/?month=2027-01").content.decode()

    assert "Late Lou" in december and "Early Eli" in december
    assert "New Nia" not in december
    assert "New Nia" in january and "Late Lou" not in january
    assert "Thu 31 Dec, 23:30" in december


def test_a_month_without_money_says_so_and_links_its_neighbours(console, december):
    page = console.get("/console/money/?month=2027-03").content.decode()

    assert "No payments or refunds in March 2027." in page
    assert 'href="?month=2027-02"' in page
    assert 'href="?month=2027-04"' in page


def test_a_month_not_understood_shows_the_current_one_and_says_so(console):
    response = console.get("/console/money/?month=2026-13")

    assert response.status_code == 200
    assert "That month was not understood" in response.content.decode()


def test_unpaid_and_other_practitioners_payments_stay_out(console, session, december):
    from tests.factories import make_practitioner

    paid(
        session,
        datetime(2026, 12, 4, tzinfo=UTC),
        amount="120.00",
        name="Pending Pat",
        state=Payment.State.PENDING,
    )
    other = make_session_offering(make_practitioner(email="other@example.org"), slug="other")
    paid(other, datetime(2026, 12, 4, tzinfo=UTC), amount="70.00", name="Other Olu")

    page = console.get("/console/money/?month=2026-12").content.decode()

    assert "Pending Pat" not in page and "Other Olu" not in page


def test_the_page_asks_the_same_number_of_queries_whatever_the_rows(console, session):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert console.get("/console/money/?month=2026-12").status_code == 200
        return len(queries)

    payment = paid(session, datetime(2026, 12, 2, tzinfo=UTC), amount="120.00")
    refund(payment, datetime(2026, 12, 3, tzinfo=UTC), amount="20.00")
    few = count()
    for day in range(4, 20):
        payment = paid(
            session, datetime(2026, 12, day, tzinfo=UTC), amount="120.00", name=f"C{day} X"
        )
        refund(payment, datetime(2026, 12, day, 12, tzinfo=UTC), amount="10.00")

    assert count() == few


def test_the_csv_asks_her_to_confirm_who_she_is_first(client, practitioner_user, december):
    sign_in_with_factor(client, practitioner_user)

    response = client.get("/console/money/payments.csv?month=2026-12")

    assert response.status_code == 302
    # With her app's code first: an emailed code alone is not her second factor.
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")
    assert "next=/console/money/payments.csv" in response["Location"].replace("%2F", "/")


def test_the_csv_lists_each_payment_and_refund_as_the_page_does(
    client, practitioner_user, december
):
    sign_in_with_factor(client, practitioner_user, reauthenticated=True)
    a, b, c = december

    response = client.get("/console/money/payments.csv?month=2026-12")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="payments-2026-12.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))
    assert [(row["type"], row["client name"], row["amount"], row["currency"]) for row in rows] == [
        ("payment", "Sam Adler", "120.00", "EUR"),
        ("payment", "Zoë Brun", "120.00", "EUR"),
        ("payment", "Noé Favre", "90.00", "CHF"),
        ("refund", "Zoë Brun", "60.00", "EUR"),
        ("refund", "Noé Favre", "90.00", "CHF"),
    ]
    first = rows[0]
    assert first["date"] == "2026-12-03T11:00:00+01:00"
    assert first["client email"] == "sam@example.org"
    assert first["offering"] == "Single session"
    assert first["state"] == "paid"
    assert first["booking reference"] == str(a.booking.public_id)
    assert first["stripe payment intent"] == a.payment_intent_id
    assert first["stripe refund"] == ""
    assert rows[3]["stripe refund"] == f"re_{b.pk}"
    assert rows[3]["state"] == "succeeded"
    assert rows[4]["state"] == "pending"
    assert not any("card" in key for key in rows[0])


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv(
    client, practitioner_user, session
):
    paid(session, datetime(2026, 12, 3, tzinfo=UTC), amount="120.00", name="=HYPERLINK(1)")
    sign_in_with_factor(client, practitioner_user, reauthenticated=True)

    text = client.get("/console/money/payments.csv?month=2026-12").content.decode()

    assert "'=HYPERLINK(1)" in text


def test_a_cancelled_booking_keeps_its_payment_in_the_month(console, session):
    payment = paid(session, datetime(2026, 12, 3, tzinfo=UTC), amount="120.00", name="Cy Cancel")
    Booking.objects.filter(pk=payment.booking_id).update(status=Booking.Status.CANCELLED)
    Payment.objects.filter(pk=payment.pk).update(
        state=Payment.State.REFUNDED, amount_refunded=Decimal("120.00")
    )
    refund(payment, datetime(2026, 12, 4, tzinfo=UTC), amount="120.00")

    totals = console.get("/console/money/?month=2026-12").context["totals"]

    assert totals[0]["net"] == "0.00 EUR"
