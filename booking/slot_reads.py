"""The reads behind every slot search, as SQL written once.

A slot search reads the schedule (weekly rules, date overrides, time off) in one UNION
query, then her bookings and her busy blocks. Built with the ORM, composing and
compiling those querysets on every request cost more than the database and the slot
engines together; the SQL never changes, so it is written here once per database and only
the parameters change. Table and column names come from the models.

Instants are read as integers, microseconds since the epoch, which is what the slot engines
work on (booking.slots.free_starts): no per-value converter, no text to format or parse.
Django's converters (about 5 µs a timestamp on PostgreSQL) were once half of a 60-day
request, and formatting timestamps as text (``to_char``) most of what remained on the
server. A booking's are computed as they are read (booking.epoch_micros); busy blocks,
thousands from an imported calendar, store theirs (an index holds them too). Dates and
times of the schedule, a few rows, are read as fixed-format text and parsed by the
``fromisoformat`` functions, the same on both databases whatever the server's DateStyle.
"""

from collections.abc import Iterator
from datetime import date, datetime, time
from functools import cache

from django.db import connection

from booking.epoch_micros import AS_MICROS
from booking.intervals import micros
from booking.models import (
    AvailabilityRule,
    Booking,
    BusyBlock,
    DateOverride,
    SlotsVersion,
    TimeOff,
)
from practice.models import Offering

AS_READ = {
    "postgresql": {
        "instant": AS_MICROS["postgresql"],
        "date": "to_char({}, 'YYYY-MM-DD')",
        "time": "to_char({}, 'HH24:MI:SS.US')",
    },
    # Django stores SQLite's dates and times as ISO text already; the cast keeps sqlite3
    # from converting declared date and time columns into objects.
    "sqlite": {
        "instant": AS_MICROS["sqlite"],
        "date": "CAST({} AS TEXT)",
        "time": "CAST({} AS TEXT)",
    },
}

# What keeps a booking's time (booking.selectors.blocking_at, plus sessions that took
# place): confirmed, completed and no-show always; a hold only until it expires.
KEEPS_TIME = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)


def _column(model, field: str) -> str:
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(field).column)}"


def _read(kind: str, model, field: str) -> str:
    return AS_READ[connection.vendor][kind].format(_column(model, field))


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# ``vendor`` is the cache key: the text is built from ``connection``, once per database.
@cache
def _schedule_sql(vendor: str) -> str:
    rule, override, off = AvailabilityRule, DateOverride, TimeOff
    # Only names from the models' metadata are formatted in; values travel as parameters.
    return f"""
        SELECT CASE WHEN {_column(rule, "offering")} IS NULL THEN 0 ELSE 3 END,
               {_column(rule, "weekday")}, NULL, NULL,
               {_read("time", rule, "start_time")}, {_read("time", rule, "end_time")}
          FROM {_table(rule)}
         WHERE {_column(rule, "practitioner")} = %s
           AND ({_column(rule, "offering")} IS NULL OR {_column(rule, "offering")} = %s)
        UNION ALL
        SELECT 1, NULL, {_read("date", override, "date")}, NULL,
               {_read("time", override, "start_time")}, {_read("time", override, "end_time")}
          FROM {_table(override)}
         WHERE {_column(override, "practitioner")} = %s
           AND {_column(override, "date")} BETWEEN %s AND %s
        UNION ALL
        SELECT 2, NULL, {_read("date", off, "first_day")}, {_read("date", off, "last_day")},
               NULL, NULL
          FROM {_table(off)}
         WHERE {_column(off, "practitioner")} = %s
           AND {_column(off, "first_day")} <= %s AND {_column(off, "last_day")} >= %s
    """  # noqa: S608


@cache
def _bookings_sql(vendor: str, excluding: bool) -> str:
    kept = ", ".join(["%s"] * len(KEEPS_TIME))
    exclude = f"AND {_column(Booking, 'id')} <> %s" if excluding else ""
    status = _column(Booking, "status")
    held = Booking.Status.HELD.value  # a constant of the code, never a value from outside
    return f"""
        SELECT {_column(Booking, "offering")}, {_read("instant", Booking, "blocked_start")},
               {_read("instant", Booking, "blocked_end")}, {_read("instant", Booking, "start")},
               CASE WHEN {status} = '{held}'
                    THEN {_read("instant", Booking, "hold_expires_at")} END
          FROM {_table(Booking)}
         WHERE {_column(Booking, "practitioner")} = %s
           AND {_column(Booking, "blocked_start")} < %s AND {_column(Booking, "blocked_end")} > %s
           AND ({status} IN ({kept})
                OR ({status} = %s AND {_column(Booking, "hold_expires_at")} > %s))
           {exclude}
    """  # noqa: S608


@cache
def _blocks_sql(vendor: str) -> str:
    start, end = _column(BusyBlock, "start_micros"), _column(BusyBlock, "end_micros")
    return f"""
        SELECT {start}, {end} FROM {_table(BusyBlock)}
         WHERE {_column(BusyBlock, "practitioner")} = %s AND {start} < %s AND {end} > %s
    """  # noqa: S608


def _parsed(value: str | None, parse):
    return None if value is None else parse(value)


def schedule_rows(
    practitioner_id: int, first_day: date, last_day: date, *, offering_id: int | None = None
) -> Iterator[tuple[int, int | None, date | None, date | None, time | None, time | None]]:
    """Her general weekly rules (kind 0), ``offering_id``'s own weekly rules (3; none when
    it is None), date overrides meeting the days (1; no times: a day off) and time off
    meeting them (2), as ``(kind, weekday, day, last_day, start, end)``. Both weeks come in
    the one query; which one applies is the caller's choice (booking.selectors)."""
    first, last = (connection.ops.adapt_datefield_value(day) for day in (first_day, last_day))
    # 0 is no primary key: without an offering, only the general rules match.
    own = 0 if offering_id is None else offering_id
    params = (practitioner_id, own, practitioner_id, first, last, practitioner_id, last, first)
    with connection.cursor() as cursor:
        cursor.execute(_schedule_sql(connection.vendor), params)
        rows = cursor.fetchall()
    for kind, weekday, day, last_of, start, end in rows:
        yield (
            kind,
            weekday,
            _parsed(day, date.fromisoformat),
            _parsed(last_of, date.fromisoformat),
            _parsed(start, time.fromisoformat),
            _parsed(end, time.fromisoformat),
        )


def booking_rows(
    practitioner_id: int, *, start: datetime, end: datetime, now: datetime, exclude_id=None
) -> list[tuple[int, int, int, int, int | None]]:
    """Her bookings that keep their time at ``now`` (a hold only until it expires) and meet
    ``[start, end)``, in no particular order, as rows of ``(offering_id, start, end,
    booking_start, hold_expires)``: the blocked span (buffers included), when the meeting
    starts and, for a hold, when it stops blocking (None otherwise), in microseconds since
    the epoch."""
    instant = connection.ops.adapt_datetimefield_value
    statuses = [*KEEPS_TIME, Booking.Status.HELD, instant(now)]
    params = [practitioner_id, instant(end), instant(start), *statuses]
    if exclude_id is not None:
        params.append(exclude_id)
    with connection.cursor() as cursor:
        cursor.execute(_bookings_sql(connection.vendor, exclude_id is not None), params)
        return cursor.fetchall()


def block_rows(practitioner_id: int, *, start: datetime, end: datetime) -> list[tuple[int, int]]:
    """Her busy blocks meeting ``[start, end)``, in no particular order, as ``(start, end)``
    in microseconds since the epoch. A query of its own, two columns wide: an imported
    calendar gives thousands of rows, and on SQLite three empty columns more, to share one
    query with the bookings, cost more than a second query."""
    with connection.cursor() as cursor:
        cursor.execute(
            _blocks_sql(connection.vendor), [practitioner_id, micros(end), micros(start)]
        )
        return cursor.fetchall()


def offering_sql() -> str:
    """The active offering named by the one parameter, every column, with its practitioner's
    slots version as ``slots_version`` (None without one), for ``Offering.objects.raw``."""
    return _offering_sql(connection.vendor)


@cache
def _offering_sql(vendor: str) -> str:
    offering = _table(Offering)
    return f"""
        SELECT {offering}.*, {_column(SlotsVersion, "version")} AS slots_version
          FROM {offering} LEFT JOIN {_table(SlotsVersion)}
            ON {_column(SlotsVersion, "practitioner")} = {_column(Offering, "practitioner")}
         WHERE {_column(Offering, "slug")} = %s AND {_column(Offering, "is_active")}
    """  # noqa: S608


@cache
def _slots_version_sql(vendor: str) -> str:
    return f"""
        SELECT {_column(SlotsVersion, "version")} FROM {_table(SlotsVersion)}
         WHERE {_column(SlotsVersion, "practitioner")} = %s
    """  # noqa: S608


def slots_version(practitioner_id: int) -> int | None:
    """Her slots version (booking.models_slots), None without one."""
    with connection.cursor() as cursor:
        cursor.execute(_slots_version_sql(connection.vendor), [practitioner_id])
        row = cursor.fetchone()
    return None if row is None else row[0]


def all_slots_versions() -> tuple[tuple[int, int], ...]:
    """Every practitioner's slots version, as ``(practitioner_id, version)`` in order."""
    with connection.cursor() as cursor:
        cursor.execute(_all_slots_versions_sql(connection.vendor))
        return tuple(cursor.fetchall())


@cache
def _all_slots_versions_sql(vendor: str) -> str:
    practitioner = _column(SlotsVersion, "practitioner")
    return f"""
        SELECT {practitioner}, {_column(SlotsVersion, "version")} FROM {_table(SlotsVersion)}
         ORDER BY {practitioner}
    """  # noqa: S608
