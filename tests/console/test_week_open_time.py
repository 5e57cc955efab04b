"""Her open time in the week starts "Book for a client" at that time: a link for each open
stretch with nothing in it, never on booked, busy, closed or past time, and following it
fills the time in."""

import re
from datetime import UTC, date, datetime, time
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from booking.models import BusyBlock, TimeOff
from tests.factories import insert_booking, make_session_offering

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
# NOW (tests/conftest.py) is Wednesday 2 December 2026, 09:00 in Berlin; her hours are
# 09:00–17:00 Monday to Friday.


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


def book_links(page, day: str) -> dict[str, str]:
    """The "+ Book" links of one day's column: accessible name → address."""
    html = page.content.decode()
    section = re.search(rf'<section[^>]*aria-labelledby="day-{day}".*?</section>', html, re.S)
    assert section, day
    return {
        unescape(label): unescape(href)
        for href, label in re.findall(
            r'<a class="book-here" href="([^"]+)" aria-label="([^"]+)"', section.group(0)
        )
    }


def test_each_open_stretch_has_a_link_and_booked_or_busy_time_has_none(console, now, practitioner):
    session = make_session_offering(practitioner)
    insert_booking(session, at(date(2026, 12, 3), 14, 30), client_name="Theo Thursday")
    BusyBlock.objects.create(
        practitioner=practitioner, start=at(date(2026, 12, 3), 11), end=at(date(2026, 12, 3), 12)
    )
    page = console.get("/console/week/")
    links = book_links(page, "2026-12-03")
    assert list(links) == [
        "Book a client at Thu 3 Dec, 09:00",
        "Book a client at Thu 3 Dec, 12:00",
        "Book a client at Thu 3 Dec, 15:30",
    ]
    assert links["Book a client at Thu 3 Dec, 12:00"] == (
        "/console/book/?start=2026-12-03T11%3A00%3A00Z"
    )
    text = unescape(re.sub(r"<[^>]+>", " ", page.content.decode()))
    assert "Open 12:00–14:30" in text


def test_no_link_on_past_closed_or_unopened_days(console, now, practitioner):
    TimeOff.objects.create(
        practitioner=practitioner, first_day=date(2026, 12, 4), last_day=date(2026, 12, 4)
    )
    page = console.get("/console/week/")
    assert book_links(page, "2026-11-30") == {}  # Monday, gone by
    assert book_links(page, "2026-12-01") == {}
    assert book_links(page, "2026-12-04") == {}  # time off
    assert book_links(page, "2026-12-05") == {}  # no hours on a Saturday
    # Today's open time starts from now, not from nine this morning.
    today = list(book_links(page, "2026-12-02"))
    assert today == ["Book a client at Wed 2 Dec, 09:15"]


def test_following_the_link_fills_in_the_time(console, now, practitioner):
    make_session_offering(practitioner)
    page = console.get("/console/week/?start=2026-12-07")
    href = book_links(page, "2026-12-08")["Book a client at Tue 8 Dec, 09:00"]
    booking_page = console.get(href)
    assert booking_page.status_code == 200
    html = booking_page.content.decode()
    assert '<input type="hidden" name="slot" value="2026-12-08T08:00:00+00:00">' in html
    # Who, then what: the time from the week is the one chosen when the times show.
    who = {"step": "who", "name": "Ada Lovelace", "email": "ada@example.org"}
    who |= {"tz": "Europe/Berlin", "slot": "2026-12-08T08:00:00+00:00"}
    what = console.post(href.split("?")[0], who)
    assert what.status_code == 200
    offering = practitioner.offerings.get(kind="session").slug
    when = console.post(href.split("?")[0], who | {"step": "what", "offering": offering})
    assert re.search(r'value="2026-12-08T08:00:00Z" checked', when.content.decode())
