"""The emails about money: plain strings from the booking, never the client's note."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from booking import free_calls
from booking.payments import hardship, refunds
from tests.payments.fixtures import press

pytestmark = pytest.mark.django_db(transaction=True)
NOTE = "my partner controls money"


def everything(message) -> str:
    return message.message().as_string() + "".join(c for c, _ in message.alternatives)


def test_no_payment_email_carries_the_clients_note(hold, standin, deliver, flush, now):
    booking, payment, url = hold(note=NOTE)
    press(url)
    [completed] = standin.take_outbox()
    with time_machine.travel(booking.hold_expires_at + timedelta(minutes=1), tick=True):
        hold(email="ben@example.org")
        deliver(completed)  # refunded: the late-payment email
    second, second_payment, second_url = hold(
        start=booking.start + timedelta(days=4, hours=1), note=NOTE
    )
    press(second_url)
    flush()
    hardship.decide_hardship(request=hardship.request_hardship(booking=second), approve=True)
    refunds.cancel_paid_booking(booking=second, now=second.start - timedelta(hours=2))

    subjects = [m.subject for m in mail.outbox]
    assert any("refunded" in s for s in subjects)
    assert any("Hardship request" in s for s in subjects)
    assert any("approved" in s for s in subjects)
    for message in mail.outbox:
        assert NOTE not in everything(message)


def test_the_paid_confirmation_says_what_was_paid_where_the_receipt_is_and_the_terms(
    hold, standin, flush, client, now
):
    booking, payment, url = hold()
    press(url)
    flush()
    [confirmation] = [m for m in mail.outbox if m.subject.startswith("Confirmed: your session")]
    html = confirmation.alternatives[0][0]
    for body in (confirmation.body, html):
        assert "Paid: " in body and "120.00 EUR" in body
        assert "48 hours or more before the start: a full refund" in body
        assert "24 to 48 hours before: 50 % back" in body
        assert "Less than 24 hours before: no refund" in body
        assert "what comes back depends on the notice" in body
    [receipt_url] = [word for word in confirmation.body.split() if word.endswith("/receipt/")]
    receipt = client.get(receipt_url.removeprefix("http://testserver"))
    assert receipt.status_code == 200
    assert "120.00 EUR" in receipt.content.decode()


def test_a_free_call_confirmation_mentions_no_money(assessment, now):
    free_calls.book_assessment(
        offering=assessment,
        start=now.replace(hour=9) + timedelta(days=1),
        client_name="Robin",
        client_email="robin@example.org",
        client_timezone="Europe/Berlin",
    )
    [confirmation] = [m for m in mail.outbox if m.subject.startswith("Confirmed: your call")]
    assert "Paid" not in confirmation.body
    assert "Cancellation terms" not in confirmation.body
    assert "receipt" not in confirmation.body
