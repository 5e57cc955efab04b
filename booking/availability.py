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

from booking.intervals import Interval, merge

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


def open_windows(schedule: Schedule, first_day: date, last_day: date) -> list[Interval]:
    """Open time from ``first_day`` to ``last_day`` (inclusive, her zone) as UTC intervals."""
    windows: list[Interval] = []
    day = first_day
    while day <= last_day:
        for start, end in windows_for_day(schedule, day):
            windows.append(
                Interval(
                    to_instant(day, start, schedule.zone, is_end=False),
                    to_instant(day, end, schedule.zone, is_end=True),
                )
            )
        day += timedelta(days=1)
    return merge(windows)


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
