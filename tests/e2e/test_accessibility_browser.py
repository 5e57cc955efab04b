"""axe over the pages whose flaws it once found: the week's headings, the muted badge."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from booking.models import Booking
from tests.accounts.support import make_user
from tests.e2e.axe import assert_accessible, violations
from tests.factories import insert_booking, make_offering, make_practitioner

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_weeks_day_headings_follow_a_heading_of_their_own(browser, live_server):
    make_offering(make_practitioner(), min_notice_minutes=60)
    page = browser.new_page()
    page.goto(f"{live_server.url}/book/assessment/?tz=Europe/Berlin")
    # heading-order is "moderate" to axe, below what assert_accessible fails on: asked here.
    assert [v["id"] for v in violations(page) if v["id"] == "heading-order"] == []
    assert page.locator("h2").first.inner_text().startswith("Open times from")
    assert_accessible(page, "the week")
    page.close()


def test_a_cancelled_booking_in_my_bookings_has_a_readable_badge(browser, live_server):
    offering = make_offering(make_practitioner())
    user = make_user("sam@example.org")
    insert_booking(
        offering,
        timezone.now() + timedelta(days=3),
        status=Booking.Status.CANCELLED,
        email=user.email,
    )
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/my/bookings/")
    page.locator(".badge.muted").wait_for()
    assert_accessible(page, "my bookings with a cancelled one")
    context.close()
