"""The zone finder in a real Chromium: whatever is typed, the week shown is in a zone the
visitor chose, never one left over from before."""

import re

import pytest
from playwright.sync_api import expect

from booking.forms import parse_instant
from practice.timezones import clock
from tests.e2e.axe import assert_accessible, assert_accessible_without_script
from tests.factories import make_offering, make_practitioner

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BERLIN_WEEK = "/book/assessment/?tz=Europe%2FBerlin"


@pytest.fixture
def page(browser, live_server):
    make_offering(make_practitioner(), min_notice_minutes=60)
    context = browser.new_context(timezone_id="Europe/Berlin")
    page = context.new_page()
    page.goto(live_server.url + BERLIN_WEEK)
    yield page
    context.close()


def names(page) -> list[str]:
    return [text.split(" — ")[0] for text in page.locator("#id_tz option").all_inner_texts()]


def assert_week_in(page, zone: str) -> None:
    """The address asks for ``zone`` and the first slot reads its clock there."""
    page.wait_for_url(re.compile("tz=" + re.escape(zone.replace("/", "%2F")) + "$"))
    slot = page.locator("a.slot").first
    start = parse_instant(re.search(r"start=([^&]+)", slot.get_attribute("href"))[1])
    assert slot.inner_text() == clock(start, zone)
    assert f"tz={zone}" in slot.get_attribute("href")


def test_typing_tokyo_and_pressing_enter_shows_the_week_in_tokyo(page):
    assert_accessible(page, "the week in Berlin")
    finder = page.get_by_label("Find your city or country")
    finder.press_sequentially("Tokyo")  # key by key, as a person types
    expect(page.locator("#zone-find-status")).to_have_text("1 time zone matches.")
    # The one match is selected, so whatever sends the form sends Tokyo.
    assert page.get_by_label("Times are shown in").input_value() == "Asia/Tokyo"
    assert_accessible(page, "the list narrowed to Tokyo")
    finder.press("Enter")
    assert_week_in(page, "Asia/Tokyo")
    assert page.get_by_label("Times are shown in").input_value() == "Asia/Tokyo"
    assert_accessible(page, "the week in Tokyo")


def test_show_times_with_one_match_shows_that_zone(page):
    page.get_by_label("Find your city or country").press_sequentially("Osaka")
    expect(page.locator("#zone-find-status")).to_have_text("1 time zone matches.")
    assert_accessible(page, "the list narrowed to Osaka")
    page.get_by_role("button", name="Show times").click()
    assert_week_in(page, "Asia/Tokyo")
    assert_accessible(page, "the week in Tokyo, from Show times")


@pytest.mark.parametrize(
    ("typed", "first", "below"),
    [
        ("new", "New York", "New Salem"),
        ("lon", "London", "Blanc-Sablon"),
        ("ber", "Berlin", "Monrovia"),
    ],
)
def test_a_city_that_starts_with_the_text_comes_first_big_before_small(page, typed, first, below):
    page.get_by_label("Find your city or country").fill(typed)  # pasted at once
    listed = names(page)
    assert listed[0] == first
    assert listed.index(first) < listed.index(below)
    assert page.locator("#id_tz option:checked").inner_text().startswith(first + " — ")
    assert_accessible(page, f"the list narrowed to {typed!r}")


def test_an_exact_city_name_comes_before_cities_that_start_with_it(page):
    page.get_by_label("Find your city or country").fill("new york")
    assert names(page) == ["New York"]
    page.get_by_label("Find your city or country").fill("Sao")
    assert names(page) == ["Sao Paulo", "Sao Tome"]  # the big city first
    assert_accessible(page, "the list narrowed to Sao")


def test_the_finder_works_from_the_keyboard_alone(page):
    for _ in range(20):  # Tab from the top of the page to the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "zone-find":
            break
    assert page.evaluate("document.activeElement.id") == "zone-find"
    page.keyboard.type("lon")
    page.keyboard.press("ArrowDown")  # into the list, London highlighted
    assert page.evaluate("document.activeElement.id") == "id_tz"
    assert page.get_by_label("Times are shown in").input_value() == "Europe/London"
    page.keyboard.press("ArrowDown")  # the next match; moving does not reload the page
    assert page.get_by_label("Times are shown in").input_value() == "Arctic/Longyearbyen"
    assert_accessible(page, "the list narrowed to 'lon', second match highlighted")
    page.keyboard.press("Enter")
    assert_week_in(page, "Arctic/Longyearbyen")
    assert_accessible(page, "the week in Longyearbyen")

    # Tab on past the list to "Show times": the highlighted match is what it sends.
    page.get_by_label("Find your city or country").focus()
    page.keyboard.type("Tokyo")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "zone-submit"
    page.keyboard.press("Enter")
    assert_week_in(page, "Asia/Tokyo")
    assert_accessible(page, "the week in Tokyo, from the keyboard")


def test_enter_with_nothing_matching_stays_on_the_zone_shown(page):
    finder = page.get_by_label("Find your city or country")
    finder.fill("Atlantis")
    finder.press("Enter")
    expect(page.locator("#zone-find-status")).to_contain_text("No time zone matches")
    assert page.url.endswith(BERLIN_WEEK)
    assert page.get_by_label("Times are shown in").input_value() == "Europe/Berlin"
    assert_accessible(page, "a search that found nothing, Enter pressed")


@pytest.mark.parametrize("script", [True, False])
def test_an_empty_zone_shows_the_practices_times_and_says_so(browser, live_server, script):
    make_offering(make_practitioner(), min_notice_minutes=60)
    context = browser.new_context(timezone_id="Asia/Tokyo", java_script_enabled=script)
    page = context.new_page()
    page.goto(live_server.url + "/book/assessment/?tz=")
    notice = page.get_by_role("status").filter(has_text="Times are shown in")
    expect(notice).to_have_text("Times are shown in Berlin time — choose your own zone below.")
    assert page.get_by_label("Times are shown in").input_value() == "Europe/Berlin"
    if script:
        assert_accessible(page, "the week after an empty zone")
    else:
        assert_accessible_without_script(page, "the week after an empty zone, no script")
        # Without a script the plain list and its button still choose a zone.
        page.get_by_label("Times are shown in").select_option("Asia/Tokyo")
        page.get_by_role("button", name="Show times").click()
        page.wait_for_url(re.compile(r"tz=Asia%2FTokyo"))
        assert page.get_by_role("status").filter(has_text="Times are shown in").count() == 0
        assert_accessible_without_script(page, "the week in Tokyo, no script")
    context.close()
