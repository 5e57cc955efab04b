"""The practitioner's own crisis lines: added, corrected and removed from her console.

The shipped file (``countries.toml``) stays the record of what was checked where; her rows
(``intake.models.CrisisLine``) are her own knowledge, joined to a country's box by
``intake.crisis.resources_for``. A line of hers with the name of a shipped one (case aside)
replaces it there; any other is added. Each change is one transaction; none is logged with
its words (a number is nobody's secret, but the rule is simpler kept whole).
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from intake.crisis import data
from intake.models import CrisisLine

UNKNOWN_COUNTRY = "Choose a country from the list."
NEEDS_NAME = "Give the line a name, as the client will read it."
NEEDS_CONTACT = "Say how to reach it: the number to call or text, and when."
SAME_NAME = "You already have a line called “{name}” in {country}. Change that one instead."


class LineError(ValueError):
    """A line that cannot be saved; ``field`` says which part of it is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def country_name(code: str) -> str:
    """The country as a list shows it ("United Kingdom"), or the code for one not shipped."""
    country = data.countries().get(code)
    return country.name.removeprefix("the ") if country else code


def country_in(code: str) -> str:
    """The country as it reads after "in" ("the United Kingdom")."""
    country = data.countries().get(code)
    return country.name if country else code


@dataclass(frozen=True)
class CountryLines:
    """One country as her page shows it: the shipped lines and hers, side by side."""

    code: str
    name: str
    shipped: tuple[data.Line, ...]
    own: tuple[CrisisLine, ...]

    @property
    def replaced(self) -> set[str]:
        own = {line.name.casefold() for line in self.own}
        return {s.name for s in self.shipped if s.name.casefold() in own}


def countries_with_own_lines() -> list[CountryLines]:
    """Every country she has a line for, by name; one query."""
    by_country: dict[str, list[CrisisLine]] = {}
    for line in CrisisLine.objects.order_by("name", "pk"):
        by_country.setdefault(line.country, []).append(line)
    shipped = data.countries()
    found = [
        CountryLines(
            code=code,
            name=country_name(code),
            shipped=shipped[code].lines if code in shipped else (),
            own=tuple(lines),
        )
        for code, lines in by_country.items()
    ]
    return sorted(found, key=lambda c: c.name.casefold())


def _checked(*, country: str, name: str, contact: str, line_id: int | None) -> tuple[str, ...]:
    name, contact = name.strip(), contact.strip()
    if country not in data.countries():
        raise LineError("country", UNKNOWN_COUNTRY)
    if not name:
        raise LineError("name", NEEDS_NAME)
    if not contact:
        raise LineError("contact", NEEDS_CONTACT)
    same = CrisisLine.objects.filter(country=country, name__iexact=name).exclude(pk=line_id)
    if same.exists():
        raise LineError("name", SAME_NAME.format(name=name, country=country_in(country)))
    return country, name, contact


def add_line(*, country: str, name: str, contact: str) -> CrisisLine:
    """A new line of hers in ``country``'s box, shown to clients from now on."""
    with transaction.atomic(durable=True):
        country, name, contact = _checked(
            country=country, name=name, contact=contact, line_id=None
        )
        try:
            with transaction.atomic():
                return CrisisLine.objects.create(country=country, name=name, contact=contact)
        except IntegrityError:  # the same name saved a moment ago, in another tab
            raise LineError(
                "name", SAME_NAME.format(name=name, country=country_in(country))
            ) from None


def change_line(*, line_id: int, country: str, name: str, contact: str) -> CrisisLine:
    """Her line, corrected (or moved to another country); ``DoesNotExist`` if it is gone."""
    with transaction.atomic(durable=True):
        line = CrisisLine.objects.select_for_update().get(pk=line_id)
        line.country, line.name, line.contact = _checked(
            country=country, name=name, contact=contact, line_id=line.pk
        )
        try:
            with transaction.atomic():
                line.save()
        except IntegrityError:
            raise LineError(
                "name", SAME_NAME.format(name=line.name, country=country_in(line.country))
            ) from None
        return line


def remove_line(*, line_id: int) -> CrisisLine | None:
    """Her line out of the box (a shipped one it replaced shows again); None if already
    gone, so a second press changes nothing."""
    with transaction.atomic(durable=True):
        line = CrisisLine.objects.select_for_update().filter(pk=line_id).first()
        if line is None:
            return None
        line.delete()
        return line
