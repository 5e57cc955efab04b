"""The IANA time zones offered to visitors, and validation of a zone name."""

import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError


@cache
def common_timezones() -> tuple[str, ...]:
    """Area/City zones, sorted, without the legacy aliases (``posix/``, ``Etc/``, ``US/``)."""
    areas = (
        "Africa/",
        "America/",
        "Antarctica/",
        "Asia/",
        "Atlantic/",
        "Australia/",
        "Europe/",
        "Indian/",
        "Pacific/",
    )
    return tuple(
        sorted(z for z in zoneinfo.available_timezones() if z.startswith(areas)) + ["UTC"]
    )


def is_valid_timezone(name: str) -> bool:
    return name in common_timezones() or name in _all_timezones()


@cache
def _all_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(name: str) -> None:
    if not is_valid_timezone(name):
        raise ValidationError(
            "%(name)s is not a time zone we know. Pick one from the list, like Europe/Berlin.",
            params={"name": name},
            code="invalid_timezone",
        )
