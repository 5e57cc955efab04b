"""Money she took outside the system (bank transfer, cash) reads as hers everywhere in the
console: paid outside, and its refund hers to give back, never "sent by Stripe"; and one
wording for who decided a refund.
"""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from booking.models import Booking
from booking.payments.models import Payment, Refund
from tests.console.booking_support import BOOK, answers, page
from tests.console.support import sign_in_with_factor
from tests.factories import insert_booking
from tests.payments.fixtures import THURSDAY_10_BERLIN

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sure(practitioner_user, now):
    """Her browser, just after confirming who she is (refunds and exports ask for it), on
    the tests' clock."""
    client = Client()
    sign_in_with_factor(client, practitioner_user, reauthenticated=True)
    return client


@pytest.fixture
def cancelled_outside(sure, session_offering, now):
    """Omar's session, booked by her as paid outside and cancelled by her, refunded in full."""
    sure.post(BOOK, answers(session_offering, paid_by="outside"))
    booking = Booking.objects.get()
    response = sure.post(
        reverse("console:booking_cancel", args=[booking.public_id]), {"refund": "full"}
    )
    assert response.status_code == 302
    return booking, sure.get(response["Location"])


def test_her_cancelling_says_the_refund_of_money_paid_outside_is_hers_to_give_back(
    cancelled_outside,
):
    _booking, after = cancelled_outside
    said = " ".join(str(m) for m in after.context["messages"])

    assert "To give back yourself: 120.00 EUR (a full refund for Omar)." in said
    assert "Stripe sends it now" not in said


def test_the_cancel_page_says_paid_outside_before_she_chooses(sure, session_offering, now):
    sure.post(BOOK, answers(session_offering, paid_by="outside"))
    booking = Booking.objects.get()

    text = page(sure, reverse("console:booking_cancel", args=[booking.public_id]))

    assert "Paid outside (120.00 EUR), so any refund is yours to give back" in text


def test_the_booking_page_says_paid_outside_and_who_gives_the_refund_back(cancelled_outside, sure):
    booking, _ = cancelled_outside

    text = page(sure, reverse("console:booking", args=[booking.public_id]))

    assert "Paid outside (120.00 EUR)" in text
    assert "To give back yourself: 120.00 EUR" in text
    assert "sent by Stripe" not in text
    assert "120.00 EUR, sent" not in text
    assert "Refund of 120.00 EUR recorded: to give back yourself (it was paid outside)" in text
    assert "Your decision" in text
    assert "Practitioner (policy waived)" not in text


def test_the_money_page_names_how_each_payment_came_and_whose_refund_it_is(
    cancelled_outside, sure, session_offering, now
):
    stripe_paid = insert_booking(session_offering, THURSDAY_10_BERLIN.replace(day=10))
    Payment.objects.create(
        booking=stripe_paid,
        amount="120.00",
        currency="EUR",
        state=Payment.State.PAID,
        method=Payment.Method.CHECKOUT,
        checkout_session_id="cs_1",
        created_at=now,
        paid_at=now,
    )

    text = page(sure, "/console/money/?month=2026-12")

    assert "Paid outside (bank transfer, cash)" in text
    assert "Card or wallet, through Stripe Checkout" in text
    assert "Not known" not in text
    assert "To give back yourself" in text
    assert "Refunded: yours to give back" in text
    assert "Refunded by Stripe" not in text
    assert "Your decision" in text


def test_the_csv_has_how_each_was_paid(cancelled_outside, sure):
    response = sure.get(reverse("console:money_csv") + "?month=2026-12")
    rows = list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff"))))

    assert [(row["type"], row["how_paid"], row["state"]) for row in rows] == [
        ("payment", "outside", "refunded"),
        ("refund", "outside", "to_give_back_yourself"),
    ]


def test_the_booking_page_names_who_decided_in_the_money_pages_words(sure, session_offering, now):
    booking = insert_booking(session_offering, THURSDAY_10_BERLIN)
    payment = Payment.objects.create(
        booking=booking,
        amount="120.00",
        currency="EUR",
        state=Payment.State.PARTIALLY_REFUNDED,
        checkout_session_id="cs_2",
        created_at=now,
        paid_at=now,
    )
    for decided_by in Refund.DecidedBy:
        Refund.objects.create(
            payment=payment,
            amount="10.00",
            percent=8,
            decided_by=decided_by,
            state=Refund.State.SUCCEEDED,
            created_at=now,
        )

    text = page(sure, reverse("console:booking", args=[booking.public_id]))

    for words in (
        "Your decision",
        "The cancellation policy",
        "Hardship exception",
        "Payment came after its hold ended",
    ):
        assert words in text
    assert "Practitioner (policy waived)" not in text
    assert "Cancellation policy" not in text
