"""The shipped crisis resources: ``countries.toml`` in this directory, read and validated once.

Like the questionnaires, the file is checked at start-up (``IntakeConfig.ready``): an entry
without its source or checked-on date stops the start-up with a message naming the entry,
such as ``countries.toml: JP.lines[0] (TELL Lifeline): needs 'source', the https:// or
http:// address of the page it was taken from``, rather than showing a number nobody can
trace to a person in crisis. The file's header says how the entries were checked.
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FILE = Path(__file__).resolve().parent / "countries.toml"

KINDS = ("crisis", "abuse")  # a crisis or suicide line; a domestic-abuse line
_COUNTRY_KEYS = {"name", "emergency", "source", "checked_on", "lines"}
_LINE_KEYS = {"name", "contact", "kind", "source", "checked_on"}


NEEDS_TEXT = "{where}: needs '{key}', a text"
NEEDS_SOURCE = (
    "{where}: needs 'source', the https:// or http:// address of the page it was taken from"
)
NEEDS_CHECKED_ON = "{where}: needs 'checked_on', the date its source was read"
UNKNOWN_KEY = "{where}: unknown key '{key}'"
BAD_KIND = "{where}: 'kind' is one of crisis, abuse"
BAD_CODE = "{where}: countries are keyed by their ISO code, like JP"
NEEDS_COUNTRIES = "{where}: needs a [countries.XX] table per country"
BAD_LINES = "{where}: 'lines' is a list of [[countries.{code}.lines]]"
NOT_A_TABLE = "{where}: a line is a table"


class CrisisDataError(ValueError):
    """A crisis data file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Line:
    name: str
    contact: str
    kind: str = "crisis"
    source: str = ""
    checked_on: datetime.date | None = None


@dataclass(frozen=True)
class Country:
    code: str
    name: str  # as it reads after "in": "the United Kingdom"
    emergency: str
    source: str
    checked_on: datetime.date
    lines: tuple[Line, ...]


def _text(data: Mapping, key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CrisisDataError(NEEDS_TEXT.format(where=where, key=key))
    return value.strip()


def _source(data: Mapping, where: str) -> tuple[str, datetime.date]:
    source = data.get("source")
    if not isinstance(source, str) or not source.startswith(("https://", "http://")):
        raise CrisisDataError(NEEDS_SOURCE.format(where=where))
    checked_on = data.get("checked_on")
    if type(checked_on) is not datetime.date:
        raise CrisisDataError(NEEDS_CHECKED_ON.format(where=where))
    return source, checked_on


def _unknown_keys(data: Mapping, allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise CrisisDataError(UNKNOWN_KEY.format(where=where, key=unknown[0]))


def _line(data: Any, where: str) -> Line:
    if not isinstance(data, Mapping):
        raise CrisisDataError(NOT_A_TABLE.format(where=where))
    name = data.get("name")
    where = f"{where} ({name})" if isinstance(name, str) and name else where
    _unknown_keys(data, _LINE_KEYS, where)
    kind = data.get("kind")
    if kind not in KINDS:
        raise CrisisDataError(BAD_KIND.format(where=where))
    source, checked_on = _source(data, where)
    return Line(
        name=_text(data, "name", where),
        contact=_text(data, "contact", where),
        kind=kind,
        source=source,
        checked_on=checked_on,
    )


def parse(text: str, file_name: str) -> dict[str, Country]:
    """Every country of the file by ISO code, or CrisisDataError naming the entry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CrisisDataError(f"{file_name}: {error}") from None
    countries = data.get("countries")
    if not isinstance(countries, Mapping) or not countries:
        raise CrisisDataError(NEEDS_COUNTRIES.format(where=file_name))
    parsed = {}
    for code, entry in countries.items():
        where = f"{file_name}: {code}"
        if len(code) != 2 or not code.isupper() or not isinstance(entry, Mapping):
            raise CrisisDataError(BAD_CODE.format(where=where))
        _unknown_keys(entry, _COUNTRY_KEYS, where)
        source, checked_on = _source(entry, where)
        lines = entry.get("lines", [])
        if not isinstance(lines, list):
            raise CrisisDataError(BAD_LINES.format(where=where, code=code))
        parsed[code] = Country(
            code=code,
            name=_text(entry, "name", where),
            emergency=_text(entry, "emergency", where),
            source=source,
            checked_on=checked_on,
            lines=tuple(_line(line, f"{where}.lines[{i}]") for i, line in enumerate(lines)),
        )
    return parsed


@cache
def countries() -> dict[str, Country]:
    return parse(FILE.read_text(encoding="utf-8"), FILE.name)
