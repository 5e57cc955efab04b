"""Availability rules → open windows (pure: no ORM, no clock).

Rules are wall-clock times in the practitioner's zone, expanded date by date with zoneinfo,
so 09:00–17:00 is 09:00–17:00 local on both sides of a DST change. Two wall-clock cases
have no single answer and are decided here on purpose:

* a time that does not exist (the spring-forward gap) is read as the first instant after
  the gap: a window from 02:30 on that night starts when the clocks jump;
* a time that happens twice (the fall-back overlap) is read as its first occurrence for a
  window's start and its second for a window's end, so the window is never shorter than
  its wall-clock reading.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking.intervals import EPOCH, Interval, Span, instant, merge_spans, micros

_EPOCH_ORDINAL = EPOCH.date().toordinal()
_DAY_MICROS = 86_400_000_000

WallWindow = tuple[time, time]


@dataclass(frozen=True)
class Schedule:
    """Everything that decides open hours, as plain values."""

    zone: ZoneInfo
    weekly: Mapping[int, Sequence[WallWindow]]  # weekday (Monday=0) → windows
    overrides: Mapping[date, Sequence[WallWindow]]  # an empty sequence is a day off
    days_off: frozenset[date] = frozenset()


def _exists(local: datetime) -> bool:
    return local.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) == local.replace(
        tzinfo=None
    )


def _end_of_gap(local: datetime) -> datetime:
    """The instant the clocks jump over the non-existent wall time ``local``."""
    low = local.replace(fold=1).astimezone(UTC)  # read with the offset after the jump
    high = local.replace(fold=0).astimezone(UTC)  # read with the offset before it
    if low > high:
        low, high = high, low
    zone = local.tzinfo
    before = low.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0) if high.microsecond else high


def to_instant(day: date, wall: time, zone: ZoneInfo, *, is_end: bool) -> datetime:
    """The UTC instant of a wall-clock time on a date, by the rules in the module docstring."""
    local = datetime.combine(day, wall, tzinfo=zone)
    if not _exists(local):
        return _end_of_gap(local)
    first = local.replace(fold=0).astimezone(UTC)
    second = local.replace(fold=1).astimezone(UTC)
    return max(first, second) if is_end else min(first, second)


def windows_for_day(schedule: Schedule, day: date) -> Sequence[WallWindow]:
    if day in schedule.days_off:
        return ()
    if day in schedule.overrides:
        return schedule.overrides[day]
    return schedule.weekly.get(day.weekday(), ())


def _instant_micros(day: date, wall: time, zone: ZoneInfo, is_end: bool) -> int:
    """``to_instant`` as microseconds since the epoch. A wall time whose two readings
    (``fold`` 0 and 1) share one offset exists exactly once, so it is that wall time minus
    its offset; only the two nights a year where they differ take ``to_instant``."""
    local = datetime.combine(day, wall, zone)
    offset = local.utcoffset()
    if offset != local.replace(fold=1).utcoffset():
        return micros(to_instant(day, wall, zone, is_end=is_end))
    return (
        (day.toordinal() - _EPOCH_ORDINAL) * _DAY_MICROS
        + ((wall.hour * 60 + wall.minute) * 60 + wall.second) * 1_000_000
        + wall.microsecond
        - (offset.days * 86_400 + offset.seconds) * 1_000_000
    )


def open_spans(schedule: Schedule, first_day: date, last_day: date) -> list[Span]:
    """Open time from ``first_day`` to ``last_day`` (inclusive, her zone), merged, as
    microseconds since the epoch: what the slot search works on (booking.slots)."""
    spans: list[Span] = []
    zone = schedule.zone
    for ordinal in range(first_day.toordinal(), last_day.toordinal() + 1):
        day = date.fromordinal(ordinal)
        for start, end in windows_for_day(schedule, day):
            spans.append(
                (_instant_micros(day, start, zone, False), _instant_micros(day, end, zone, True))
            )
    return merge_spans(spans)


def open_windows(schedule: Schedule, first_day: date, last_day: date) -> list[Interval]:
    """Open time from ``first_day`` to ``last_day`` (inclusive, her zone) as UTC intervals."""
    return [
        Interval(instant(start), instant(end))
        for start, end in open_spans(schedule, first_day, last_day)
    ]


def local_days(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """The first and last date in ``zone`` that the instants ``[start, end)`` touch."""
    return start.astimezone(zone).date(), (end - timedelta(microseconds=1)).astimezone(zone).date()


def expand_ranges(ranges: Iterable[tuple[date, date]]) -> frozenset[date]:
    """Every date of inclusive ``(first, last)`` ranges, for vacations."""
    days: set[date] = set()
    for first, last in ranges:
        day = first
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return frozenset(days)
