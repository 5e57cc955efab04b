"""The paid journey on the pages: confirm and pay, then the booking's page, refund terms,
the hardship request and the receipt."""

from datetime import timedelta

import pytest
from django.core import mail

from booking import links
from booking.models import Booking
from booking.payments.models import HardshipRequest, Payment, Refund
from tests.factories import insert_booking
from tests.payments.fixtures import THURSDAY_10_BERLIN, press

pytestmark = pytest.mark.django_db(transaction=True)

SLOT_PARAM = THURSDAY_10_BERLIN.strftime("%Y-%m-%dT%H:%M:%SZ")


def pay_on_the_pages(client, returning, flush) -> Booking:
    client.force_login(returning)
    page = client.get(f"/book/session/details/?start={SLOT_PARAM}&tz=America/New_York")
    text = page.content.decode()
    assert "Confirm your session" in text
    assert "48 hours or more before the start: a full refund" in text
    response = client.post(
        "/book/session/details/",
        {"start": SLOT_PARAM, "timezone": "America/New_York", "name": "Ana", "consent": "on"},
    )
    assert response.status_code == 302
    answer = press(response["Location"])
    assert flush() == [200]
    back = client.get(answer.headers["Location"].removeprefix("http://testserver"))
    booking = Booking.objects.get()
    assert back.url == links.manage_path(booking) + "?booked=1"
    return booking


def test_a_returning_client_pays_on_the_pages_and_sees_the_paid_booking(
    client, returning, session_offering, standin, flush, now
):
    booking = pay_on_the_pages(client, returning, flush)

    assert booking.status == Booking.Status.CONFIRMED
    assert booking.client == returning
    page = client.get(links.manage_path(booking) + "?booked=1").content.decode()
    assert "You're booked" in page
    assert "120.00 EUR · Paid" in page
    assert f'href="{links.manage_path(booking)}receipt/">Receipt</a>' in page
    assert "Ask for an exception" in page
    receipt = client.get(links.manage_path(booking) + "receipt/").content.decode()
    assert "120.00 EUR on 2 December 2026" in receipt
    assert "Receipt" in client.get("/my/bookings/").content.decode()


def test_visitors_who_are_not_signed_in_are_asked_to_sign_in_before_paying(
    client, session_offering, now
):
    session_offering.returning_clients_only = False
    session_offering.save()
    response = client.get(f"/book/session/details/?start={SLOT_PARAM}")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/code/?next=")
    assert not Booking.objects.exists()


def test_cancelling_shows_the_refund_first_and_then_refunds_it(
    client, returning, session_offering, standin, flush, now, time_machine
):
    booking = pay_on_the_pages(client, returning, flush)
    time_machine.move_to(booking.start - timedelta(hours=30))  # half back from 24 h
    path = links.manage_path(booking)

    page = client.get(path + "cancel/").content.decode()
    assert "you'll get 60.00 EUR back (50 %)" in page
    assert "ask for an exception" in page

    client.post(path + "cancel/")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    refund = Refund.objects.get()
    assert (refund.amount, refund.percent) == (60, 50)


def test_asking_for_an_exception_reaches_the_practitioner_once(
    client, returning, session_offering, standin, flush, now
):
    booking = pay_on_the_pages(client, returning, flush)
    path = links.manage_path(booking)
    mail.outbox.clear()

    client.post(path + "hardship/")
    assert HardshipRequest.objects.get(booking=booking).state == HardshipRequest.State.REQUESTED
    assert [m.to[0] for m in mail.outbox] == ["mara@example.org"]
    page = client.get(path).content.decode()
    assert "You asked for an exception. Dr. Mara Lindqvist will answer by email." in page
    assert "Ask for an exception" not in page

    client.post(path + "hardship/")
    assert HardshipRequest.objects.count() == 1


def test_a_free_booking_has_no_receipt(client, assessment, now):
    booking = insert_booking(assessment, THURSDAY_10_BERLIN)
    assert client.get(links.manage_path(booking) + "receipt/").status_code == 404
    assert not Payment.objects.exists()
