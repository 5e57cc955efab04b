"""Crisis resources shown to a client whose answer says they may not be safe.

Shown to them only, on their own page; nothing here tells anyone else. The resources are
for the person filling the questionnaire, not for whoever made the booking: the country is
the one they chose in the box, else a guess from their own device's time zone (a heuristic:
zones do not map to countries exactly), else, for the client alone, from the zone they
booked in. A partner whose place is unknown gets the international text, never the
booker's country. Every list ends with the emergency number and a worldwide directory.
"""

from dataclasses import dataclass

from practice.timezones import canonical_timezone, country_of_zone

# The "Somewhere else" choice: the international text and directory only.
ELSEWHERE = "elsewhere"


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


def choices() -> list[tuple[str, str]]:
    """The countries a person can pick in the support box, by name, then "Somewhere else"."""
    named = sorted(
        ((code, r.country.removeprefix("the ")) for code, r in BY_COUNTRY.items()),
        key=lambda choice: choice[1],
    )
    return [*named, (ELSEWHERE, "Somewhere else")]


def is_choice(value: str) -> bool:
    return value == ELSEWHERE or value in BY_COUNTRY


@dataclass(frozen=True)
class Place:
    """Whose country the box speaks of, and how it was found."""

    code: str  # a key of BY_COUNTRY, ELSEWHERE, or "" when unknown or without resources
    resources: Resources | None
    chosen: bool  # the person picked it themselves


def for_person(*, chosen: str = "", device_zone: str = "", booked_zone: str = "") -> Place:
    """The resources for the person filling in: their own choice, else their device's
    zone, else the zone they booked in (pass it for the client only: a partner did not
    book, and the booker's country may be the wrong one, or a telling one)."""
    if is_choice(chosen):
        return Place(code=chosen, resources=BY_COUNTRY.get(chosen), chosen=True)
    for zone in (device_zone, booked_zone):
        if zone and canonical_timezone(zone):
            code = country_of_zone(zone) or ""
            if code not in BY_COUNTRY:
                code = ""
            return Place(code=code, resources=BY_COUNTRY.get(code), chosen=False)
    return Place(code="", resources=None, chosen=False)
