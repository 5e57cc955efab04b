"""Crisis resources shown to a client whose answer says they may not be safe.

Shown to them only, on their own page; nothing here tells anyone else. The country is a
guess from the time zone they booked in (a heuristic: zones do not map to countries
exactly), and every list ends with the emergency number and a worldwide directory.
"""

from dataclasses import dataclass

from practice.timezones import country_of_zone


@dataclass(frozen=True)
class Resource:
    name: str
    contact: str


@dataclass(frozen=True)
class Resources:
    country: str
    emergency: str
    lines: tuple[Resource, ...]


DIRECTORY_URL = "https://findahelpline.com"

BY_COUNTRY = {
    "US": Resources(
        "the United States",
        "911",
        (
            Resource("988 Suicide & Crisis Lifeline", "call or text 988"),
            Resource(
                "National Domestic Violence Hotline", "1-800-799-7233, or text START to 88788"
            ),
        ),
    ),
    "CA": Resources(
        "Canada",
        "911",
        (Resource("9-8-8 Suicide Crisis Helpline", "call or text 988"),),
    ),
    "GB": Resources(
        "the United Kingdom",
        "999",
        (
            Resource("Samaritans", "116 123, free, day and night"),
            Resource("National Domestic Abuse Helpline", "0808 2000 247, free, day and night"),
        ),
    ),
    "DE": Resources(
        "Germany",
        "112 (police 110)",
        (
            Resource("TelefonSeelsorge", "0800 111 0 111 or 0800 111 0 222, free, day and night"),
            Resource("Hilfetelefon Gewalt gegen Frauen", "116 016, free, day and night"),
        ),
    ),
    "AU": Resources(
        "Australia",
        "000",
        (
            Resource("Lifeline", "13 11 14"),
            Resource("1800RESPECT", "1800 737 732"),
        ),
    ),
}


def for_zone(zone_name: str) -> Resources | None:
    """The resources of the country the zone suggests, or None for the generic text only."""
    return BY_COUNTRY.get(country_of_zone(zone_name) or "")
