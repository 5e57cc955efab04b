"""A payment that arrives after its hold ended and cannot have its time is refunded, and the
client's page and email say the real reason, decided when the payment arrived: someone
else's booking only when there was one."""

import html
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from booking.models import BusyBlock
from booking.payments.models import Refund
from booking.refusals import Unbookable
from tests.payments.fixtures import THURSDAY_10_BERLIN, press

pytestmark = pytest.mark.django_db(transaction=True)

# 10:00 in Berlin, as the client in New York reads it
WANTED = "Thursday 3 December, 4:00 AM (New York time)"
LATE = "Your payment reached us after the time we could hold for you had ended."
SORRY = (
    "We are sorry. Nothing is booked for you, and we have refunded your payment in full; "
    "we have emailed you about it too."
)


def pay_late(hold, standin, deliver, client, *, late_by=timedelta(minutes=5), meanwhile=None):
    """Ana pays, and her completed event arrives ``late_by`` after her hold ended, once
    ``meanwhile`` has happened; the refund, its email and the page Checkout returns to."""
    booking, payment, url = hold()
    press(url)
    [completed] = standin.take_outbox()
    with time_machine.travel(booking.hold_expires_at + late_by, tick=True):
        if meanwhile is not None:
            meanwhile(booking)
        mail.outbox.clear()
        assert deliver(completed).json()["outcome"] == "refunded"
        [letter] = mail.outbox
        page = client.get(
            reverse("payments:checkout_return"), {"session_id": payment.checkout_session_id}
        )
    assert page.status_code == 200
    return Refund.objects.get(), letter, page.content.decode()


def assert_says(letter, page, *, title: str, why: str) -> None:
    assert f"<h1>{title}</h1>" in page
    assert f'<p class="lead">{LATE} {why}</p>' in html.unescape(page)
    assert SORRY in page
    assert why in letter.body
    assert (
        "Your payment reached us after the time we could hold for you had ended, so we could "
        "not book this time for you:"
    ) in letter.body
    assert f'<p style="margin:0 0 16px;">{why}</p>' in html.unescape(letter.alternatives[0][0])
    assert letter.subject == "Your payment to Lindqvist Coaching is refunded in full"
    assert "120.00 EUR" in letter.body


def test_a_time_someone_else_booked_meanwhile_says_so(hold, standin, deliver, client, now):
    refund, letter, page = pay_late(
        hold, standin, deliver, client, meanwhile=lambda booking: hold(email="ben@example.org")
    )

    assert refund.reason == Unbookable.TAKEN
    assert_says(
        letter,
        page,
        title="That time was taken while you paid",
        why=f"Someone else booked {WANTED} in the meantime.",
    )


def test_her_busy_time_is_named_and_no_one_is_blamed(
    hold, standin, deliver, client, practitioner, now
):
    def busy(booking):
        BusyBlock.objects.create(practitioner=practitioner, start=booking.start, end=booking.end)

    refund, letter, page = pay_late(hold, standin, deliver, client, meanwhile=busy)

    assert refund.reason == Unbookable.BUSY
    assert_says(
        letter,
        page,
        title="That time is no longer free",
        why=f"Dr. Mara Lindqvist is no longer free at {WANTED}.",
    )
    assert "Someone" not in page and "someone" not in letter.body


def test_a_time_that_has_started_says_it_has_passed(hold, standin, deliver, client, now):
    hold_ends = now + timedelta(minutes=31)
    started = THURSDAY_10_BERLIN + timedelta(minutes=10) - hold_ends

    refund, letter, page = pay_late(hold, standin, deliver, client, late_by=started)

    assert refund.reason == Unbookable.PAST
    assert_says(
        letter, page, title="That time has passed", why=f"{WANTED} is already in the past."
    )
    assert "Someone" not in page and "someone" not in letter.body


def test_the_clients_own_newer_hold_is_theirs_not_someone_elses(
    hold, standin, deliver, client, now
):
    refund, letter, page = pay_late(
        hold, standin, deliver, client, meanwhile=lambda booking: hold()
    )

    assert refund.reason == Unbookable.OWN_HOLD
    assert_says(
        letter,
        page,
        title="That time is held for your newer payment",
        why=(
            f"Since then you started paying for {WANTED} again, and that payment page holds "
            "the time for you: you can finish paying there, or choose another time."
        ),
    )
    assert "Someone" not in page and "someone" not in letter.body


def test_a_day_that_filled_its_cap_meanwhile_is_fully_booked_and_refunded(
    hold, standin, deliver, client, session_offering, now
):
    session_offering.daily_cap = 1
    session_offering.save()

    refund, letter, page = pay_late(
        hold,
        standin,
        deliver,
        client,
        meanwhile=lambda booking: hold(
            start=booking.start + timedelta(hours=2), email="ben@x.org"
        ),
    )

    assert refund.reason == Unbookable.FULLY_BOOKED
    assert_says(
        letter,
        page,
        title="That day is fully booked",
        why=(
            f"{WANTED} is on a day that is fully booked: Dr. Mara Lindqvist sees a limited "
            "number of people each day."
        ),
    )


def test_a_refund_from_before_reasons_were_recorded_blames_no_one(
    hold, standin, deliver, client, now
):
    refund, _letter, _page = pay_late(
        hold, standin, deliver, client, meanwhile=lambda booking: hold(email="ben@example.org")
    )
    Refund.objects.filter(pk=refund.pk).update(reason="")

    page = client.get(
        reverse("payments:checkout_return"),
        {"session_id": refund.payment.checkout_session_id},
    ).content.decode()

    assert "<h1>That time could not be kept for you</h1>" in page
    assert f"{LATE} {WANTED} could no longer be booked when your payment arrived." in page
    assert "Someone" not in page


def test_the_admin_names_why_a_late_payment_was_refunded(
    hold, standin, deliver, client, admin_client, practitioner, now
):
    def busy(booking):
        BusyBlock.objects.create(practitioner=practitioner, start=booking.start, end=booking.end)

    refund, _letter, _page = pay_late(hold, standin, deliver, client, meanwhile=busy)

    page = admin_client.get(reverse("admin:payments_refund_change", args=[refund.pk]))
    text = page.content.decode()
    assert "Payment arrived after its hold ended" in text
    assert "That time is no longer free" in text
    assert "slot was taken" not in text
