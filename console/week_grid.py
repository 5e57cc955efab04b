"""Where each thing sits in the week grid: rows of five minutes of her wall clock.

The page may carry no ``style`` attribute (the Content-Security-Policy refuses them), so a
box's place is two class names, ``at-N`` (its first row) and ``span-N`` (how many rows),
defined once in ``static/console/day.css``. Rows follow the wall clock, as her paper
diary would: 09:00 is on the 09:00 line on both sides of a clock change. A box is as long
as the booking really is, so on the night the clocks go back the repeated hour's two
bookings sit one over the other instead of one vanishing.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, time

from console import open_time
from console.agenda import Day

ROW_MINUTES = 5
ROWS_PER_HOUR = 60 // ROW_MINUTES
EARLIEST = 8  # the grid shows at least 08:00–18:00
LATEST = 18
MAX_ROWS = 24 * ROWS_PER_HOUR


def _wall_minutes(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def _end_minutes(start: datetime, end: datetime) -> int:
    """Where on the wall clock a span ends, counted from the start's own midnight: its real
    length after its start, so a span over the clock change keeps its length."""
    length = end.astimezone(UTC) - start.astimezone(UTC)  # not wall clock minus wall clock
    return _wall_minutes(start) + int(length.total_seconds() // 60)


def _instant(item) -> datetime:
    return item.start.astimezone(UTC)


def _wall_time_minutes(wall: time) -> int:
    return wall.hour * 60 + wall.minute


def hour_range(days: list[Day]) -> tuple[int, int]:
    """The first and the last hour the grid shows: her earliest to her latest open hour of
    the week, widened for anything booked or busy outside them, at least 08–18."""
    first, last = EARLIEST * 60, LATEST * 60
    for day in days:
        for start, end in day.open_hours:
            first = min(first, _wall_time_minutes(start))
            last = max(last, _wall_time_minutes(end) or 24 * 60)
        for item in day.items:
            first = min(first, _wall_minutes(item.start))
            last = max(last, min(_end_minutes(item.start, item.end), 24 * 60))
    return first // 60, min(math.ceil(last / 60), 24)


@dataclass(frozen=True)
class Place:
    at: int  # first row, from 1
    span: int

    @property
    def classes(self) -> str:
        return f"at-{self.at} span-{self.span}"


def place(start_minutes: int, end_minutes: int, first_hour: int, last_hour: int) -> Place:
    """The rows of a span given in wall-clock minutes after midnight, clipped to the grid."""
    top = first_hour * 60
    bottom = last_hour * 60
    start = min(max(start_minutes, top), bottom - ROW_MINUTES)
    end = min(max(end_minutes, start + ROW_MINUTES), bottom)
    at = (start - top) // ROW_MINUTES + 1
    span = max(1, math.ceil((end - top) / ROW_MINUTES) + 1 - at)
    return Place(at=at, span=span)


def place_item(item, first_hour: int, last_hour: int) -> Place:
    return place(
        _wall_minutes(item.start), _end_minutes(item.start, item.end), first_hour, last_hour
    )


@dataclass
class Column:
    day: Day
    items: list  # (item, Place) in time order
    open_hours: list  # Places
    closed: Place | None


def columns(days: list[Day], *, now: datetime) -> tuple[list[int], list[Column]]:
    """The hours down the side (with each one's place), and a column per day. A day's items
    are its bookings, busy time and open stretches ("+ Book") in time order, the order
    Tab reaches them."""
    first_hour, last_hour = hour_range(days)
    result = []
    for day in days:
        items = sorted([*day.items, *open_time.stretches(day, now=now)], key=_instant)
        result.append(
            Column(
                day=day,
                items=[(item, place_item(item, first_hour, last_hour)) for item in items],
                open_hours=[
                    place(
                        _wall_time_minutes(s),
                        _wall_time_minutes(e) or 24 * 60,
                        first_hour,
                        last_hour,
                    )
                    for s, e in day.open_hours
                ],
                closed=place(first_hour * 60, last_hour * 60, first_hour, last_hour)
                if day.closed
                else None,
            )
        )
    hours = [
        (hour, place(hour * 60, (hour + 1) * 60, first_hour, last_hour))
        for hour in range(first_hour, last_hour)
    ]
    return hours, result
