import re
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from practice.timezones import (
    canonical_timezone,
    clock,
    clock_span,
    common_timezones,
    utc_offset,
    validate_timezone,
    zone_choices,
    zone_label,
    zone_option_label,
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
    with pytest.raises(ValidationError, match="Unknown time zone"):
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


@pytest.mark.parametrize(
    ("zone", "label"),
    [
        ("America/New_York", "New York"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires"),
        ("Asia/Kolkata", "Kolkata"),
        ("UTC", "UTC"),
    ],
)
def test_a_zone_has_one_name_for_people(zone, label):
    assert zone_label(zone) == label


def test_no_two_offered_zones_share_a_name():
    names = [zone_label(zone) for zone in common_timezones()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("zone", "offset", "label"),
    [
        ("Asia/Tokyo", "UTC+9", "Tokyo — UTC+9, 17:00"),
        ("Asia/Kolkata", "UTC+5:30", "Kolkata — UTC+5:30, 13:30"),
        ("America/Sao_Paulo", "UTC−3", "Sao Paulo — UTC−3, 05:00"),
        ("America/New_York", "UTC−5", "New York — UTC−5, 03:00"),
        ("Europe/London", "UTC+0", "London — UTC+0, 08:00"),
        ("UTC", "UTC+0", "UTC — 08:00"),
    ],
)
def test_the_picker_shows_each_zones_offset_and_time_there_on_one_clock(zone, offset, label):
    moment = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    assert utc_offset(moment, zone) == offset
    assert zone_option_label(zone, moment) == label


def test_the_offset_follows_summer_time():
    assert utc_offset(datetime(2026, 7, 1, tzinfo=UTC), "America/New_York") == "UTC−4"


def test_the_picker_offers_every_zone_once_by_region_and_the_devices_first():
    moment = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    choices = zone_choices(now=moment, device_zone="Asia/Calcutta", first=("Europe/Berlin",))
    (device, [this_device]), (suggested, first), *regions = choices
    assert device == "This device"
    assert this_device == ("Asia/Kolkata", "Kolkata — UTC+5:30, 13:30")
    assert suggested == "Suggested"
    assert [zone for zone, _ in first[:2]] == ["Europe/Berlin", "Europe/London"]
    listed = [zone for _, options in regions for zone, _ in options]
    assert sorted(listed) == sorted(common_timezones())  # every zone, each once
    assert [name for name, _ in regions][:3] == ["Africa", "Americas", "Antarctica"]


def test_well_known_cities_find_the_zone_whose_clock_they_keep():
    from practice.timezones import OTHER_CITIES, _links, other_cities

    assert "Osaka" in other_cities("Asia/Tokyo")
    assert "Mumbai" in other_cities("Asia/Kolkata")
    assert other_cities("Asia/Tokyo") == OTHER_CITIES["Asia/Tokyo"]
    assert other_cities("Europe/Oslo") == ()
    offered = set(common_timezones())
    labels = {zone_label(zone).casefold() for zone in offered}
    for zone, cities in OTHER_CITIES.items():
        assert zone in offered, zone
        for city in cities:
            # A city tzdata lists (Melbourne) is found by its own zone, not another's.
            assert city.casefold() not in labels, city
            # Where tzdata keeps the city's old name as a link, it names this very zone.
            region = zone.split("/", 1)[0]
            link = f"{region}/{city.replace(' ', '_')}"
            if link in _links():
                assert canonical_timezone(link) == zone, city


def test_the_cities_do_not_change_the_zones_offered():
    from practice.timezones import _zone_countries

    assert common_timezones() == (*sorted(_zone_countries()), "UTC")
    assert "Asia/Osaka" not in common_timezones()


def test_the_whole_picker_reads_one_clock():
    moment = datetime(2026, 12, 2, 2, 28, tzinfo=UTC)
    labels = [label for _, options in zone_choices(now=moment) for _, label in options]
    assert all(re.search(r", \d\d:\d\d$|^UTC — \d\d:\d\d$", label) for label in labels)
    assert "Cairo — UTC+2, 04:28" in labels and "Algiers — UTC+1, 03:28" in labels
