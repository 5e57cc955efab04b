"""Races around money: clients, webhooks, the success page and the hold's expiry at once.

Threads start together at a barrier, each with its own database connection, and call the
real services; the stand-in answers over HTTP. Whatever wins, a paid Checkout ends in a
confirmed booking or a full refund, and no two blocking bookings overlap.
"""

import threading
import time
import traceback
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection

from booking import services
from booking.models import Booking
from booking.payments import checkout, confirmation
from booking.payments import selectors as payment_selectors
from booking.payments import webhooks as payment_webhooks
from booking.payments.models import Payment, Refund, WebhookEvent
from booking.services import SlotUnavailable
from tests.factories import booking_emails
from tests.payments.fixtures import THURSDAY_10_BERLIN, press

pytestmark = pytest.mark.django_db(transaction=True)
JOIN_TIMEOUT = 120


def race(*calls):
    """Run each call in its own thread and connection, released together; their results
    (or the exceptions they raised)."""
    barrier = threading.Barrier(len(calls), timeout=30)
    results: list = [None] * len(calls)
    failures: list[str] = []

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except SlotUnavailable as error:
            results[index] = error
        except BaseException as error:
            results[index] = error
            failures.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    assert not failures, "\n".join(failures)
    return results


def blocking() -> list[Booking]:
    return list(Booking.objects.filter(status__in=Booking.BLOCKING))


def test_clients_racing_for_one_paid_slot_one_hold_wins_the_others_are_told_at_once(
    hold, standin, now
):
    standin.latency = 1.5  # Stripe is slow today: nobody may wait for the winner's call
    timings: dict[int, float] = {}

    def attempt(n):
        def call():
            began = time.monotonic()
            try:
                return hold(email=f"racer{n}@example.org")
            finally:
                timings[n] = time.monotonic() - began

        return call

    results = race(*(attempt(n) for n in range(8)))

    winners = [r for r in results if isinstance(r, checkout.HeldCheckout)]
    losers = [n for n, r in enumerate(results) if isinstance(r, SlotUnavailable)]
    assert len(winners) == 1 and len(losers) == 7
    assert [b.pk for b in blocking()] == [winners[0].booking.pk]
    assert len(standin.sessions) == 1
    assert max(timings[n] for n in losers) < standin.latency


def test_one_event_delivered_many_times_at_once_confirms_once(hold, standin, now):
    booking, payment, url = hold()
    press(url)
    [completed] = standin.take_outbox()
    body, header = standin.signed(completed)
    mail.outbox.clear()

    results = race(
        *(
            lambda: payment_webhooks.handle_webhook(payload=body, signature=header)
            for _ in range(6)
        )
    )

    assert sorted(results).count("confirmed") == 1
    assert WebhookEvent.objects.count() == 1
    assert len(booking_emails(mail.outbox)) == 2
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_the_success_page_and_the_webhook_at_once_confirm_once(hold, standin, now):
    booking, payment, url = hold()
    press(url)
    [completed] = standin.take_outbox()
    body, header = standin.signed(completed)
    mail.outbox.clear()

    results = race(
        lambda: payment_webhooks.handle_webhook(payload=body, signature=header),
        lambda: (
            confirmation.confirm_payment(checkout_session_id=payment.checkout_session_id).result
        ),
    )

    assert sorted(map(str, results)) == ["already_confirmed", "confirmed"]
    assert len(booking_emails(mail.outbox)) == 2


@pytest.mark.parametrize("round_", range(4))
def test_an_expiring_hold_a_late_payment_and_a_new_client_at_once(hold, standin, now, round_):
    """The hold lapsed while its client paid. Its expiry, the payment's webhook and another
    client wanting the same time all arrive together: either the payer keeps the time and
    the newcomer is told it is taken, or the newcomer gets it and the payer is refunded."""
    booking, payment, url = hold()
    press(url)
    [completed] = standin.take_outbox()

    with time_machine.travel(booking.hold_expires_at + timedelta(seconds=5), tick=True):
        body, header = standin.signed(completed)
        expire, webhook, newcomer = race(
            lambda: services.expire_holds(),
            lambda: payment_webhooks.handle_webhook(payload=body, signature=header),
            lambda: hold(email="newcomer@example.org"),
        )

    booking.refresh_from_db()
    payment.refresh_from_db()
    [holder] = blocking()
    if webhook == "confirmed":
        assert holder.pk == booking.pk
        assert isinstance(newcomer, SlotUnavailable)
        assert not Refund.objects.exists()
    else:
        assert webhook == "refunded"
        assert holder.pk == newcomer.booking.pk
        assert booking.status == Booking.Status.EXPIRED
        refund = Refund.objects.get()
        assert (refund.amount, refund.state) == (payment.amount, Refund.State.SUCCEEDED)
        assert payment.state == Payment.State.REFUNDED
    assert payment_selectors.disagreements() == []
    assert holder.start == THURSDAY_10_BERLIN
