"""Crisis resources shown to a client whose answer says they may not be safe.

Shown to them only, on their own page; nothing here tells anyone else. The resources are
for the person filling the questionnaire, not for whoever made the booking: the country is
the one they chose in the box, else a guess from their own device's time zone (a heuristic:
zones do not map to countries exactly), else, for the client alone, from the zone they
booked in. A partner whose place is unknown gets the international text, never the
booker's country. Every list ends with the emergency number and a worldwide directory.

Every country of the zone picker has an entry in ``countries.toml`` (see ``data``), with
the lines of that file plus the ones the practitioner keeps in her console (``CrisisLine``,
changed by ``own_lines``).
"""

import unicodedata
from dataclasses import dataclass

from intake.crisis import data
from intake.models import CrisisLine
from practice.timezones import canonical_timezone, country_of_zone

# The "Somewhere else" choice: the international text and directory only.
ELSEWHERE = "elsewhere"

DIRECTORY_URL = "https://findahelpline.com"


@dataclass(frozen=True)
class Resource:
    name: str
    contact: str


@dataclass(frozen=True)
class Resources:
    country: str
    emergency: str
    lines: tuple[Resource, ...]


def resources_for(code: str) -> Resources | None:
    """The country's emergency number and lines: the shipped ones, where the practitioner's
    line of the same name takes the shipped one's place, then her other lines."""
    country = data.countries().get(code)
    if country is None:
        return None
    lines = {line.name.casefold(): Resource(line.name, line.contact) for line in country.lines}
    for own in CrisisLine.objects.filter(country=code).order_by("name"):
        lines[own.name.casefold()] = Resource(own.name, own.contact)
    return Resources(country.name, country.emergency, tuple(lines.values()))


def _alphabetical(name: str) -> str:
    """Åland next to Albania, not after Zimbabwe."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def country_choices() -> list[tuple[str, str]]:
    """Every country with resources, by name as a list shows it ("United Kingdom")."""
    return sorted(
        ((code, c.name.removeprefix("the ")) for code, c in data.countries().items()),
        key=lambda choice: _alphabetical(choice[1]),
    )


def choices() -> list[tuple[str, str]]:
    """The countries a person can pick in the support box, by name, then "Somewhere else"."""
    return [*country_choices(), (ELSEWHERE, "Somewhere else")]


def is_choice(value: str) -> bool:
    return value == ELSEWHERE or value in data.countries()


@dataclass(frozen=True)
class Place:
    """Whose country the box speaks of, and how it was found."""

    code: str  # a country code of the data, ELSEWHERE, or "" when unknown
    resources: Resources | None
    chosen: bool  # the person picked it themselves


def for_person(*, chosen: str = "", device_zone: str = "", booked_zone: str = "") -> Place:
    """The resources for the person filling in: their own choice, else their device's
    zone, else the zone they booked in (pass it for the client only: a partner did not
    book, and the booker's country may be the wrong one, or a telling one)."""
    if is_choice(chosen):
        return Place(code=chosen, resources=resources_for(chosen), chosen=True)
    for zone in (device_zone, booked_zone):
        if zone and canonical_timezone(zone):
            code = country_of_zone(zone) or ""
            if code not in data.countries():
                code = ""
            return Place(code=code, resources=resources_for(code), chosen=False)
    return Place(code="", resources=None, chosen=False)
