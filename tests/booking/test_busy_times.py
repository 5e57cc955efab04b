"""Busy time read from calendar files built the way her calendars send them."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from booking.calendars import busy_times
from booking.calendars.busy_times import UnreadableCalendar, busy_spans

BERLIN = ZoneInfo("Europe/Berlin")
WINDOW = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC))


def feed(*events: Event, **properties) -> bytes:
    calendar = Calendar.new(prodid="-//test//feeds//EN", subcomponents=list(events))
    for name, value in properties.items():
        calendar.add(name.replace("_", "-"), value)
    return calendar.to_ical()


def event(uid: str, start, end, **properties) -> Event:
    component = Event.new(uid=uid, start=start, end=end, summary="Private")
    for name, value in properties.items():
        component.add(name, value)
    return component


def spans(data: bytes, zone=BERLIN):
    return [(s.start, s.end) for s in busy_spans(data, zone=zone, start=WINDOW[0], end=WINDOW[1])]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_weekly_event_blocks_every_week_but_its_exception_and_its_moved_instance():
    first = datetime(2026, 11, 2, 9, 0, tzinfo=BERLIN)  # Mondays 09:00–10:00 Berlin
    weekly = event("supervision", first, first + timedelta(hours=1))
    weekly.add("rrule", {"freq": "weekly", "count": 5})
    weekly.add("exdate", datetime(2026, 11, 9, 9, 0, tzinfo=BERLIN))
    moved = event(
        "supervision",
        datetime(2026, 11, 18, 14, 0, tzinfo=BERLIN),
        datetime(2026, 11, 18, 15, 0, tzinfo=BERLIN),
        **{"recurrence-id": datetime(2026, 11, 16, 9, 0, tzinfo=BERLIN)},
    )
    assert spans(feed(weekly, moved)) == [
        (utc(2026, 11, 2, 8), utc(2026, 11, 2, 9)),
        (utc(2026, 11, 18, 13), utc(2026, 11, 18, 14)),
        (utc(2026, 11, 23, 8), utc(2026, 11, 23, 9)),
        (utc(2026, 11, 30, 8), utc(2026, 11, 30, 9)),
    ]


def test_an_all_day_event_blocks_her_whole_day_on_her_clock():
    holiday = event("holiday", date(2026, 12, 24), date(2026, 12, 26))
    assert spans(feed(holiday)) == [(utc(2026, 12, 23, 23), utc(2026, 12, 25, 23))]
    # In Auckland (summer, UTC+13) the same days begin the evening before in UTC.
    assert spans(feed(holiday), zone=ZoneInfo("Pacific/Auckland")) == [
        (utc(2026, 12, 23, 11), utc(2026, 12, 25, 11))
    ]


def test_free_and_cancelled_events_and_our_own_bookings_block_nothing():
    start = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
    free = event("free", start, start + timedelta(hours=1), transp="TRANSPARENT")
    cancelled = event("off", start, start + timedelta(hours=1), status="CANCELLED")
    ours = event("booking-1b2c@practice", start, start + timedelta(hours=1))
    assert spans(feed(free, cancelled, ours)) == []


def test_a_cancelled_instance_of_a_series_blocks_nothing():
    first = datetime(2026, 11, 3, 18, 0, tzinfo=BERLIN)
    weekly = event("choir", first, first + timedelta(hours=2))
    weekly.add("rrule", {"freq": "weekly", "count": 2})
    skipped = event(
        "choir",
        datetime(2026, 11, 10, 18, 0, tzinfo=BERLIN),
        datetime(2026, 11, 10, 20, 0, tzinfo=BERLIN),
        status="CANCELLED",
        **{"recurrence-id": datetime(2026, 11, 10, 18, 0, tzinfo=BERLIN)},
    )
    assert spans(feed(weekly, skipped)) == [(utc(2026, 11, 3, 17), utc(2026, 11, 3, 19))]


def test_an_event_in_another_zone_keeps_its_own_clock_across_its_dst_change():
    new_york = ZoneInfo("America/New_York")  # DST ends there 2026-11-01, a week after Berlin
    first = datetime(2026, 10, 26, 9, 0, tzinfo=new_york)
    weekly = event("standup", first, first + timedelta(minutes=30))
    weekly.add("rrule", {"freq": "weekly", "count": 2})
    assert spans(feed(weekly)) == [
        (utc(2026, 10, 26, 13), utc(2026, 10, 26, 13, 30)),
        (utc(2026, 11, 2, 14), utc(2026, 11, 2, 14, 30)),
    ]


def test_a_floating_time_is_read_on_her_clock():
    floating_start, floating_end = datetime(2026, 11, 5, 15), datetime(2026, 11, 5, 16)  # noqa: DTZ001
    floating = event("dentist", floating_start, floating_end)
    assert spans(feed(floating)) == [(utc(2026, 11, 5, 14), utc(2026, 11, 5, 15))]
    assert spans(feed(floating), zone=ZoneInfo("Australia/Sydney")) == [
        (utc(2026, 11, 5, 4), utc(2026, 11, 5, 5))
    ]


def test_a_google_feed_with_only_x_wr_timezone_reads_its_times_in_that_zone():
    # Google writes UTC times and names the calendar's zone in X-WR-TIMEZONE; a series
    # keeps its wall clock there across the change of 25 October.
    first = datetime(2026, 10, 19, 7, 0, tzinfo=UTC)  # 09:00 in Berlin, summer time
    weekly = event("yoga", first, first + timedelta(hours=1))
    weekly.add("rrule", {"freq": "weekly", "count": 2})
    google = feed(weekly, x_wr_timezone="Europe/Berlin")
    assert spans(google, zone=ZoneInfo("UTC")) == [
        (utc(2026, 10, 19, 7), utc(2026, 10, 19, 8)),
        (utc(2026, 10, 26, 8), utc(2026, 10, 26, 9)),
    ]


def test_only_the_window_is_read():
    far = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
    assert spans(feed(event("later", far, far + timedelta(hours=1)))) == []


@pytest.mark.parametrize("garbage", [b"<html>Sign in</html>", b"BEGIN:VCALENDAR\r\nBEGIN:VEV"])
def test_an_answer_that_is_not_a_calendar_is_refused(garbage):
    with pytest.raises(UnreadableCalendar):
        busy_spans(garbage, zone=BERLIN, start=WINDOW[0], end=WINDOW[1])


def test_overlapping_and_touching_busy_times_are_stored_as_one():
    def at(hour, minute=0):
        return datetime(2026, 12, 3, hour, minute, tzinfo=UTC)

    spans = [
        busy_times.BusySpan(at(11), at(12), "c"),
        busy_times.BusySpan(at(9), at(10), "a"),
        busy_times.BusySpan(at(9, 30), at(9, 45), "inside"),
        busy_times.BusySpan(at(10), at(10, 30), "b"),
        busy_times.BusySpan(at(14), at(15), "d"),
    ]
    assert busy_times.merged(spans) == [
        busy_times.BusySpan(at(9), at(10, 30), "a"),
        busy_times.BusySpan(at(11), at(12), "c"),
        busy_times.BusySpan(at(14), at(15), "d"),
    ]
    assert busy_times.merged([]) == []
