"""The IANA time zones offered to visitors, and the canonical name of any zone given.

The list is tzdata's ``zone.tab`` (one zone per country region, e.g. Europe/Oslo and
Asia/Kolkata) plus UTC. Browsers still report legacy names (Chromium says Asia/Calcutta),
so every alias that tzdata lists as a link is mapped to the zone it names.
"""

from functools import cache
from importlib import resources

from django.core.exceptions import ValidationError


def _tzdata_text(name: str) -> str:
    return (resources.files("tzdata.zoneinfo") / name).read_text(encoding="utf-8")


UTC_NAMES = frozenset({"Etc/UTC", "Etc/GMT"})


@cache
def _zone_countries() -> dict[str, str]:
    """Zone → ISO country code, from tzdata's zone.tab (``CC<tab>coordinates<tab>zone``)."""
    rows = (line.split("\t") for line in _tzdata_text("zone.tab").splitlines())
    return {row[2]: row[0] for row in rows if row[0] and not row[0].startswith("#")}


@cache
def common_timezones() -> tuple[str, ...]:
    return (*sorted(_zone_countries()), "UTC")


def country_of_zone(name: str) -> str | None:
    """The country a zone lies in (a guess for people: zones cross borders), or None."""
    zone = canonical_timezone(name)
    return _zone_countries().get(zone) if zone else None


@cache
def _links() -> dict[str, str]:
    """Alias → target, from tzdata's compact source (lines ``L TARGET ALIAS``)."""
    links = {}
    for line in _tzdata_text("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()
            links[alias] = target
    return links


def canonical_timezone(name: str) -> str | None:
    """The offered zone ``name`` stands for, or None if it is not a zone at all."""
    offered = set(common_timezones())
    seen = set()
    while name not in offered:
        if name in UTC_NAMES:
            return "UTC"
        if name in seen or name not in _links():
            return None
        seen.add(name)
        name = _links()[name]
    return name


def is_valid_timezone(name: str) -> bool:
    return canonical_timezone(name) is not None


def validate_timezone(name: str) -> None:
    if not is_valid_timezone(name):
        raise ValidationError(
            "%(name)s is not a time zone we know. Pick one from the list, like Europe/Berlin.",
            params={"name": name},
            code="invalid_timezone",
        )
