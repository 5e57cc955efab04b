"""Half-open intervals of aware datetimes, and the arithmetic the engines need."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True, order=True, slots=True)
class Interval:
    """``[start, end)``: a meeting ending at 10:00 does not touch one starting at 10:00."""

    start: datetime
    end: datetime

    def overlaps(self, other: "Interval") -> bool:
        return self.start < other.end and other.start < self.end


# Instants as integers: microseconds since the Unix epoch, exact both ways. The slot search
# reads them from the database and works on them (booking.slots.free_starts), since integer
# arithmetic over sorted lists costs a fraction of comparing and adding datetimes.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """``moment`` (aware) as microseconds since the epoch."""
    return (moment - EPOCH) // MICROSECOND


def micros_of(length: timedelta) -> int:
    return length // MICROSECOND


def instant(value: int) -> datetime:
    """The UTC instant ``value`` microseconds after the epoch (the inverse of ``micros``)."""
    return EPOCH + timedelta(microseconds=value)


Span = tuple[int, int]  # [start, end) in microseconds since the epoch (booking.intervals)


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sorted, non-overlapping union of integer spans; touching ones are joined, empty ones
    dropped (booking.intervals.merge, on integers)."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
