"""Checkout's return URL carries the Checkout Session id, which ends up in browser history
and access logs: only the browser or the account that started the checkout is sent on to
the booking; anyone else sees one neutral thank-you that names nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from booking import links
from booking.models import Booking
from tests.payments.fixtures import press

pytestmark = pytest.mark.django_db(transaction=True)

THANK_YOU = "Thank you — please check your email"


def back_from_checkout(browser, session_id):
    return browser.get(reverse("payments:checkout_return"), {"session_id": session_id})


def assert_neutral(page, booking=None) -> str:
    text = page.content.decode()
    assert page.status_code == 200
    assert THANK_YOU in text
    assert "no-store" in page["Cache-Control"]
    if booking is not None:
        assert booking.client_name not in text
        assert str(booking.public_id) not in text
        assert links.manage_token(booking) not in text
        assert "Thursday" not in text and "10:00" not in text and "Dec" not in text
    return text


def test_the_browser_that_started_the_checkout_is_sent_to_its_booking(hold, standin, client, now):
    booking, payment, url = hold()
    press(url)

    page = back_from_checkout(client, payment.checkout_session_id)

    booking.refresh_from_db()
    assert page.status_code == 302
    assert page.url == links.manage_path(booking) + "?booked=1"


def test_the_account_that_booked_is_sent_on_from_another_browser(hold, standin, returning, now):
    booking, payment, url = hold(client_user=returning)
    press(url)
    other_device = Client()
    other_device.force_login(returning)

    page = back_from_checkout(other_device, payment.checkout_session_id)

    booking.refresh_from_db()
    assert page.url == links.manage_path(booking) + "?booked=1"


def test_anyone_else_with_a_real_id_sees_the_neutral_page_and_the_webhook_still_confirms(
    hold, standin, flush, now
):
    booking, payment, url = hold()
    press(url)

    page = back_from_checkout(Client(), payment.checkout_session_id)

    assert_neutral(page, booking)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD  # nothing was asked of Stripe for them
    assert flush() == [200]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_another_account_sees_the_neutral_page(hold, standin, returning, django_user_model, now):
    booking, payment, url = hold(client_user=returning)
    press(url)
    someone = Client()
    someone.force_login(django_user_model.objects.create_user(username="ben", email="b@x.org"))

    assert_neutral(back_from_checkout(someone, payment.checkout_session_id), booking)


def test_the_neutral_page_is_the_same_whether_the_id_exists_or_not(hold, standin, now):
    booking, payment, url = hold()
    press(url)

    real = assert_neutral(back_from_checkout(Client(), payment.checkout_session_id), booking)

    for nonsense in ["cs_test_nope", "", "cs_\x00", "cs_" + "x" * 10_000]:
        assert assert_neutral(back_from_checkout(Client(), nonsense)) == real
    assert assert_neutral(Client().get(reverse("payments:checkout_return"))) == real
