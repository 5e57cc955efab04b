"""The IANA time zones offered to visitors, and the canonical name of any zone given.

The list is tzdata's ``zone.tab`` (one zone per country region, e.g. Europe/Oslo and
Asia/Kolkata) plus UTC. Browsers still report legacy names (Chromium says Asia/Calcutta),
so every alias that tzdata lists as a link is mapped to the zone it names.
"""

from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

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


@cache
def _offered() -> frozenset[str]:
    return frozenset(common_timezones())


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
    offered = _offered()
    seen = set()
    while name not in offered:
        if name in UTC_NAMES:
            return "UTC"
        if name in seen or name not in _links():
            return None
        seen.add(name)
        name = _links()[name]
    return name


# Where people read the 12-hour clock (CLDR's preferred hour cycle "h" for the region);
# everywhere else, and for zones with no country, the 24-hour one.
TWELVE_HOUR_COUNTRIES = frozenset("US CA AU NZ IN PH PK BD EG SA AE JO KW QA BH OM MY KR".split())


@cache
def uses_12_hour_clock(zone_name: str) -> bool:
    return country_of_zone(zone_name) in TWELVE_HOUR_COUNTRIES


def clock(moment: datetime, zone_name: str) -> str:
    """The time of ``moment`` in ``zone_name`` as people there read a clock: ``16:30`` in
    Berlin, ``4:30 PM`` in New York. Dates are written in words everywhere, so only the
    hours differ."""
    local = moment.astimezone(ZoneInfo(zone_name))
    if uses_12_hour_clock(zone_name):
        return f"{local.hour % 12 or 12}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"
    return f"{local:%H:%M}"


def clock_span(start: datetime, end: datetime, zone_name: str) -> str:
    """``16:00–16:30`` (``4:00–4:30 PM`` where the 12-hour clock is read); an end on a later
    day (other than midnight) names its day. Shown in ``zone_name``."""
    start, end = start.astimezone(ZoneInfo(zone_name)), end.astimezone(ZoneInfo(zone_name))
    ends_at_midnight = end.date() == start.date() + timedelta(days=1) and not (
        end.hour or end.minute
    )
    first, last = clock(start, zone_name), clock(end, zone_name)
    if end.date() == start.date() or ends_at_midnight:
        if first[-3:] in (" AM", " PM") and first[-3:] == last[-3:]:
            first = first[:-3]  # 4:00–4:30 PM
        return f"{first}–{last}"
    return f"{first} – {day(end, zone_name)}, {last}"


def day(
    value: date | datetime, zone_name: str, *, now: datetime | None = None, short: bool = False
) -> str:
    """``Tuesday 1 December`` (a moment's date in ``zone_name``, or a plain date), with the
    year added when it is not this year there: ``Friday 8 January 2027``. A date in words
    is read the same everywhere; the year matters only when it is not the obvious one.
    ``short`` abbreviates for an email's subject: ``Fri 8 Jan 2027``."""
    zone = ZoneInfo(zone_name)
    if isinstance(value, datetime):
        value = value.astimezone(zone).date()
    this_year = (now or datetime.now(UTC)).astimezone(zone).year
    words = f"{value:%a} {value.day} {value:%b}" if short else f"{value:%A} {value.day} {value:%B}"
    return words if value.year == this_year else f"{words} {value.year}"


def day_and_clock(moment: datetime, zone_name: str, *, now: datetime | None = None) -> str:
    """``Tuesday 1 December, 16:30``: a meeting's start in a sentence."""
    return f"{day(moment, zone_name, now=now)}, {clock(moment, zone_name)}"


def zone_label(name: str) -> str:
    """The one way a zone is named to people, in the picker, on pages and in emails: its
    place as tzdata spells it, ``America/New_York`` → ``New York``,
    ``America/Argentina/Buenos_Aires`` → ``Buenos Aires`` (no two listed zones share one)."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def utc_offset(moment: datetime, zone_name: str) -> str:
    """``UTC+9``, ``UTC+5:30``, ``UTC−3`` (a minus sign, read as "minus"): the offset of
    ``zone_name`` at ``moment``, which moves with summer time."""
    offset = moment.astimezone(ZoneInfo(zone_name)).utcoffset() or timedelta(0)
    sign = "−" if offset < timedelta(0) else "+"
    hours, seconds = divmod(abs(int(offset.total_seconds())), 3600)
    return f"UTC{sign}{hours}" + (f":{seconds // 60:02d}" if seconds else "")


def zone_option_label(zone_name: str, now: datetime) -> str:
    """How the picker offers a zone: ``Tokyo — UTC+9, 06:43``. One clock for the whole
    list, the 24-hour one most of its zones read: a list that said "02:28" beside
    "3:28 AM" would be compared at a glance, and misread."""
    local = f"{now.astimezone(ZoneInfo(zone_name)):%H:%M}"
    if zone_name == "UTC":
        return f"UTC — {local}"
    return f"{zone_label(zone_name)} — {utc_offset(now, zone_name)}, {local}"


@cache
def country_names() -> dict[str, str]:
    """ISO country code → English name, from tzdata's iso3166.tab."""
    rows = (line.split("\t") for line in _tzdata_text("iso3166.tab").splitlines())
    return {row[0]: row[1] for row in rows if len(row) == 2 and not row[0].startswith("#")}


# Well-known cities on the clock of an offered zone that tzdata names for another city
# (zone.tab lists one city per region, so "Osaka" alone would find nothing): the picker's
# search finds the zone by them, as by its country. Only cities whose zone is that one
# today; the zones offered stay tzdata's (tests/practice/test_timezones.py holds both).
OTHER_CITIES = {
    "Africa/Cairo": ("Alexandria", "Giza"),
    "Africa/Johannesburg": ("Cape Town", "Durban", "Pretoria"),
    "Africa/Lagos": ("Abuja", "Ibadan"),
    "Africa/Nairobi": ("Mombasa",),
    "America/Chicago": ("Houston", "Dallas", "Austin", "San Antonio", "Minneapolis"),
    "America/Los_Angeles": ("San Francisco", "Seattle", "San Diego"),
    "America/New_York": ("Boston", "Washington DC", "Miami", "Philadelphia", "Atlanta"),
    "America/Sao_Paulo": ("Rio de Janeiro", "Brasilia", "Belo Horizonte"),
    "America/Toronto": ("Montreal", "Ottawa", "Quebec City"),
    "Asia/Dubai": ("Abu Dhabi",),
    "Asia/Ho_Chi_Minh": ("Hanoi", "Saigon"),
    "Asia/Jerusalem": ("Tel Aviv", "Haifa"),
    "Asia/Karachi": ("Lahore", "Islamabad"),
    "Asia/Kolkata": ("Mumbai", "Delhi", "New Delhi", "Bangalore", "Bengaluru", "Chennai"),
    "Asia/Seoul": ("Busan",),
    "Asia/Shanghai": ("Beijing", "Shenzhen", "Guangzhou"),
    "Asia/Tokyo": ("Osaka", "Kyoto", "Yokohama", "Nagoya", "Sapporo", "Fukuoka"),
    "Australia/Sydney": ("Canberra",),
    "Europe/Amsterdam": ("Rotterdam", "The Hague"),
    "Europe/Berlin": ("Munich", "Hamburg", "Frankfurt", "Cologne"),
    "Europe/London": ("Manchester", "Birmingham", "Edinburgh", "Glasgow", "Cardiff", "Belfast"),
    "Europe/Madrid": ("Barcelona", "Valencia", "Seville"),
    "Europe/Paris": ("Lyon", "Marseille"),
    "Europe/Rome": ("Milan", "Florence", "Naples"),
    "Europe/Zurich": ("Geneva", "Basel"),
    "Pacific/Auckland": ("Wellington", "Christchurch"),
}


def other_cities(zone_name: str) -> tuple[str, ...]:
    """The well-known cities that keep ``zone_name``'s clock without naming it."""
    return OTHER_CITIES.get(zone_name, ())


# The picker's groups, named for people (tzdata's first part says "America" and "Indian").
REGIONS = {
    "Africa": "Africa",
    "America": "Americas",
    "Antarctica": "Antarctica",
    "Arctic": "Arctic",
    "Asia": "Asia",
    "Atlantic": "Atlantic Ocean",
    "Australia": "Australia",
    "Europe": "Europe",
    "Indian": "Indian Ocean",
    "Pacific": "Pacific",
    "UTC": "Universal time",
}
# Offered first, after the visitor's own zones: where most clients of an English-speaking
# practice live.
COMMON_ZONES = (
    "Europe/London",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Toronto",
    "Europe/Berlin",
    "Australia/Sydney",
    "Asia/Kolkata",
)
SUGGESTED = "Suggested"
# The device's zone gets a group of its own, so the closed picker shows only the zone's
# label (a 375 px phone cut "Tokyo — UTC+9, 07:23 (this devic").
THIS_DEVICE = "This device"


def zone_choices(
    *, now: datetime, device_zone: str | None = None, first: tuple[str, ...] = ()
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The picker's choices, ``[(group, [(zone, label), …]), …]``: a "This device" group
    with the device's zone (when known), a "Suggested" group (``first``, then the common
    ones), then every offered zone once more in its region, by name. Labels carry each
    zone's offset and time at ``now``."""
    device = canonical_timezone(device_zone or "")
    suggested = dict.fromkeys(z for z in (*first, *COMMON_ZONES) if z and z != device)
    regions = _regional_choices(now.astimezone(UTC).replace(second=0, microsecond=0))
    labels = {zone: label for _region, zones in regions for zone, label in zones}

    def labelled(zone: str) -> tuple[str, str]:
        return zone, labels.get(zone) or zone_option_label(zone, now)

    groups = [(THIS_DEVICE, [labelled(device)])] if device else []
    groups.append((SUGGESTED, [labelled(zone) for zone in suggested]))
    return groups + list(regions)


@lru_cache(maxsize=2)
def _regional_choices(minute: datetime) -> tuple[tuple[str, list[tuple[str, str]]], ...]:
    """Every offered zone in its region, by name, labelled at ``minute``: the labels read
    hours and minutes only, so one minute's list serves every week page in it (building
    it costs some 20 ms, too much for each request)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for zone in sorted(common_timezones(), key=zone_label):
        region = REGIONS[zone.split("/", 1)[0]]
        groups.setdefault(region, []).append((zone, zone_option_label(zone, minute)))
    return tuple((region, groups[region]) for region in REGIONS.values() if region in groups)


@cache
def accepted_timezones() -> tuple[str, ...]:
    """Every name ``canonical_timezone`` accepts, sorted: the offered zones, UTC's other
    names and the legacy links, so the API's document can list exactly what it takes."""
    links = (alias for alias in _links() if canonical_timezone(alias))
    return tuple(sorted({*_offered(), *UTC_NAMES, *links}))


def is_valid_timezone(name: str) -> bool:
    return canonical_timezone(name) is not None


UNKNOWN_TIMEZONE = "Unknown time zone. Pick one from the list, like Europe/Berlin."


def validate_timezone(name: str) -> None:
    """Refuse a name that is not an IANA zone, without repeating it: what was sent may hold
    control characters (a NUL byte) that would travel on into the answer and its logs."""
    if not is_valid_timezone(name):
        raise ValidationError(UNKNOWN_TIMEZONE, code="invalid_timezone")
