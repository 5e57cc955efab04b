"""Book for a client in Chromium: a session for a new client on a desktop, step by step,
and every step again on a phone, axe over each state."""

import pytest

from booking.models import Booking
from booking.payments.models import Payment
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], "the page must not scroll sideways"


def walk(page, *, paid_by: str, label: str) -> None:
    """Who (after an empty try), what, when, how it is paid, review, Book."""
    assert page.locator("h2.step-title").inner_text() == "Step 1 of 5: Who is it for?"
    assert_accessible(page, f"who, {label}")
    fits(page)
    page.get_by_role("button", name="Continue").click()
    assert "Two things to fix" in page.locator("#error-summary").inner_text()
    assert_accessible(page, f"who with its errors, {label}")
    page.get_by_label("Name", exact=True).fill("Robin Vale")
    page.get_by_label("Email", exact=True).fill("robin@example.org")
    page.get_by_label("Find their city or country").fill("new york")
    assert page.locator("#id_tz").input_value() == "America/New_York"
    page.get_by_role("button", name="Continue").click()

    assert_accessible(page, f"what, {label}")
    fits(page)
    page.get_by_label("Single session").check()
    page.get_by_role("button", name="Continue").click()

    assert "Step 3 of 5: When?" in page.locator("h2.step-title").inner_text()
    assert "Robin Vale's time (New York)" in page.locator("fieldset.slots legend").inner_text()
    assert_accessible(page, f"when, {label}")
    fits(page)
    page.locator(".slot-choice label").first.click()
    page.locator("form:not(.week-nav)").get_by_role("button", name="Continue").click()

    assert_accessible(page, f"how it is paid, {label}")
    fits(page)
    page.get_by_label(paid_by).check()
    page.get_by_role("button", name="Continue").click()

    assert "Check and book" in page.locator("h2.step-title").inner_text()
    assert "Robin gets a confirmation email" in page.locator("ul.next").inner_text()
    assert_accessible(page, f"the review, {label}")
    fits(page)
    page.get_by_role("button", name="Book", exact=True).click()
    assert "Booked: Robin Vale's session" in page.locator(".messages").inner_text()
    assert_accessible(page, f"the booking, booked, {label}")


def test_she_books_a_session_for_a_new_client(console_browser, session_offering):
    page = console_browser("/console/book/")

    walk(page, paid_by="Paid outside", label="desktop")

    booking = Booking.objects.get()
    assert booking.status == Booking.Status.CONFIRMED
    assert (booking.client_name, booking.client_timezone) == ("Robin Vale", "America/New_York")
    assert booking.events.get().actor == "practitioner"
    assert Payment.objects.get().method == Payment.Method.OUTSIDE


def test_each_step_on_a_phone(console_browser, session_offering):
    page = console_browser("/console/book/", viewport=PHONE)

    walk(page, paid_by="No charge", label="phone")

    assert Booking.objects.get().status == Booking.Status.CONFIRMED
    assert not Payment.objects.exists()
