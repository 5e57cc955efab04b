from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from practice.timezones import (
    canonical_timezone,
    clock,
    clock_span,
    common_timezones,
    validate_timezone,
)


@pytest.mark.parametrize(
    ("given", "listed"),
    [
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("US/Eastern", "America/New_York"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Etc/UTC", "UTC"),
        ("GMT", "UTC"),
        ("Australia/Sydney", "Australia/Sydney"),
    ],
)
def test_browser_names_map_to_a_listed_zone(given, listed):
    assert canonical_timezone(given) == listed
    assert listed in common_timezones()


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../../etc/passwd", "Europe"])
def test_unknown_zones_are_refused_with_a_message(name):
    assert canonical_timezone(name) is None
    with pytest.raises(ValidationError, match="is not a time zone we know"):
        validate_timezone(name)


def test_the_list_has_no_legacy_aliases():
    zones = common_timezones()
    assert "Asia/Calcutta" not in zones and "US/Eastern" not in zones
    assert zones == tuple(sorted(zones[:-1])) + ("UTC",)


@pytest.mark.parametrize(
    ("zone", "country"),
    [("Europe/Berlin", "DE"), ("America/Regina", "CA"), ("Asia/Calcutta", "IN"), ("UTC", None)],
)
def test_the_country_of_a_zone_comes_from_tzdata(zone, country):
    from practice.timezones import country_of_zone

    assert country_of_zone(zone) == country


@pytest.mark.parametrize(
    ("hour", "minute", "zone", "expected"),
    [
        (15, 30, "Europe/Berlin", "16:30"),
        (15, 30, "America/New_York", "10:30 AM"),
        (17, 0, "America/New_York", "12:00 PM"),  # noon
        (5, 0, "America/New_York", "12:00 AM"),  # midnight
        (15, 30, "US/Eastern", "10:30 AM"),  # a legacy name reads like the zone it names
        (10, 0, "Asia/Kolkata", "3:30 PM"),
        (10, 0, "UTC", "10:00"),
        (10, 0, "Asia/Tokyo", "19:00"),
    ],
)
def test_times_read_as_people_in_the_zone_read_a_clock(hour, minute, zone, expected):
    assert clock(datetime(2026, 12, 3, hour, minute, tzinfo=UTC), zone) == expected


@pytest.mark.parametrize(
    ("start", "end", "zone", "expected"),
    [
        ((9, 0), (9, 30), "America/New_York", "4:00–4:30 AM"),
        ((16, 30), (17, 30), "America/New_York", "11:30 AM–12:30 PM"),
        ((9, 0), (9, 30), "Europe/Berlin", "10:00–10:30"),
        ((22, 0), (23, 0), "Europe/Berlin", "23:00–00:00"),  # ends at midnight: no day named
        ((22, 30), (23, 30), "Europe/Berlin", "23:30 – Friday 4 December, 00:30"),
    ],
)
def test_a_span_names_the_end_day_only_past_midnight(start, end, zone, expected):
    first = datetime(2026, 12, 3, *start, tzinfo=UTC)
    last = datetime(2026, 12, 3, *end, tzinfo=UTC)
    assert clock_span(first, last, zone) == expected
