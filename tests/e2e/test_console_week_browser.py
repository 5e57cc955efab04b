"""Her week in Chromium: each booking in its day's column at its hour, reached by Tab in
day-then-time order (and by the arrow keys), and on a phone a list that never scrolls
sideways; her day's agenda on both."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from booking.models import BusyBlock
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE
from tests.factories import insert_booking, make_session_offering

pytestmark = pytest.mark.django_db(transaction=True)

BERLIN = ZoneInfo("Europe/Berlin")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def week(now, practitioner, assessment):
    session = make_session_offering(practitioner)
    # NOW is Wednesday 2 December 2026, 09:00 in Berlin.
    insert_booking(assessment, at(date(2026, 11, 30), 9), client_name="Mona Monday")
    insert_booking(assessment, at(date(2026, 12, 2), 10), client_name="Wes Wednesday")
    insert_booking(session, at(date(2026, 12, 2), 15), client_name="Willa Later")
    insert_booking(session, at(date(2026, 12, 3), 14, 30), client_name="Theo Thursday")
    BusyBlock.objects.create(
        practitioner=practitioner,
        start=at(date(2026, 12, 4), 11),
        end=at(date(2026, 12, 4), 12),
    )


def box(page, selector):
    return page.locator(selector).bounding_box()


def test_the_week_grid_places_bookings_and_tab_reaches_them_in_order(console_browser, week):
    page = console_browser("/console/week/")
    assert_accessible(page, "the week grid")

    def column(day):
        return box(page, f'section[aria-labelledby="day-{day}"]')

    def entry(name):
        return box(page, f'a.entry:has-text("{name}")')

    def hour(label):
        return box(page, f'.hour-label:text-is("{label}")')

    for day, name in [
        ("2026-11-30", "Mona"),
        ("2026-12-02", "Wes"),
        ("2026-12-03", "Theo"),
    ]:
        col, link = column(day), entry(name)
        assert col["x"] <= link["x"] and link["x"] + link["width"] <= col["x"] + col["width"]
    # Each box starts on its hour's line (a row is a few pixels; allow one).
    row = (hour("10:00")["y"] - hour("09:00")["y"]) / 12
    assert abs(entry("Mona")["y"] - hour("09:00")["y"]) <= row + 2
    assert abs(entry("Wes")["y"] - hour("10:00")["y"]) <= row + 2
    assert abs(entry("Theo")["y"] - (hour("14:00")["y"] + 6 * row)) <= row + 2
    # A 60-minute session is twice as tall as a 30-minute call.
    assert entry("Willa")["height"] == pytest.approx(2 * entry("Wes")["height"], abs=row + 2)
    assert page.locator(".week-day.is-today h2").inner_text().startswith("Wednesday")
    assert page.locator('li.busy:has-text("Busy")').count() == 1

    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "document.activeElement.classList.contains('entry')"
            " ? document.activeElement.querySelector('.who').textContent.trim() : null"
        )
        if focused:
            reached.append(focused)
        if len(reached) == 4:
            break
    assert reached == ["Mona", "Wes", "Willa", "Theo"]

    page.locator('a.entry:has-text("Wes")').focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent").count("Willa")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.textContent").count("Theo")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement.textContent").count("Willa")
    assert_accessible(page, "the week grid with a booking focused")

    # Open time starts "Book for a client" there: discreet until the pointer or Tab is on it.
    book = page.get_by_role("link", name="Book a client at Thu 3 Dec, 09:00")
    assert book.evaluate("a => getComputedStyle(a).opacity") == "0"
    book.focus()
    assert book.evaluate("a => getComputedStyle(a).opacity") == "1"
    assert page.locator("li.open").filter(has=book).bounding_box()["y"] < entry("Theo")["y"]
    assert_accessible(page, "the week grid with a free time's link focused")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/book/?start=2026-12-03T08%3A00%3A00Z")
    assert page.locator('input[name="slot"]').get_attribute("value") == (
        "2026-12-03T08:00:00+00:00"
    )
    assert_accessible(page, "booking for a client from a free time")


def test_on_a_phone_the_week_is_a_list_by_day(console_browser, week):
    page = console_browser("/console/week/", viewport=PHONE)
    assert_accessible(page, "the week as a list on a phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the week must not scroll sideways on a phone"
    assert not page.locator(".week-hours").is_visible()
    boxes = [box(page, f'a.entry:has-text("{n}")') for n in ("Mona", "Wes", "Willa", "Theo")]
    lefts = {round(b["x"]) for b in boxes}
    assert len(lefts) == 1, "one column"
    assert [b["y"] for b in boxes] == sorted(b["y"] for b in boxes)
    assert page.get_by_text("No open hours on this day. Nothing booked.").count() == 2
    book = page.get_by_role("link", name="Book a client at Thu 3 Dec, 09:00")
    assert book.is_visible()
    assert page.locator("li.open").filter(has=book).inner_text().startswith("Open 09:00–14:30")


def test_her_day_reads_well_on_desktop_and_phone(console_browser, week):
    page = console_browser("/console/")
    assert_accessible(page, "today's agenda")
    assert "1 session today" not in page.locator(".coming-up").inner_text()
    assert "2 sessions today" in page.locator(".coming-up").inner_text()
    phone = console_browser("/console/", viewport=PHONE)
    assert_accessible(phone, "today's agenda on a phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.locator('a.entry:has-text("Wes")').focus()
    assert phone.evaluate("document.activeElement.getAttribute('href')").startswith(
        "/console/bookings/"
    )
