"""The booking limits in a real Chromium: a busy network is asked to confirm by email, and
over the limit the page says how long to wait, with what was typed kept (the consent tick
too), and the confirm link, once used, leads no further."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core import mail
from django.utils import timezone

from booking import selectors
from booking.models import Booking
from tests.e2e.axe import assert_accessible
from tests.factories import make_offering, make_practitioner

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fill_and_book(page, base: str, start: str, name: str, email: str):
    page.goto(f"{base}/book/assessment/details/?start={quote(start)}&tz=Europe/Berlin")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile("I agree")).check()
    with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
        page.get_by_role("button", name="Book this call").click()
    page.wait_for_load_state()
    return posted.value


def test_a_busy_network_confirms_by_email_and_a_paused_booking_keeps_its_details(
    browser, live_server, settings
):
    settings.FREE_CALLS_PER_NETWORK = "1/d"
    settings.BOOKING_RATE_LIMITS = {"book": {"ip": "2/h", "email": "5/h"}}
    offering = make_offering(make_practitioner(), min_notice_minutes=60)
    now = timezone.now()
    free = selectors.available_slots(
        offering=offering, start=now, end=now + timedelta(days=21), now=now
    )
    starts = [slot.start.isoformat() for slot in free[::2][:3]]
    page = browser.new_context(locale="en-GB", timezone_id="Europe/Berlin").new_page()
    base = live_server.url

    fill_and_book(page, base, starts[0], "Ana Sousa", "ana@example.org")
    page.get_by_role("heading", name="You're booked").wait_for()
    assert_accessible(page, "booked at once")

    fill_and_book(page, base, starts[1], "Robin Lee", "robin@example.org")
    page.get_by_role("heading", name="Check your email to confirm").wait_for()
    assert "r…@example.org" in page.locator(".lead").inner_text()
    assert_accessible(page, "check your email to confirm")
    [request] = [m for m in mail.outbox if m.to == ["robin@example.org"]]

    answer = fill_and_book(page, base, starts[2], "Sam Reyes", "sam@example.org")
    assert answer.status == 429
    assert int(answer.headers["retry-after"]) > 0
    page.get_by_role("heading", name="Please wait a moment").wait_for()
    assert_accessible(page, "the booking paused (429)")
    page.get_by_role("link", name="Back to your details").click()
    assert page.get_by_label("Your name").input_value() == "Sam Reyes"
    assert page.get_by_label("Email").input_value() == "sam@example.org"
    assert page.get_by_label(re.compile("I agree")).is_checked()
    assert_accessible(page, "the details kept after the pause")

    link = re.search(r"http://testserver(/booking/\S+/confirm/)", request.body).group(1)
    page.goto(base + link)
    assert_accessible(page, "confirm your call")
    page.get_by_role("button", name="Confirm my booking").click()
    page.get_by_role("heading", name="You're booked").wait_for()
    assert_accessible(page, "booked once confirmed")
    assert Booking.objects.get(client_email="robin@example.org").status == "confirmed"
    # The emailed link, opened again, says so and leads no further.
    page.goto(base + link)
    page.get_by_role("heading", name="This booking is confirmed").wait_for()
    assert page.get_by_role("link", name=re.compile("change|cancel", re.I)).count() == 0
    assert_accessible(page, "the confirm link once confirmed")
    assert Booking.objects.filter(client_email="sam@example.org").count() == 0
