"""Her calendars in Chromium: an address refused with its reason, tested, added, shown
failing with its last good read, paused and removed; on a desktop and a phone."""

import pytest
from playwright.sync_api import expect

from booking.models import ExternalCalendar
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_add_a_calendar_see_it_fail_then_pause_and_remove_it(
    console_browser, practitioner, calendar_server, viewport
):
    page = console_browser("/console/hours/calendars/", viewport=viewport)
    assert_accessible(page, "calendars, none yet")

    form = page.locator("#add-calendar")
    form.get_by_label("Calendar address").fill("http://192.168.1.10/cal.ics")
    form.get_by_role("button", name="Add the calendar").click()
    assert "not a public address" in page.locator("#add-calendar").inner_text()
    assert_accessible(page, "an address refused")

    form = page.locator("#add-calendar")
    form.get_by_label("Calendar address").fill(calendar_server + "/dentist.ics")
    form.get_by_label("What to call it").fill("Personal")
    form.get_by_role("button", name="Test the address first").click()
    assert "That address works" in page.locator(".messages").inner_text()
    page.locator("#add-calendar").get_by_role("button", name="Add the calendar").click()
    assert "Added “Personal”" in page.locator(".messages").inner_text()
    assert_accessible(page, "a calendar added")

    calendar = ExternalCalendar.objects.get()
    calendar.set_secrets(url=calendar_server + "/error.ics")
    calendar.save()
    page.get_by_role("button", name="Read Personal now").click()
    assert "answered 500" in page.locator("main").inner_text()
    assert_accessible(page, "a calendar failing")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.get_by_role("button", name="Pause Personal").click()
    assert "Paused “Personal”" in page.locator(".messages").inner_text()
    page.get_by_role("button", name="Remove Personal").click()
    assert "Removed “Personal”" in page.locator(".messages").inner_text()
    assert_accessible(page, "a calendar removed")
    assert not ExternalCalendar.objects.exists()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_she_copies_her_feed_address_subscribes_and_makes_a_new_one(
    console_browser, practitioner, live_server, settings, viewport
):
    settings.SITE_URL = live_server.url
    page = console_browser("/console/hours/calendars/", viewport=viewport)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    feed = page.locator("section[aria-labelledby=feed-heading]")
    address = feed.get_by_label("Your feed's address").input_value()
    assert address == f"{live_server.url}/calendar/{practitioner.feed_token}.ics"

    feed.get_by_role("button", name="Copy").click()
    expect(feed.get_by_role("status")).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == address
    assert page.request.get(address).status == 200
    assert feed.get_by_role("link", name="Open it in my calendar app").get_attribute(
        "href"
    ) == address.replace("http://", "webcal://")
    assert_accessible(page, "her feed")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    feed.get_by_label("Only “Busy”").check()
    feed.get_by_role("button", name="Save").click()
    assert "Saved" in page.locator(".messages").inner_text()
    assert page.locator("#feed-url").is_visible()
    assert feed.get_by_label("Only “Busy”").is_checked()
    practitioner.refresh_from_db()
    assert practitioner.feed_detail == "busy"

    page.get_by_role("button", name="Make a new address").click()
    assert "stopped working" in page.locator(".messages").inner_text()
    assert page.request.get(address).status == 404
    practitioner.refresh_from_db()
    fresh = page.locator("#feed-url").input_value()
    assert fresh == f"{live_server.url}/calendar/{practitioner.feed_token}.ics" != address
    assert page.request.get(fresh).status == 200
    assert_accessible(page, "a new feed address")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_she_connects_her_caldav_calendar_after_a_wrong_password(
    console_browser, practitioner, radicale, viewport
):
    from tests.caldav_server import PASSWORD, USERNAME

    radicale.make_calendar("Work")
    radicale.make_calendar("Family")
    page = console_browser("/console/hours/calendars/", viewport=viewport)
    form = page.locator("#connect-caldav")
    form.get_by_label("Server address").fill(radicale.url)
    form.get_by_label("User name").fill(USERNAME)
    form.get_by_label("App password").fill("not-it")
    form.get_by_role("button", name="Connect the calendar").click()
    form = page.locator("#connect-caldav")
    assert "did not accept that user name and password" in form.inner_text()
    assert form.get_by_label("App password").input_value() == ""
    assert_accessible(page, "a CalDAV server refusing her")

    form.get_by_label("App password").fill(PASSWORD)
    form.get_by_role("button", name="Connect the calendar").click()
    # The server lists her calendars in an order of its own: the first is connected.
    said = page.locator(".messages").inner_text()
    first, other = ("Work", "Family") if "Connected “Work”" in said else ("Family", "Work")
    assert f"Connected “{first}”" in said
    card = page.locator("section", has=page.get_by_role("heading", name=first))
    card.get_by_label("Which of your calendars").select_option(label=other)
    card.get_by_role("button", name=f"Use this calendar for {first}").click()
    assert "now reads and writes the calendar you chose" in page.locator(".messages").inner_text()
    assert_accessible(page, "a CalDAV calendar connected")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
