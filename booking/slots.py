"""Open windows − busy time → bookable slots (pure interval arithmetic, no ORM, no clock)."""

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import lt
from typing import NamedTuple

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


class BusyIndex(NamedTuple):
    """Busy time as the walk reads it: the starts of its spans, sorted, and their ends,
    sorted on their own. Spans may overlap; none is empty."""

    starts: list[int]
    ends: list[int]


def busy_index(starts: Iterable[int], ends: Iterable[int]) -> BusyIndex:
    """The index of spans given as their starts and ends, pair by pair, in any order.

    Nothing is merged: a busy calendar gives thousands of spans, and sorting two columns
    of integers runs in C, where any pass of Python over them cost more than the whole
    walk. Empty spans (there are none in the database) are left out."""
    starts, ends = list(starts), list(ends)
    if not all(map(lt, starts, ends)):
        pairs = [(start, end) for start, end in zip(starts, ends, strict=True) if start < end]
        starts, ends = [start for start, _ in pairs], [end for _, end in pairs]
    starts.sort()
    ends.sort()
    return BusyIndex(starts, ends)


def free_starts(
    windows: Sequence[Span],
    busy: BusyIndex,
    *,
    duration: int,
    step: int,
    before: int = 0,
    after: int = 0,
    earliest: int,
    latest: int,
) -> list[int]:
    """The start of every bookable meeting, in one integer unit throughout.

    ``windows`` must be merged (``merge_spans``): sorted and disjoint. A start lies on its
    window's step grid, at or after ``earliest`` and before ``latest``; its meeting fits the
    window and its blocked span ``[a, b)`` (``before`` + meeting + ``after``) meets no busy
    span. Every span that ends by ``a`` also starts before ``b``, so some span meets
    ``[a, b)`` exactly when more spans start before ``b`` than end by ``a``: two
    bisections. A free candidate is free up to the next busy start, all its grid points
    taken in one go as a range; a blocked one resumes once as many spans have ended as
    had started before ``b`` (the ``opened``-th end), since until then one of them still
    meets every candidate. The work grows with the busy spans met, not with
    the grid points or the spans far from any window.
    """
    starts, ends = busy
    count = len(starts)
    reach = duration + after  # from a meeting's start to the end of its blocked span
    found: list[int] = []
    opened = closed = 0  # spans starting before b; spans ended by a
    for window_start, window_end in windows:
        last = min(window_end - duration, latest - 1)
        candidate = window_start
        if earliest > window_start:  # the first grid point at or after ``earliest``
            candidate = window_start - ((window_start - earliest) // step) * step
        while candidate <= last:
            opened = bisect_left(starts, candidate + reach, opened)
            closed = bisect_right(ends, candidate - before, closed)
            if opened > closed:
                # Until as many spans have ended as started before b, one still meets
                # every later candidate: resume on the first grid point after that.
                resume = ends[opened - 1] + before
                candidate = window_start - ((window_start - resume) // step) * step
                continue
            limit = last if opened == count else min(last, starts[opened] - reach)
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
    spans = list(busy)
    found = free_starts(
        merge_spans((micros(window.start), micros(window.end)) for window in windows),
        busy_index([micros(span.start) for span in spans], [micros(span.end) for span in spans]),
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
