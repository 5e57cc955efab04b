"""Cancelling a paid booking: refunds by the offering's policy, the practitioner's waiver,
hardship exceptions, and refunds that Stripe could not make at once."""

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command

from booking import booking_changes
from booking.models import Booking
from booking.payments import gateway
from booking.payments import hardship as payment_hardship
from booking.payments import refunds as payment_refunds
from booking.payments.models import HardshipRequest, Payment, Refund
from booking.services import ChangeNotAllowed
from tests.payments.fixtures import press

pytestmark = pytest.mark.django_db(transaction=True)

# Monday 7 December 2026, 10:00 in Berlin: five days after the clock's Wednesday.
MONDAY_10_BERLIN = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)


@pytest.fixture
def confirmed(hold, standin, flush, now):
    """A paid, confirmed session on Monday."""
    booking, payment, url = hold(start=MONDAY_10_BERLIN)
    press(url)
    assert flush() == [200]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    mail.outbox.clear()
    return booking


def emails(to):
    return [m for m in mail.outbox if m.to == [to]]


@pytest.mark.parametrize(
    ("before_start", "percent", "amount"),
    [
        (48 * HOUR, 100, "120.00"),  # exactly 48 h: the full tier includes its boundary
        (48 * HOUR - SECOND, 50, "60.00"),  # a second less: half
        (24 * HOUR, 50, "60.00"),  # exactly 24 h: still half
        (24 * HOUR - SECOND, 0, None),  # a second less: nothing
    ],
)
def test_the_refund_follows_the_policy_at_its_boundaries(
    confirmed, standin, before_start, percent, amount
):
    at = confirmed.start - before_start

    cancellation = payment_refunds.cancel_paid_booking(
        booking=confirmed, actor="practitioner", waive_policy=False, now=at
    )

    assert cancellation.booking.status == Booking.Status.CANCELLED
    assert cancellation.percent == percent
    payment = Payment.objects.get(booking=confirmed)
    if amount is None:
        assert cancellation.refund is None
        assert not Refund.objects.exists()
        assert payment.state == Payment.State.PAID
        assert standin.refunds == {}
        return
    refund = Refund.objects.get()
    assert (refund.amount, refund.percent, refund.decided_by, refund.state) == (
        Decimal(amount),
        percent,
        Refund.DecidedBy.POLICY,
        Refund.State.SUCCEEDED,
    )
    [made] = standin.refunds.values()
    assert made["amount"] == int(Decimal(amount) * 100)
    assert made["payment_intent"] == payment.payment_intent_id
    assert payment.amount_refunded == Decimal(amount)
    assert payment.state == (
        Payment.State.REFUNDED if percent == 100 else Payment.State.PARTIALLY_REFUNDED
    )


def test_the_client_cancels_by_link_and_both_sides_hear_about_the_refund(confirmed, standin):
    at = confirmed.start - 30 * HOUR

    booking_changes.cancel(booking=confirmed, actor="client", now=at)

    [client] = emails("ana@example.org")
    [practitioner] = emails("mara@example.org")
    assert "Under the cancellation policy you will get 50% back: 60.00 EUR." in client.body
    assert "60.00 EUR" in client.alternatives[0][0]
    assert "Refund: 60.00 EUR, 50% of the payment (cancellation policy)." in practitioner.body
    assert Refund.objects.get().state == Refund.State.SUCCEEDED


def test_no_refund_note_says_how_to_ask_for_an_exception(confirmed, standin):
    payment_refunds.cancel_paid_booking(
        booking=confirmed, actor="practitioner", now=confirmed.start - HOUR
    )
    [client] = emails("ana@example.org")
    assert "gives no refund" in client.body
    assert "hardship exception" in client.body
    [practitioner] = emails("mara@example.org")
    assert "No refund (cancellation policy)." in practitioner.body


def test_after_the_cut_off_the_client_cannot_cancel_online(confirmed, standin):
    with pytest.raises(ChangeNotAllowed, match="too close to the start"):
        payment_refunds.cancel_paid_booking(
            booking=confirmed, now=confirmed.start - 24 * HOUR + SECOND
        )
    confirmed.refresh_from_db()
    assert confirmed.status == Booking.Status.CONFIRMED


def test_the_practitioner_can_always_waive_the_policy(confirmed, standin):
    cancellation = payment_refunds.cancel_paid_booking(
        booking=confirmed, actor="practitioner", waive_policy=True, now=confirmed.start - HOUR
    )
    assert cancellation.refund.amount == Decimal("120.00")
    assert cancellation.refund.decided_by == Refund.DecidedBy.PRACTITIONER
    [client] = emails("ana@example.org")
    assert "You will get a full refund of 120.00 EUR." in client.body


def test_a_client_cannot_waive_the_policy(confirmed, standin):
    with pytest.raises(ChangeNotAllowed, match=payment_refunds.ONLY_PRACTITIONER_WAIVES):
        payment_refunds.cancel_paid_booking(booking=confirmed, actor="client", waive_policy=True)


def test_plain_cancel_by_the_practitioner_refunds_in_full(confirmed, standin):
    booking_changes.cancel(booking=confirmed, actor="practitioner", now=confirmed.start - HOUR)
    assert Refund.objects.get().decided_by == Refund.DecidedBy.PRACTITIONER


def test_cancelling_twice_refunds_once(confirmed, standin):
    payment_refunds.cancel_paid_booking(booking=confirmed, now=confirmed.start - 72 * HOUR)
    with pytest.raises(ChangeNotAllowed, match="cancelled"):
        payment_refunds.cancel_paid_booking(booking=confirmed, now=confirmed.start - 72 * HOUR)
    assert len(standin.refunds) == 1


def test_an_approved_hardship_refunds_in_full_even_after_the_cut_off(confirmed, standin, now):
    request = payment_hardship.request_hardship(booking=confirmed)
    [asked] = emails("mara@example.org")
    assert "hardship" in asked.subject.lower()
    assert f"/console/bookings/{confirmed.public_id}/" in asked.body
    assert "/admin/" not in asked.body

    payment_hardship.decide_hardship(request=request, approve=True)
    [answer] = emails("ana@example.org")
    assert "approved" in answer.subject
    assert "/booking/" in answer.body  # the link to cancel

    two_hours_before = confirmed.start - 2 * HOUR
    assert payment_refunds.client_can_cancel(confirmed, now=two_hours_before)
    assert not booking_changes.client_can_change(confirmed, now=two_hours_before)
    assert payment_refunds.cancellation_terms(confirmed, now=two_hours_before) == (
        100,
        Refund.DecidedBy.HARDSHIP,
    )
    cancellation = payment_refunds.cancel_paid_booking(booking=confirmed, now=two_hours_before)
    assert cancellation.refund.amount == Decimal("120.00")
    assert cancellation.refund.decided_by == Refund.DecidedBy.HARDSHIP


def test_a_declined_hardship_leaves_the_policy(confirmed, standin):
    request = payment_hardship.request_hardship(booking=confirmed)
    payment_hardship.decide_hardship(request=request, approve=False)

    assert "cannot make one" in emails("ana@example.org")[0].body
    assert not payment_refunds.client_can_cancel(confirmed, now=confirmed.start - 2 * HOUR)
    with pytest.raises(ChangeNotAllowed, match="too close"):
        payment_refunds.cancel_paid_booking(booking=confirmed, now=confirmed.start - 2 * HOUR)
    assert payment_refunds.cancellation_terms(confirmed, now=confirmed.start - 30 * HOUR) == (
        50,
        Refund.DecidedBy.POLICY,
    )


def test_hardship_after_cancelling_refunds_the_rest(confirmed, standin):
    payment_refunds.cancel_paid_booking(booking=confirmed, now=confirmed.start - 30 * HOUR)  # 50 %
    request = payment_hardship.request_hardship(booking=confirmed)
    payment_hardship.decide_hardship(request=request, approve=True)

    assert sorted(Refund.objects.values_list("amount", "decided_by")) == [
        (Decimal("60.00"), Refund.DecidedBy.HARDSHIP),
        (Decimal("60.00"), Refund.DecidedBy.POLICY),
    ]
    payment = Payment.objects.get(booking=confirmed)
    assert payment.state == Payment.State.REFUNDED
    assert sum(r["amount"] for r in standin.refunds.values()) == 12000


def test_hardship_is_asked_once_and_decided_once(confirmed, standin):
    request = payment_hardship.request_hardship(booking=confirmed)
    with pytest.raises(ChangeNotAllowed, match=payment_hardship.HARDSHIP_EXISTS):
        payment_hardship.request_hardship(booking=confirmed)
    payment_hardship.decide_hardship(request=request, approve=True)
    with pytest.raises(ChangeNotAllowed, match="already been approved"):
        payment_hardship.decide_hardship(request=request, approve=False)
    assert HardshipRequest.objects.get().state == HardshipRequest.State.APPROVED


def test_hardship_is_for_paid_bookings(assessment, standin, now):
    from tests.factories import insert_booking

    free = insert_booking(assessment, MONDAY_10_BERLIN)
    with pytest.raises(ChangeNotAllowed, match=payment_hardship.HARDSHIP_NOT_PAID):
        payment_hardship.request_hardship(booking=free)


def test_a_refund_stripe_could_not_make_is_retried_with_the_same_key(confirmed, standin):
    standin.fail_next("/v1/refunds", status=503)

    cancellation = payment_refunds.cancel_paid_booking(
        booking=confirmed, actor="practitioner", waive_policy=True
    )
    refund = Refund.objects.get(pk=cancellation.refund.pk)
    assert (refund.state, refund.attempts) == (Refund.State.PENDING, 1)
    assert standin.refunds == {}

    out = io.StringIO()
    call_command("retry_refunds", "--older-than-minutes=0", stdout=out)
    assert out.getvalue() == "1 refund(s) submitted.\n"

    refund.refresh_from_db()
    assert refund.state == Refund.State.SUCCEEDED
    assert len(standin.refunds) == 1
    payment = Payment.objects.get(booking=confirmed)
    assert payment.state == Payment.State.REFUNDED


def test_a_refund_stripe_refuses_is_marked_failed_for_the_practitioner(confirmed, standin, flush):
    charge = standin.charge_for(Payment.objects.get(booking=confirmed).checkout_session_id)
    standin.charges[charge["id"]]["amount_refunded"] = 12000  # refunded in Stripe's dashboard

    cancellation = payment_refunds.cancel_paid_booking(
        booking=confirmed, actor="practitioner", waive_policy=True
    )

    refund = Refund.objects.get(pk=cancellation.refund.pk)
    assert (refund.state, refund.error_code) == (Refund.State.FAILED, "charge_already_refunded")


def test_one_refund_decision_refunds_once_however_often_it_is_sent(confirmed, standin):
    payment = Payment.objects.get(booking=confirmed)
    first = gateway.create_refund(payment, Decimal("10.00"), idempotency_key="refund-once")
    second = gateway.create_refund(payment, Decimal("10.00"), idempotency_key="refund-once")
    assert first.id == second.id
    assert len(standin.refunds) == 1
