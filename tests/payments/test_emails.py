"""The emails about money: plain strings from the booking, never the client's note."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from booking.payments import services
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
    services.decide_hardship(request=services.request_hardship(booking=second), approve=True)
    services.cancel_paid_booking(booking=second, now=second.start - timedelta(hours=2))

    subjects = [m.subject for m in mail.outbox]
    assert any("refunded" in s for s in subjects)
    assert any("Hardship request" in s for s in subjects)
    assert any("approved" in s for s in subjects)
    for message in mail.outbox:
        assert NOTE not in everything(message)
