"""Dates in booking sentences: in words, with the year only when it is not this year."""

from datetime import UTC, date, datetime

from practice.timezones import day, day_and_clock

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_a_date_this_year_leaves_the_year_out():
    assert day(datetime(2026, 12, 3, 9, 0, tzinfo=UTC), "Europe/Berlin", now=NOW) == (
        "Thursday 3 December"
    )


def test_a_date_in_another_year_says_which():
    assert day(date(2027, 1, 12), "Europe/Berlin", now=NOW) == "Tuesday 12 January 2027"
    assert day(date(2025, 12, 3), "Europe/Berlin", now=NOW) == "Wednesday 3 December 2025"


def test_this_year_is_the_visitors_year_not_the_servers():
    new_years_eve = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # already 2027 in Tokyo
    assert day(new_years_eve, "Asia/Tokyo", now=new_years_eve) == "Friday 1 January"
    assert day(new_years_eve, "America/New_York", now=new_years_eve) == "Thursday 31 December"


def test_a_start_in_a_sentence_reads_as_the_zone_reads_its_clock():
    start = datetime(2027, 1, 7, 15, 30, tzinfo=UTC)
    assert day_and_clock(start, "America/New_York", now=NOW) == "Thursday 7 January 2027, 10:30 AM"
    assert day_and_clock(start, "Europe/Berlin", now=NOW) == "Thursday 7 January 2027, 16:30"
