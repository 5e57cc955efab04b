import pytest
from django.core.exceptions import ValidationError

from practice.timezones import canonical_timezone, common_timezones, validate_timezone


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
