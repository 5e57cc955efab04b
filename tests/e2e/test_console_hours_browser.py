"""Editing her hours in Chromium: change Monday, copy it to Wednesday, save, and the open
times beside the week change with it; on a phone, add a range to a closed day."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from booking.hours import weekly_hours
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import insert_booking

pytestmark = pytest.mark.django_db(transaction=True)


def stretches(page) -> list[str]:
    return page.locator(".preview-days summary").all_inner_texts()


def test_edit_monday_copy_it_to_wednesday_and_see_the_preview(console_browser, assessment):
    page = console_browser("/console/hours/")
    assert_accessible(page, "her weekly hours")
    assert "08:00–10:00 (4 times)" not in stretches(page)

    monday = page.locator("fieldset#day-0")
    monday.get_by_label("From").first.fill("08:00")
    monday.get_by_label("until").first.fill("10:00")
    page.get_by_label("Copy the times of").select_option("0")
    page.get_by_role("checkbox", name="Wednesday").check()
    page.get_by_role("button", name="Copy", exact=True).click()

    assert "Wednesday now has Monday's times" in page.locator("#copied").inner_text()
    assert_accessible(page, "the week after copying Monday")
    wednesday = page.locator("fieldset#day-2")
    assert wednesday.get_by_label("From").first.input_value() == "08:00"

    page.get_by_role("button", name="Save hours").click()
    assert "Your hours are saved" in page.locator(".messages").inner_text()
    assert_accessible(page, "the week saved")
    assert stretches(page).count("08:00–10:00 (4 times)") >= 2  # next Monday and Wednesday
    practitioner = assessment.practitioner
    week = weekly_hours(practitioner)
    assert [(s.strftime("%H:%M"), e.strftime("%H:%M")) for s, e in week[2]] == [("08:00", "10:00")]


def test_invalid_hours_are_explained_in_the_browser(console_browser, assessment):
    page = console_browser("/console/hours/")
    monday = page.locator("fieldset#day-0")
    monday.get_by_label("From").first.fill("12:00")
    monday.get_by_label("until").first.fill("09:00")
    page.get_by_role("button", name="Save hours").click()
    summary = page.locator("#error-summary")
    assert "The end must be later than the start." in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert_accessible(page, "the week with a problem")


def test_on_a_phone_a_closed_day_gets_a_range(console_browser, assessment):
    page = console_browser("/console/hours/", viewport=PHONE)
    assert_accessible(page, "her weekly hours on a phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    saturday = page.locator("fieldset#day-5")
    assert saturday.locator("legend .closed").is_visible()
    saturday.get_by_role("button", name="Add a range on Saturday").click()
    saturday.get_by_label("From").first.fill("10:00")
    saturday.get_by_label("until").first.fill("12:00")
    assert not saturday.locator("legend .closed").is_visible()
    page.get_by_role("button", name="Save hours").click()
    assert_accessible(page, "the week saved on a phone")
    assert "10:00–12:00 (4 times)" in stretches(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_dates_time_off_and_settings_pages_on_desktop_and_phone(console_browser, assessment):
    for viewport_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        for path, state in (
            ("/console/hours/calendar/", "dates and time off"),
            ("/console/hours/settings/", "time zone and settings"),
            ("/console/hours/?week=assessment", "an offering that uses her hours"),
        ):
            page = console_browser(path, **({"viewport": viewport} if viewport else {}))
            assert_accessible(page, f"{state} ({viewport_name})")
            assert (
                page.evaluate("document.documentElement.scrollWidth")
                <= (viewport or {"width": 10_000})["width"]
            )


def test_time_off_over_a_session_warns_in_the_browser(console_browser, assessment):
    insert_booking(
        assessment,
        datetime(2027, 1, 6, 11, 30, tzinfo=ZoneInfo("Europe/Berlin")),
        client_name="Noor Haddad",
    )
    page = console_browser("/console/hours/calendar/")
    off_form = page.locator("#off-form")
    off_form.get_by_label("First day off").fill("2027-01-04")
    off_form.get_by_label("Until (optional, for several days)").fill("2027-01-08")
    page.get_by_role("button", name="Add time off").click()
    assert (
        "Your time off is saved. 1 session is booked in it"
        in page.locator(".messages").inner_text()
    )
    link = page.get_by_role("link", name="6 January 2027, 11:30: Noor, Free assessment call")
    assert link.count() == 1
    assert page.locator("#bookings-warning a").count() == 1
    assert "January 2027" in page.locator("#month-heading").inner_text()
    assert page.locator("td.off").count() == 5
    assert_accessible(page, "time off added")


def test_her_zone_is_found_by_typing_and_saved_by_its_button(console_browser, assessment):
    page = console_browser("/console/hours/settings/")
    page.get_by_label("Find your city or country").fill("Lisbon")
    assert page.locator("#id_tz").input_value() == "Europe/Lisbon"
    assert page.url.endswith("/console/hours/settings/")  # finding a zone saves nothing
    assert_accessible(page, "settings with a zone found")
    page.get_by_role("button", name="Save settings").click()
    assert "Your time zone is now Lisbon" in page.locator(".messages").inner_text()
    assert_accessible(page, "settings saved with a new zone")
    assessment.practitioner.refresh_from_db()
    assert assessment.practitioner.timezone == "Europe/Lisbon"
