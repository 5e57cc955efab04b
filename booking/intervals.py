"""Half-open intervals of aware datetimes, and the arithmetic the engines need."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, order=True, slots=True)
class Interval:
    """``[start, end)``: a meeting ending at 10:00 does not touch one starting at 10:00."""

    start: datetime
    end: datetime

    def overlaps(self, other: "Interval") -> bool:
        return self.start < other.end and other.start < self.end


def _bounds(interval: Interval) -> tuple[datetime, datetime]:
    return interval.start, interval.end


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union; touching intervals are joined."""
    merged: list[Interval] = []
    # A key of plain tuples sorts in C; comparing Interval objects calls Python per pair.
    for interval in sorted(intervals, key=_bounds):
        if interval.end <= interval.start:
            continue
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged
