"""The two reads behind every slot search, as SQL written once.

A slot search reads the schedule (weekly rules, date overrides, time off) and the busy time
(bookings, busy blocks), each in one UNION query. Built with the ORM, composing and
compiling those querysets on every request cost more than the database and the slot
engines together; the SQL never changes, so it is written here once per database and only
the parameters change. Table and column names come from the models.

Values are read as fixed-format text and parsed by the ``fromisoformat`` functions (C):
Django's per-value converters (about 5 µs a timestamp on PostgreSQL) were half of a 60-day
request, and text reads the same on both databases, whatever the server's DateStyle.
"""

from collections.abc import Iterator
from datetime import date, datetime, time
from functools import cache

from django.db import connection

from booking.intervals import Interval
from booking.models import AvailabilityRule, Booking, BusyBlock, DateOverride, TimeOff

AS_TEXT = {
    "postgresql": {
        "instant": "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US\"+00:00\"')",
        "date": "to_char({}, 'YYYY-MM-DD')",
        "time": "to_char({}, 'HH24:MI:SS.US')",
    },
    # Django stores SQLite's dates, times and UTC instants as ISO text already; the cast
    # keeps sqlite3 from converting declared date and time columns into objects.
    "sqlite": {
        "instant": "CAST({} AS TEXT) || '+00:00'",
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


def _text(kind: str, model, field: str) -> str:
    return AS_TEXT[connection.vendor][kind].format(_column(model, field))


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
               {_text("time", rule, "start_time")}, {_text("time", rule, "end_time")}
          FROM {_table(rule)}
         WHERE {_column(rule, "practitioner")} = %s
           AND ({_column(rule, "offering")} IS NULL OR {_column(rule, "offering")} = %s)
        UNION ALL
        SELECT 1, NULL, {_text("date", override, "date")}, NULL,
               {_text("time", override, "start_time")}, {_text("time", override, "end_time")}
          FROM {_table(override)}
         WHERE {_column(override, "practitioner")} = %s
           AND {_column(override, "date")} BETWEEN %s AND %s
        UNION ALL
        SELECT 2, NULL, {_text("date", off, "first_day")}, {_text("date", off, "last_day")},
               NULL, NULL
          FROM {_table(off)}
         WHERE {_column(off, "practitioner")} = %s
           AND {_column(off, "first_day")} <= %s AND {_column(off, "last_day")} >= %s
    """  # noqa: S608


@cache
def _busy_sql(vendor: str, excluding: bool) -> str:
    kept = ", ".join(["%s"] * len(KEEPS_TIME))
    exclude = f"AND {_column(Booking, 'id')} <> %s" if excluding else ""
    status = _column(Booking, "status")
    return f"""
        SELECT {_column(Booking, "offering")}, {_text("instant", Booking, "blocked_start")},
               {_text("instant", Booking, "blocked_end")}, {_text("instant", Booking, "start")}
          FROM {_table(Booking)}
         WHERE {_column(Booking, "practitioner")} = %s
           AND {_column(Booking, "blocked_start")} < %s AND {_column(Booking, "blocked_end")} > %s
           AND ({status} IN ({kept})
                OR ({status} = %s AND {_column(Booking, "hold_expires_at")} > %s))
           {exclude}
        UNION ALL
        SELECT NULL, {_text("instant", BusyBlock, "start")}, {_text("instant", BusyBlock, "end")},
               {_text("instant", BusyBlock, "start")}
          FROM {_table(BusyBlock)}
         WHERE {_column(BusyBlock, "practitioner")} = %s
           AND {_column(BusyBlock, "start")} < %s AND {_column(BusyBlock, "end")} > %s
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


def busy_rows(
    practitioner_id: int, *, start: datetime, end: datetime, now: datetime, exclude_id=None
) -> Iterator[tuple[int | None, Interval, datetime]]:
    """Busy time meeting ``[start, end)`` at ``now``, as ``(offering_id, blocked span,
    start)``: bookings that keep their time (``offering_id`` set; a hold only until it
    expires), then busy blocks (``offering_id`` None)."""
    instant = connection.ops.adapt_datetimefield_value
    start, end, now = instant(start), instant(end), instant(now)
    params = [practitioner_id, end, start, *KEEPS_TIME, Booking.Status.HELD, now]
    if exclude_id is not None:
        params.append(exclude_id)
    params += [practitioner_id, end, start]
    with connection.cursor() as cursor:
        cursor.execute(_busy_sql(connection.vendor, exclude_id is not None), params)
        rows = cursor.fetchall()
    parse = datetime.fromisoformat
    for offering_id, blocked_start, blocked_end, booking_start in rows:
        yield offering_id, Interval(parse(blocked_start), parse(blocked_end)), parse(booking_start)
