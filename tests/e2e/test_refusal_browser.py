"""The race loser in a real Chromium: someone else books the time while they type; the
page says so, and the time they pick next has everything they typed filled in."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from booking import booking_changes, free_calls, links
from booking.forms import parse_instant
from booking.models import Booking
from booking.selectors import booking_note
from tests.e2e.axe import assert_accessible
from tests.factories import insert_booking, make_offering, make_practitioner

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOTE = 'Finding my footing again & "trust"'


def test_the_race_loser_picks_an_offered_time_and_finds_their_details_filled_in(
    browser, live_server
):
    offering = make_offering(make_practitioner(), min_notice_minutes=60)
    context = browser.new_context(timezone_id="America/Sao_Paulo", locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/book/assessment/?tz=America/Sao_Paulo")
    assert_accessible(page, "the week in Sao Paulo")
    page.locator("a.slot").first.click()
    assert_accessible(page, "the details form")
    page.get_by_label("Your name").fill("Ana Sousa")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("What brings you? (optional)").fill(NOTE)
    page.get_by_label(re.compile("I agree")).check()

    # Someone else books the same time while Ana is typing.
    wanted = parse_instant(page.locator("input[name=start]").input_value())
    insert_booking(offering, wanted, email="first@example.org")
    page.get_by_role("button", name="Book this call").click()

    page.get_by_role("heading", name="That time was just taken").wait_for()
    assert "Someone else booked" in page.locator(".lead").inner_text()
    assert_accessible(page, "the taken page with the nearest free times")
    offered = page.locator("button.slot").first
    offered_label = offered.inner_text()
    offered.click()

    page.get_by_role("heading", name="Almost there").wait_for()
    assert "carry=" not in page.url and "note" not in page.url
    assert page.get_by_label("Your name").input_value() == "Ana Sousa"
    assert page.get_by_label("Email").input_value() == "ana@example.org"
    assert page.get_by_label("What brings you? (optional)").input_value() == NOTE
    assert offered_label.split(", ")[0] in page.locator(".when").first.inner_text()
    assert_accessible(page, "the details form filled in from the lost race")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Book this call").click()

    page.get_by_role("heading", name="You're booked").wait_for()
    assert_accessible(page, "the booking's page, booked at an offered time")
    booking = Booking.objects.get(client_email="ana@example.org")
    assert booking.client_name == "Ana Sousa"
    assert booking_note(booking) == NOTE
    assert booking.start != wanted
    context.close()


def test_a_full_day_the_horizon_and_a_cancelled_booking_read_clearly(browser, live_server):
    offering = make_offering(make_practitioner(), min_notice_minutes=60, daily_cap=1)
    context = browser.new_context(timezone_id="Asia/Tokyo", locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/book/assessment/?tz=Europe/Berlin")
    href = page.locator("a.slot").first.get_attribute("href")
    first = parse_instant(parse_qs(urlsplit(href).query)["start"][0])
    booking = free_calls.book_assessment(
        offering=offering,
        start=first,
        client_name="Ana",
        client_email="ana@example.org",
        client_timezone="Asia/Tokyo",
    )
    emailed = links.manage_path(booking)

    page.reload()
    page.get_by_text("Fully booked").first.wait_for()
    assert_accessible(page, "the week with a fully booked day")
    while page.get_by_role("link", name="Later →").count():
        # Wait for each week to load: under load a count taken before the next page
        # arrives would click the old link twice or read the old week.
        with page.expect_navigation():
            page.get_by_role("link", name="Later →").click()
    page.get_by_text(re.compile(r"open day by day: you can book up to 60 days ahead")).wait_for()
    assert page.get_by_text("Not open yet").count() >= 1
    assert_accessible(page, "the last week, with the horizon explained")

    booking_changes.cancel(booking=booking, actor="practitioner")
    page.goto(f"{live_server.url}{emailed}")
    page.get_by_role("heading", name="This call is cancelled").wait_for()
    assert_accessible(page, "an old link to a cancelled booking")
    page.get_by_role("link", name="Book again").click()
    page.get_by_role("heading", name="Free assessment call").wait_for()
    assert_accessible(page, "the week, to book again")
    context.close()
