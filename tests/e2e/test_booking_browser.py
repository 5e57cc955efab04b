"""A visitor books the free call in a real Chromium, in a zone that is not the practice's."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from booking.forms import parse_instant
from booking.models import Booking
from practice.timezones import clock
from tests.e2e.axe import assert_accessible, assert_accessible_without_script
from tests.factories import make_offering, make_practitioner

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_visitor_picks_a_zone_books_a_slot_and_sees_the_confirmation(browser, live_server):
    make_offering(make_practitioner(), min_notice_minutes=60)
    # The browser says it is in Kolkata (Chromium names it by its legacy alias,
    # Asia/Calcutta): the page detects it without being told.
    context = browser.new_context(timezone_id="Asia/Kolkata", locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    assert_accessible(page, "the home page")
    page.get_by_role("link", name="Book a free assessment call").click()
    page.wait_for_url(re.compile(r"tz=Asia%2F"))
    assert page.get_by_label("Times are shown in").input_value() == "Asia/Kolkata"
    assert_accessible(page, "the week in Kolkata")

    # They change it to New York; a zone picked with the mouse shows its week at once.
    page.get_by_label("Times are shown in").select_option("America/New_York")
    page.wait_for_url(re.compile(r"tz=America%2FNew_York"))
    assert_accessible(page, "the week in New York")
    slot = page.locator("a.slot").first
    label = slot.get_attribute("aria-label")  # e.g. "Thursday 3 December, 4:00 AM"
    slot.click()
    assert_accessible(page, "the details form")

    page.get_by_role("button", name="Book this call").click()
    page.locator("#error-summary").wait_for()
    assert_accessible(page, "the details form with its errors")
    summary = page.get_by_role("alert", name="Three things to fix before we can book this")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Please tell us your name.").click()
    expect(page.get_by_label("Your name")).to_be_focused()
    page.get_by_label("Your name").fill("Ana Example")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("What brings you? (optional)").fill("Finding my footing again")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Book this call").click()

    page.get_by_role("heading", name="You're booked").wait_for()
    assert_accessible(page, "the booking's page, just booked")
    booking = Booking.objects.get()
    local = booking.start.astimezone(ZoneInfo("America/New_York"))
    assert label == f"{local:%A} {local.day} {local:%B}, {clock(local, 'America/New_York')}"
    assert booking.client_timezone == "America/New_York"
    assert booking.status == Booking.Status.CONFIRMED
    when = page.locator(".when").first.inner_text()
    # New York reads a 12-hour clock: "4:00–4:30 AM".
    assert f"{local.hour % 12 or 12}:{local:%M}–" in when and "(New York time)" in when
    assert datetime.now(booking.start.tzinfo) < booking.start
    context.close()


def test_the_booking_page_fits_a_phone(browser, live_server):
    make_offering(make_practitioner(), min_notice_minutes=60)
    context = browser.new_context(viewport={"width": 375, "height": 740}, timezone_id="UTC")
    page = context.new_page()
    page.goto(f"{live_server.url}/book/assessment/?tz=Europe/Berlin")
    assert_accessible(page, "the week on a phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.get_by_label("Find your city or country").is_visible()
    context.close()


def test_without_javascript_the_zone_is_picked_with_the_button_and_booking_works(
    browser, live_server
):
    make_offering(make_practitioner(), min_notice_minutes=60)
    context = browser.new_context(java_script_enabled=False, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{live_server.url}/book/assessment/")
    assert_accessible_without_script(page, "the week")
    # No detection without JavaScript: the practitioner's zone, changeable by hand.
    assert page.get_by_label("Times are shown in").input_value() == "Europe/Berlin"
    page.get_by_label("Times are shown in").select_option("Australia/Sydney")
    page.get_by_role("button", name="Show times").click()
    page.wait_for_url(re.compile(r"tz=Australia%2FSydney"))
    assert_accessible_without_script(page, "the week in Sydney")
    page.locator("a.slot").first.click()
    assert_accessible_without_script(page, "the details form")
    page.get_by_label("Your name").fill("Kai")
    page.get_by_label("Email").fill("kai@example.org")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Book this call").click()
    page.get_by_role("heading", name="You're booked").wait_for()
    assert_accessible_without_script(page, "the booking's page")
    assert Booking.objects.get().client_timezone == "Australia/Sydney"
    context.close()


def test_the_note_counts_its_characters_and_an_over_long_one_is_sent_back_whole(
    browser, live_server
):
    make_offering(make_practitioner(), min_notice_minutes=60)
    context = browser.new_context(timezone_id="Europe/Berlin")
    page = context.new_page()
    page.goto(f"{live_server.url}/book/assessment/?tz=Europe/Berlin")
    assert_accessible(page, "the week in Berlin")
    page.locator("a.slot").first.click()
    count = page.locator("#id_note_count")
    expect(count).to_have_text("0 of 1,000 characters")
    assert_accessible(page, "the details form with an empty note")
    note = page.get_by_label("What brings you? (optional)")
    note.fill("Finding my footing again")
    expect(count).to_have_text("24 of 1,000 characters")
    assert_accessible(page, "the note with its count")

    # Pasted past the limit, nothing is cut: the count says by how much, and so does the
    # form when it is sent anyway.
    note.fill("a" * 1020)
    expect(count).to_have_text("1,020 of 1,000 characters: 20 too many")
    assert_accessible(page, "the note over its limit")
    page.get_by_label("Your name").fill("Ana")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Book this call").click()
    page.get_by_text(
        "Please keep this to 1,000 characters or fewer: it has 1,020 now."
    ).first.wait_for()
    assert len(note.input_value()) == 1020
    assert_accessible(page, "the note refused as too long")
    assert not Booking.objects.exists()
    context.close()


def test_cancelling_by_the_link_says_so_in_an_accessible_message(browser, live_server):
    make_offering(make_practitioner(), min_notice_minutes=60)
    context = browser.new_context(timezone_id="Europe/Berlin")
    page = context.new_page()
    page.goto(f"{live_server.url}/book/assessment/?tz=Europe/Berlin")
    with page.expect_navigation():
        page.get_by_role("link", name="Later →").click()  # far enough ahead to cancel by link
    assert_accessible(page, "the next week")
    page.locator("a.slot").first.click()
    assert_accessible(page, "the details form")
    page.get_by_label("Your name").fill("Ana")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Book this call").click()
    page.get_by_role("heading", name="You're booked").wait_for()
    assert_accessible(page, "the booking's page, just booked")
    page.get_by_role("link", name=re.compile("Cancel")).first.click()
    assert_accessible(page, "the cancel confirmation")
    page.get_by_role("button", name=re.compile("Cancel")).first.click()
    page.get_by_role("status").get_by_text("Your call is cancelled.").wait_for()
    assert_accessible(page, "the booking's page with the cancelled message")
    context.close()


def test_the_zone_is_found_by_typing_part_of_its_name(browser, live_server):
    make_offering(make_practitioner(), min_notice_minutes=60)
    context = browser.new_context(timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{live_server.url}/book/assessment/")
    page.wait_for_url(re.compile(r"tz=Asia%2FTokyo"))
    zones = page.get_by_label("Times are shown in")
    # The device's zone comes first, in its own group, with its offset and the time there.
    tokyo = zones.locator("optgroup[label='This device'] > option")
    assert tokyo.get_attribute("value") == "Asia/Tokyo"
    assert re.fullmatch(r"Tokyo — UTC\+9, \d\d:\d\d", tokyo.inner_text())
    assert zones.locator("option").first.get_attribute("value") == "Asia/Tokyo"
    assert_accessible(page, "the week in Tokyo")

    page.get_by_label("Find your city or country").fill("São")  # accents or none
    expect(page.locator("#zone-find-status")).to_have_text("2 time zones match.")
    names = [name.split(" — ")[0] for name in zones.locator("option").all_inner_texts()]
    assert names == ["Sao Paulo", "Sao Tome"]  # the big city first
    assert_accessible(page, "the zone list narrowed to Sao")
    page.get_by_label("Find your city or country").fill("Brazil sao")  # the country too
    expect(page.locator("#zone-find-status")).to_have_text("1 time zone matches.")
    # A big city tzdata does not name finds the zone whose clock it keeps.
    page.get_by_label("Find your city or country").fill("osaka")
    expect(page.locator("#zone-find-status")).to_have_text("1 time zone matches.")
    assert [o.split(" — ")[0] for o in zones.locator("option").all_inner_texts()] == ["Tokyo"]
    assert_accessible(page, "the zone list found by Osaka")
    page.get_by_label("Find your city or country").fill("Sao")
    zones.select_option("America/Sao_Paulo")
    page.wait_for_url(re.compile(r"tz=America%2FSao_Paulo"))

    slot = page.locator("a.slot").first
    start = parse_instant(re.search(r"start=([^&]+)", slot.get_attribute("href"))[1])
    local = start.astimezone(ZoneInfo("America/Sao_Paulo"))
    assert slot.inner_text() == f"{local:%H:%M}"  # São Paulo reads a 24-hour clock
    assert re.fullmatch(
        r"Sao Paulo — UTC−3, \d\d:\d\d", zones.locator("option:checked").inner_text()
    )
    assert zones.locator("option").first.inner_text().startswith("Tokyo — UTC+9")
    assert_accessible(page, "the week in Sao Paulo")

    # From the keyboard: type, then Enter takes the first match.
    page.get_by_label("Find your city or country").fill("berlin")
    page.get_by_label("Find your city or country").press("Enter")
    page.wait_for_url(re.compile(r"tz=Europe%2FBerlin"))
    assert_accessible(page, "the week in Berlin, chosen from the keyboard")
    context.close()


def test_a_search_that_finds_nothing_says_so_and_keeps_the_whole_list(browser, live_server):
    make_offering(make_practitioner(), min_notice_minutes=60)
    page = browser.new_page()
    page.goto(f"{live_server.url}/book/assessment/?tz=Europe/Berlin")
    page.get_by_label("Find your city or country").fill("Atlantis")
    expect(page.locator("#zone-find-status")).to_have_text(
        "No time zone matches “Atlantis”. Try the nearest large city, or your country's name."
    )
    assert page.get_by_label("Times are shown in").input_value() == "Europe/Berlin"
    assert_accessible(page, "a zone search that found nothing")
    page.close()
