"""The webhook: every event verified, recorded once, and the same outcome whatever the
order, delay or repetition in which Stripe delivers it."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from booking.models import Booking, BookingEvent
from booking.payments import confirmation
from booking.payments import selectors as payment_selectors
from booking.payments.models import Payment, Refund, WebhookEvent
from tests.factories import booking_emails
from tests.payments.fixtures import THURSDAY_10_BERLIN, press

pytestmark = pytest.mark.django_db(transaction=True)


def state(booking, payment):
    booking.refresh_from_db()
    payment.refresh_from_db()
    return booking.status, payment.state


def paid(hold):
    """Hold a slot and pay on the checkout page; the completed event waits in the outbox."""
    booking, payment, url = hold()
    assert press(url).status_code == 303
    return booking, payment


def test_a_completed_checkout_confirms_the_booking(hold, standin, deliver, now):
    booking, payment = paid(hold)
    [completed] = standin.take_outbox()

    answer = deliver(completed)

    assert answer.status_code == 200
    assert answer.json() == {"received": True, "outcome": "confirmed"}
    assert state(booking, payment) == (Booking.Status.CONFIRMED, Payment.State.PAID)
    event = WebhookEvent.objects.get()
    assert (event.stripe_event_id, event.type, event.status) == (
        completed["id"],
        "checkout.session.completed",
        WebhookEvent.Status.PROCESSED,
    )
    assert event.object_id == payment.checkout_session_id


def test_the_same_event_twice_confirms_once(hold, standin, deliver, now):
    booking, payment = paid(hold)
    [completed] = standin.take_outbox()
    mail.outbox.clear()

    first, second = deliver(completed), deliver(completed)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["outcome"] == "duplicate"
    assert WebhookEvent.objects.count() == 1
    assert len(booking_emails(mail.outbox)) == 2  # one to the client, one to the practitioner
    assert booking.events.filter(kind=BookingEvent.Kind.CONFIRMED).count() == 1


def test_completed_twice_as_two_events_confirms_once(hold, standin, deliver, now):
    booking, payment = paid(hold)
    [completed] = standin.take_outbox()
    again = standin.emit("checkout.session.completed", payment.checkout_session_id)
    mail.outbox.clear()

    deliver(completed)
    answer = deliver(again)

    assert answer.json()["outcome"] == confirmation.Result.ALREADY_CONFIRMED
    assert WebhookEvent.objects.count() == 2
    assert len(booking_emails(mail.outbox)) == 2


def test_async_success_after_completed_changes_nothing(hold, standin, deliver, now):
    booking, payment = paid(hold)
    [completed] = standin.take_outbox()
    succeeded = standin.emit(
        "checkout.session.async_payment_succeeded", payment.checkout_session_id
    )
    mail.outbox.clear()

    deliver(succeeded)
    deliver(completed)

    assert state(booking, payment) == (Booking.Status.CONFIRMED, Payment.State.PAID)
    assert len(booking_emails(mail.outbox)) == 2


def test_a_delayed_payment_method_confirms_when_it_settles(hold, standin, flush, now):
    booking, payment, url = hold()
    press(url, "pay_later")

    assert flush() == [200]
    assert state(booking, payment) == (Booking.Status.HELD, Payment.State.PENDING)
    assert payment.payment_intent_id  # remembered for the refund of a late success

    standin.settle(payment.checkout_session_id, succeeded=True)
    assert flush() == [200]
    assert state(booking, payment) == (Booking.Status.CONFIRMED, Payment.State.PAID)


def test_a_failed_delayed_payment_releases_the_hold(hold, session_offering, standin, flush, now):
    booking, payment, url = hold()
    press(url, "pay_later")
    standin.settle(payment.checkout_session_id, succeeded=False)

    assert flush() == [200, 200]
    assert state(booking, payment) == (Booking.Status.EXPIRED, Payment.State.FAILED)
    assert not Booking.objects.filter(status__in=Booking.BLOCKING).exists()


def test_expired_before_completed_still_confirms_while_the_time_is_free(
    hold, standin, deliver, now
):
    booking, payment = paid(hold)
    [completed] = standin.take_outbox()
    expired = standin.emit(
        "checkout.session.expired",
        payment.checkout_session_id,
        status="expired",
        payment_status="unpaid",
        payment_intent=None,
    )

    deliver(expired)
    assert state(booking, payment) == (Booking.Status.EXPIRED, Payment.State.EXPIRED)
    deliver(completed)

    assert state(booking, payment) == (Booking.Status.CONFIRMED, Payment.State.PAID)
    assert payment_selectors.disagreements() == []


def test_expired_after_completed_does_not_undo_the_payment(hold, standin, deliver, now):
    booking, payment = paid(hold)
    [completed] = standin.take_outbox()
    expired = standin.emit(
        "checkout.session.expired", payment.checkout_session_id, status="expired"
    )

    deliver(completed)
    deliver(expired)

    assert state(booking, payment) == (Booking.Status.CONFIRMED, Payment.State.PAID)


def test_a_payment_delayed_past_the_hold_confirms_if_the_time_is_still_free(
    hold, standin, deliver, now
):
    booking, payment = paid(hold)
    [completed] = standin.take_outbox()

    with time_machine.travel(booking.hold_expires_at + timedelta(hours=2), tick=True):
        answer = deliver(completed)

    assert answer.json()["outcome"] == "confirmed"
    assert state(booking, payment) == (Booking.Status.CONFIRMED, Payment.State.PAID)
    confirmed = booking.events.get(kind=BookingEvent.Kind.CONFIRMED)
    assert confirmed.data["late"] is True


def test_a_payment_delayed_past_the_hold_for_a_taken_time_is_refunded_in_full(
    hold, standin, deliver, flush, now
):
    booking, payment = paid(hold)
    [completed] = standin.take_outbox()
    with time_machine.travel(booking.hold_expires_at + timedelta(minutes=5), tick=True):
        other, _, _ = hold(email="ben@example.org")  # the lapsed hold no longer blocks
        mail.outbox.clear()
        answer = deliver(completed)

    assert answer.json()["outcome"] == "refunded"
    assert state(booking, payment) == (Booking.Status.EXPIRED, Payment.State.REFUNDED)
    refund = Refund.objects.get()
    assert (refund.amount, refund.percent, refund.decided_by, refund.state) == (
        payment.amount,
        100,
        Refund.DecidedBy.LATE_PAYMENT,
        Refund.State.SUCCEEDED,
    )
    charge = standin.charge_for(payment.checkout_session_id)
    assert charge["amount_refunded"] == 12000
    other.refresh_from_db()
    assert other.status == Booking.Status.HELD

    [letter] = mail.outbox
    assert letter.to == ["ana@example.org"]
    assert "refunded" in letter.subject
    assert "120.00 EUR" in letter.body
    assert "These times near it are free now:" in letter.body
    assert "(New York time)" in letter.body
    # Stripe's own word on the refund arrives later and agrees.
    assert flush() == [200]
    payment.refresh_from_db()
    assert payment.amount_refunded == payment.amount
    assert payment_selectors.disagreements() == []


def test_a_forged_signature_is_refused_and_changes_nothing(hold, standin, deliver, now):
    booking, payment = paid(hold)
    [completed] = standin.take_outbox()

    wrong_secret = deliver(completed, secret="whsec_someone_else")
    no_signature = deliver(completed, signature="")
    garbage = deliver(completed, signature="t=1,v1=00")

    assert [r.status_code for r in (wrong_secret, no_signature, garbage)] == [400, 400, 400]
    assert state(booking, payment) == (Booking.Status.HELD, Payment.State.PENDING)
    assert not WebhookEvent.objects.exists()


def test_a_tampered_body_is_refused(hold, standin, client, now):
    booking, payment = paid(hold)
    [completed] = standin.take_outbox()
    body, header = standin.signed(completed)

    answer = client.post(
        reverse("payments:webhook"),
        body.replace(b'"paid"', b'"unpaid"'),
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )

    assert answer.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_a_stale_signature_is_refused_and_a_fresh_retry_is_accepted(hold, standin, deliver, now):
    booking, payment = paid(hold)
    [completed] = standin.take_outbox()

    stale = deliver(completed, timestamp=int(now.timestamp()) - 301)
    assert stale.status_code == 400
    assert state(booking, payment) == (Booking.Status.HELD, Payment.State.PENDING)
    assert not WebhookEvent.objects.exists()

    assert deliver(completed).status_code == 200  # Stripe retries with a new signature
    assert state(booking, payment) == (Booking.Status.CONFIRMED, Payment.State.PAID)


def test_events_about_unknown_sessions_and_other_types_are_recorded_and_ignored(
    hold, standin, deliver, now
):
    booking, payment = paid(hold)
    [completed] = standin.take_outbox()
    stranger = dict(completed, id="evt_stranger")
    stranger["data"] = {"object": dict(completed["data"]["object"], id="cs_not_ours", metadata={})}
    other_type = dict(completed, id="evt_other", type="payment_intent.created")

    assert deliver(stranger).json()["outcome"] == confirmation.Result.UNKNOWN
    assert deliver(other_type).json()["outcome"] == "ignored"
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {
        WebhookEvent.Status.IGNORED
    }
    assert state(booking, payment) == (Booking.Status.HELD, Payment.State.PENDING)


def test_a_refund_made_in_stripes_dashboard_is_recorded(hold, standin, deliver, flush, now):
    booking, payment = paid(hold)
    flush()
    charge = standin.charge_for(payment.checkout_session_id)

    deliver(standin.emit("charge.refunded", charge["id"], amount_refunded=6000))

    payment.refresh_from_db()
    assert payment.state == Payment.State.PARTIALLY_REFUNDED
    assert str(payment.amount_refunded) == "60.00"


def test_nothing_personal_is_stored_or_logged(hold, standin, flush, caplog, now):
    caplog.set_level(logging.DEBUG)
    booking, payment = paid(hold)
    flush()

    for row in WebhookEvent.objects.values():
        assert "ana@example.org" not in str(row)
        assert "Ana" not in str(row)
    assert "ana@example.org" not in caplog.text
    assert "Ana Sousa" not in caplog.text
    assert "120.00" not in caplog.text
    assert "customer_email" not in caplog.text


def test_the_webhook_takes_posts_only(client, standin, db):
    assert client.get(reverse("payments:webhook")).status_code == 405


def test_the_slot_count_stays_right_through_it_all(hold, session_offering, standin, flush, now):
    """Sanity: a confirmed paid booking blocks exactly its own time."""
    booking, payment = paid(hold)
    flush()
    assert Booking.objects.filter(status__in=Booking.BLOCKING).count() == 1
    assert booking.start == THURSDAY_10_BERLIN
