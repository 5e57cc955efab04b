"""Dates in booking sentences: in words, with the year only when it is not this year."""

from datetime import UTC, date, datetime

import time_machine

from practice.timezones import clock_span, day, day_and_clock

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


def test_an_email_subject_abbreviates_the_same_words():
    assert day(date(2026, 12, 3), "Europe/Berlin", now=NOW, short=True) == "Thu 3 Dec"
    assert day(date(2027, 1, 8), "Europe/Berlin", now=NOW, short=True) == "Fri 8 Jan 2027"


def test_a_span_into_the_next_year_names_its_end_day_with_the_year():
    start = datetime(2026, 12, 31, 22, 45, tzinfo=UTC)
    end = datetime(2027, 1, 1, 0, 15, tzinfo=UTC)
    with time_machine.travel(NOW):
        assert clock_span(start, end, "UTC") == "22:45 – Friday 1 January 2027, 00:15"
