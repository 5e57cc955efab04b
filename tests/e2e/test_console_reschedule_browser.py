"""Moving a booking from its console page in Chromium, and the page on a phone."""

import pytest

from booking.models import Booking
from tests.console.booking_support import THURSDAY_14, book_free
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def test_she_moves_a_call_to_another_open_time(console_browser, assessment, now, mailoutbox):
    booking = book_free(assessment)
    mailoutbox.clear()

    page = console_browser(f"/console/bookings/{booking.public_id}/")
    assert_accessible(page, "a booking in the console")
    page.get_by_role("link", name="Move to another time").click()
    page.wait_for_url("**/move/")
    assert_accessible(page, "the week of open times to move it to")

    page.get_by_role("link", name="Thursday 3 December, 14:00").click()
    page.wait_for_url("**/move/?start=*")
    assert_accessible(page, "the confirmation of the move")
    page.get_by_label("A line to the client").fill("Something came up in the morning, sorry.")
    page.get_by_role("button", name="Move it to this time").click()
    page.wait_for_url(f"**/console/bookings/{booking.public_id}/")
    assert_accessible(page, "the booking after the move")

    assert "Moved to Thursday 3 December, 14:00–14:30" in page.locator(".messages").inner_text()
    assert "Moved by you from Thu 3 Dec, 10:00 to Thu 3 Dec, 14:00" in page.inner_text("main")
    booking.refresh_from_db()
    assert booking.start == THURSDAY_14
    assert any("sam@example.org" in m.to for m in mailoutbox)


def test_outside_her_hours_the_browser_asks_first(console_browser, assessment, now):
    booking = book_free(assessment)

    page = console_browser(f"/console/bookings/{booking.public_id}/move/")
    assert_accessible(page, "the move page")
    page.get_by_label("Another date and time").fill("2026-12-03T20:00")
    page.get_by_role("button", name="Check this time").click()
    page.wait_for_url("**/move/?at=*")
    assert_accessible(page, "the question before a time outside her hours")
    assert "This is outside your open hours. Book it anyway?" in page.inner_text("main")
    page.get_by_role("button", name="Yes, move it outside my hours").click()
    page.wait_for_url(f"**/console/bookings/{booking.public_id}/")
    assert_accessible(page, "the booking moved outside her hours")
    booking.refresh_from_db()
    assert booking.start.astimezone(booking.practitioner.zone).hour == 20
    assert booking.status == Booking.Status.CONFIRMED


def test_the_booking_and_its_move_page_fit_a_phone(console_browser, assessment, now):
    booking = book_free(assessment, note="Sleep has been hard since the move.")

    for path, state in (
        (f"/console/bookings/{booking.public_id}/", "a booking on a phone"),
        (f"/console/bookings/{booking.public_id}/move/", "the move page on a phone"),
        (f"/console/bookings/{booking.public_id}/cancel/", "the cancel page on a phone"),
        (f"/console/bookings/{booking.public_id}/note/", "the note page on a phone"),
    ):
        page = console_browser(path, viewport=PHONE)
        assert_accessible(page, state)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{state}: the page must not scroll sideways"
