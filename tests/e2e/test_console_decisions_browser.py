"""Her decisions on a booking's page in Chromium: a hardship request approved with her line
(after confirming who she is), a hold released; and those pages on a phone."""

from datetime import timedelta

import pytest
from django.core import mail

from booking.models import Booking
from booking.payments import hardship as payment_hardship
from booking.payments.models import HardshipRequest
from tests.console.support import sign_in_with_factor
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE
from tests.payments.fixtures import THURSDAY_10_BERLIN

pytestmark = pytest.mark.django_db(transaction=True)


def test_she_approves_a_hardship_request_with_a_line_to_the_client(
    paid, standin, console_browser, client, practitioner_user
):
    request = payment_hardship.request_hardship(booking=paid)
    mail.outbox.clear()
    sign_in_with_factor(client, practitioner_user, reauthenticated=True)
    path = f"/console/bookings/{paid.public_id}/"

    phone = console_browser(path, viewport=PHONE)
    assert_accessible(phone, "a hardship request on a phone")
    assert "Ana Sousa asks for a hardship exception" in phone.inner_text("main")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the request must not scroll sideways on a phone"

    page = console_browser(path)
    assert_accessible(page, "a hardship request on the booking's page")
    page.get_by_label("A line to them").fill("Of course. Take care of yourself.")
    page.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_url(f"**{path}")
    assert_accessible(page, "the booking after approving the request")

    assert "Approved. If Ana cancels before the start" in page.locator(".messages").inner_text()
    assert "Hardship exception approved by you; Ana was emailed" in page.inner_text("main")
    request.refresh_from_db()
    assert request.state == HardshipRequest.State.APPROVED
    [answer] = [m for m in mail.outbox if m.to == ["ana@example.org"]]
    assert "“Of course. Take care of yourself.”" in answer.body


def test_she_releases_a_held_time(hold, standin, console_browser):
    booking, _payment, _checkout = hold(start=THURSDAY_10_BERLIN + timedelta(days=1))
    path = f"/console/bookings/{booking.public_id}/"

    phone = console_browser(path, viewport=PHONE)
    assert_accessible(phone, "a held booking on a phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the held booking must not scroll sideways on a phone"

    page = console_browser(path)
    assert_accessible(page, "a held booking")
    page.get_by_role("button", name="Release this time").click()
    page.wait_for_url(f"**{path}")
    assert_accessible(page, "the booking after releasing its time")

    assert "Released: the time is free again." in page.locator(".messages").inner_text()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
