"""Open windows − busy time → bookable slots (pure interval arithmetic, no ORM, no clock)."""

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from booking.intervals import Interval, Span, instant, merge_spans, micros, micros_of


@dataclass(frozen=True)
class SlotPolicy:
    """How an offering is cut into slots."""

    duration: timedelta
    step: timedelta
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    daily_cap: int | None = None


def blocked_span(start: datetime, policy: SlotPolicy) -> Interval:
    """The time a booking starting at ``start`` keeps from others: meeting plus buffers."""
    return Interval(start - policy.buffer_before, start + policy.duration + policy.buffer_after)


def free_starts(
    windows: Sequence[Span],
    busy: Sequence[Span],
    *,
    duration: int,
    step: int,
    before: int = 0,
    after: int = 0,
    earliest: int,
    latest: int,
) -> list[int]:
    """The start of every bookable meeting, in one integer unit throughout.

    ``windows`` and ``busy`` must be merged (``merge_spans``): sorted and disjoint. A start
    lies on its window's step grid, at or after ``earliest`` and before ``latest``; its
    meeting fits the window and its blocked span (``before`` + meeting + ``after``) meets no
    busy span. Busy ends are sorted too, so the first busy span that could meet a candidate
    is found by bisection, and a free stretch up to the next busy span is taken in one go
    as a range of grid points: the work grows with the busy spans met, not the grid points.
    """
    starts = [start for start, _ in busy]
    ends = [end for _, end in busy]
    count = len(ends)
    reach = duration + after  # from a meeting's start to the end of its blocked span
    found: list[int] = []
    index = 0
    for window_start, window_end in windows:
        last = min(window_end - duration, latest - 1)
        candidate = window_start
        if earliest > window_start:  # the first grid point at or after ``earliest``
            candidate = window_start - ((window_start - earliest) // step) * step
        while candidate <= last:
            index = bisect_right(ends, candidate - before, index)
            if index < count and starts[index] < candidate + reach:
                # The next grid point whose blocked span starts where this busy span ends.
                resume = ends[index] + before
                candidate = window_start - ((window_start - resume) // step) * step
                continue
            limit = last if index == count else min(last, starts[index] - reach)
            found.extend(range(candidate, limit + 1, step))
            candidate += ((limit - candidate) // step + 1) * step
    return found


def bookable_slots(
    *,
    windows: Sequence[Interval],
    busy: Iterable[Interval],
    policy: SlotPolicy,
    earliest: datetime,
    latest: datetime,
    day_of: Callable[[datetime], date],
    booked_per_day: Mapping[date, int] | None = None,
) -> list[Interval]:
    """Every meeting ``[start, start + duration)`` that can be booked.

    A slot lies wholly inside an open window, starts on the window's step grid, starts no
    earlier than ``earliest`` (minimum notice) and before ``latest`` (horizon), and its
    blocked span (buffers included) overlaps no busy interval. With a daily cap, days (by
    ``day_of``, the practitioner's date) that already hold ``cap`` bookings give no slots.
    Overlapping or touching windows are joined first (as ``open_windows`` returns them), so
    slots come out sorted and distinct and a slot may run across the joint. The work is
    ``free_starts`` on microseconds; this converts datetimes in and out.
    """
    found = free_starts(
        merge_spans((micros(window.start), micros(window.end)) for window in windows),
        merge_spans((micros(span.start), micros(span.end)) for span in busy),
        duration=micros_of(policy.duration),
        step=micros_of(policy.step),
        before=micros_of(policy.buffer_before),
        after=micros_of(policy.buffer_after),
        earliest=micros(earliest),
        latest=micros(latest),
    )
    slots = [Interval(instant(start), instant(start) + policy.duration) for start in found]
    if policy.daily_cap is not None and booked_per_day:
        cap = policy.daily_cap
        slots = [slot for slot in slots if booked_per_day.get(day_of(slot.start), 0) < cap]
    return slots
