"""The decisions she used to take in the admin, now on the booking's page: a client's
hardship request approved or declined (with her line to them), and a hold for payment she
releases herself. Each one's effect, its email, its history row; the refund through the
Stripe stand-in; re-authentication before a refund; nobody but her gets in.
"""

from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse

from booking import attendance, selectors
from booking.models import Booking, BookingEvent
from booking.payments import hardship as payment_hardship
from booking.payments import payment_links, refunds
from booking.payments.models import HardshipRequest, Payment, Refund
from tests.console.support import make_account, sign_in_with_factor
from tests.factories import insert_booking
from tests.payments.fixtures import THURSDAY_10_BERLIN

pytestmark = pytest.mark.django_db(transaction=True)

LINE = "Of course. I hope things ease soon."


def url(name, booking):
    return reverse(f"console:{name}", args=[booking.public_id])


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def page_of(client, booking) -> str:
    return unescape(client.get(url("booking", booking)).content.decode())


@pytest.fixture
def asked(paid):
    """Ana's paid session (25 h ahead) with her hardship request; the emails cleared."""
    request = payment_hardship.request_hardship(booking=paid)
    mail.outbox.clear()
    return request


@pytest.fixture
def fresh(client, practitioner_user, paid):
    """Her console, signed in and confirmed who she is just now."""
    sign_in_with_factor(client, practitioner_user, reauthenticated=True)
    return client


# --- hardship -----------------------------------------------------------------------------


def test_her_request_email_says_she_decides_it_in_the_console(paid, practitioner):
    payment_hardship.request_hardship(booking=paid)

    [message] = to(practitioner.email)
    assert "Approve or decline it from the booking in your console" in message.body
    assert f"/console/bookings/{paid.public_id}/" in message.body
    assert "Open the booking" not in message.body


def test_the_page_shows_the_request_and_when_it_came(console, asked):
    page = page_of(console, asked.booking)

    assert "Ana Sousa asks for a hardship exception" in page
    assert "a one-time full refund of 120.00 EUR if they cancel, whatever the notice" in page
    assert "Asked Wednesday 2 December, 09:00: a one-time full refund" in page
    assert 'value="approve"' in page and 'value="decline"' in page
    assert "asked for a hardship exception (a full refund whatever the notice)" in page


def test_approving_asks_her_to_confirm_who_she_is_first(console, asked):
    response = console.post(
        url("booking_hardship", asked.booking), {"answer": "approve", "reply_line": LINE}
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")
    asked.refresh_from_db()
    assert asked.state == HardshipRequest.State.REQUESTED
    assert to("ana@example.org") == []


def test_approving_before_they_cancel_gives_a_full_refund_on_cancelling(
    fresh, asked, practitioner_user, standin
):
    response = fresh.post(
        url("booking_hardship", asked.booking), {"answer": "approve", "reply_line": LINE}
    )

    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.state == HardshipRequest.State.APPROVED
    assert asked.decided_by == practitioner_user
    assert asked.reply_line == LINE
    [answer] = to("ana@example.org")
    assert "approved" in answer.subject
    assert "full refund of 120.00 EUR" in answer.body
    assert f"Dr. Mara Lindqvist writes: “{LINE}”" in answer.body
    assert "/booking/" in answer.body  # the link to cancel
    assert Refund.objects.count() == 0  # nothing to refund until they cancel
    page = page_of(fresh, asked.booking)
    assert "If Ana cancels before the start, they get a full refund" in page
    assert "Hardship exception approved by you; Ana was emailed" in page
    assert f"Your note to them: “{LINE}”" in page
    assert 'value="approve"' not in page  # decided: the form is gone
    assert "Approved by you" in page  # the money card

    two_hours_before = asked.booking.start - timedelta(hours=2)
    cancellation = refunds.cancel_paid_booking(booking=asked.booking, now=two_hours_before)
    assert cancellation.refund.amount == Decimal("120.00")
    assert cancellation.refund.decided_by == Refund.DecidedBy.HARDSHIP


def test_approving_after_they_cancelled_refunds_the_rest_through_stripe(
    fresh, paid, standin, flush
):
    refunds.cancel_paid_booking(booking=paid, now=paid.start - timedelta(hours=25))  # 50 %
    request = payment_hardship.request_hardship(booking=paid)
    mail.outbox.clear()

    page = page_of(fresh, paid)
    assert "Approve and refund 60.00 EUR" in page
    assert (
        "the rest of their payment back (60.00 EUR of 120.00 EUR) for the session they "
        "have already cancelled" in page
    )
    response = fresh.post(url("booking_hardship", paid), {"answer": "approve"})

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == HardshipRequest.State.APPROVED
    assert sorted(Refund.objects.values_list("amount", "decided_by")) == [
        (Decimal("60.00"), Refund.DecidedBy.HARDSHIP),
        (Decimal("60.00"), Refund.DecidedBy.POLICY),
    ]
    assert sum(r["amount"] for r in standin.refunds.values()) == 12000
    assert Payment.objects.get(booking=paid).state == Payment.State.REFUNDED
    [answer] = to("ana@example.org")
    assert "We are refunding 60.00 EUR to you now" in answer.body
    assert "writes:" not in answer.body  # she wrote no line
    page = page_of(fresh, paid)
    assert "Ana gets the rest of the payment back" in page
    assert "Hardship exception approved by you" in page


def test_declining_needs_no_confirmation_and_tells_them_kindly(console, asked):
    response = console.post(
        url("booking_hardship", asked.booking),
        {"answer": "decline", "reply_line": "Let us talk on Thursday."},
    )

    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.state == HardshipRequest.State.DECLINED
    [answer] = to("ana@example.org")
    assert "cannot make one this time" in answer.body
    assert "Dr. Mara Lindqvist writes: “Let us talk on Thursday.”" in answer.body
    assert Refund.objects.count() == 0
    page = page_of(console, asked.booking)
    assert "Declined. Ana has been emailed your answer." in page
    assert "Hardship exception declined by you; Ana was emailed" in page


def test_a_line_too_long_comes_back_with_its_error_and_decides_nothing(console, asked):
    response = console.post(
        url("booking_hardship", asked.booking), {"answer": "decline", "reply_line": "x" * 501}
    )

    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "Please keep your line to 500 characters or fewer." in page
    assert 'id="error-summary"' in page
    asked.refresh_from_db()
    assert asked.state == HardshipRequest.State.REQUESTED
    assert to("ana@example.org") == []


def test_a_request_answered_already_is_not_answered_twice(console, asked):
    console.post(url("booking_hardship", asked.booking), {"answer": "decline"})
    mail.outbox.clear()

    response = console.post(url("booking_hardship", asked.booking), {"answer": "decline"})

    assert response.status_code == 302
    assert "already been answered" in page_of(console, asked.booking)
    assert to("ana@example.org") == []


@pytest.mark.parametrize("who", ["client", "staff"])
def test_no_one_else_can_decide_or_release(client, asked, who):
    fields = {"client": {}, "staff": {"is_staff": True}}
    user = make_account(f"{who}@example.org", **fields[who])
    if who == "staff":
        user.user_permissions.set(Permission.objects.all())
    sign_in_with_factor(client, user, reauthenticated=True)

    for name, data in [("booking_hardship", {"answer": "approve"}), ("booking_release", {})]:
        assert client.post(url(name, asked.booking), data).status_code == 404

    asked.refresh_from_db()
    assert asked.state == HardshipRequest.State.REQUESTED


# --- releasing a hold ---------------------------------------------------------------------


def book_by_link(console, offering) -> Booking:
    console.post(
        "/console/book/",
        {
            "step": "review",
            "name": "Robin Vale",
            "email": "robin@example.org",
            "tz": "America/New_York",
            "offering": offering.slug,
            "slot": THURSDAY_10_BERLIN.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "paid_by": "link",
        },
    )
    booking = Booking.objects.get(client_email="robin@example.org")
    assert booking.status == Booking.Status.HELD
    mail.outbox.clear()
    return booking


def test_releasing_a_payment_link_frees_the_time_and_tells_the_client(
    console, session_offering, standin, now
):
    booking = book_by_link(console, session_offering)
    Client().get(payment_links.pay_path(booking))  # the client opened Checkout once
    session_id = Payment.objects.get(booking=booking).checkout_session_id
    assert "Release this time" in page_of(console, booking)

    response = console.post(url("booking_release", booking))

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    event = booking.events.get(kind=BookingEvent.Kind.EXPIRED)
    assert (event.actor, event.data["reason"]) == ("practitioner", "released_by_practitioner")
    assert Payment.objects.get(booking=booking).state == Payment.State.EXPIRED
    assert standin.sessions[session_id]["status"] == "expired"
    assert selectors.is_bookable(offering=session_offering, start=booking.start, now=now)
    [told] = to("robin@example.org")
    assert "is free again" in told.subject
    assert "The payment link we sent no longer works, and nothing was charged." in told.body
    ended = Client().get(payment_links.pay_path(booking))
    assert "This time is no longer held" in ended.content.decode()
    page = page_of(console, booking)
    assert "Released: the time is free again. Robin has been emailed" in page
    assert "Released by you before it was paid, so the time was freed" in page
    assert "Released by you — never paid" in page
    assert "Release this time" not in page


def test_releasing_a_self_checkout_closes_it_without_an_email(console, hold, standin, now):
    booking, payment, _checkout = hold()
    mail.outbox.clear()

    console.post(url("booking_release", booking))

    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    assert standin.sessions[payment.checkout_session_id]["status"] == "expired"
    assert to("ana@example.org") == []
    assert "Released: the time is free again." in page_of(console, booking)


def test_a_booking_no_longer_held_is_not_released(console, paid):
    response = console.post(url("booking_release", paid))

    assert response.status_code == 302
    paid.refresh_from_db()
    assert paid.status == Booking.Status.CONFIRMED
    assert "This booking is confirmed: there is no hold to release." in page_of(console, paid)


# --- undoing an attendance mark -----------------------------------------------------------


def test_a_no_show_marked_by_mistake_is_undone_the_same_day(console, assessment, now):
    booking = insert_booking(assessment, now - timedelta(minutes=20))
    console.post(url("booking_attendance", booking), {"attended": "no"})
    assert "Undo “Marked as a no-show”" in page_of(console, booking)

    response = console.post(url("booking_attendance_undo", booking))

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    event = booking.events.order_by("-at", "-pk").first()
    assert (event.kind, event.actor, event.data) == (
        "attendance_undone",
        "practitioner",
        {"undone": "no_show"},
    )
    page = page_of(console, booking)
    assert "Undone: it is no longer marked as a no-show." in page
    assert "The mark as a no-show undone by you; confirmed again" in page
    assert "Mark as held" in page  # she can mark it again, rightly this time
    console.post(url("booking_attendance", booking), {"attended": "yes"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED


def test_a_mark_from_another_day_stays(console, assessment, now):
    booking = insert_booking(assessment, now - timedelta(minutes=20))
    console.post(url("booking_attendance", booking), {"attended": "yes"})

    with time_machine.travel(now + timedelta(days=1), tick=True):
        assert "Undo “Marked as held”" not in page_of(console, booking)
        response = console.post(url("booking_attendance_undo", booking), follow=True)

    assert attendance.TOO_LATE_TO_UNDO in unescape(response.content.decode())
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED


def test_undoing_never_overlaps_a_booking_made_since(console, assessment, now):
    booking = insert_booking(assessment, now - timedelta(minutes=20))
    console.post(url("booking_attendance", booking), {"attended": "yes"})
    insert_booking(assessment, now, email="later@example.org")  # in the freed time

    response = console.post(url("booking_attendance_undo", booking), follow=True)

    assert attendance.TIME_TAKEN in unescape(response.content.decode())
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED
    assert not booking.events.filter(kind="attendance_undone").exists()
