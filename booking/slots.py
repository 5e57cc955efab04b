"""Open windows − busy time → bookable slots (pure interval arithmetic, no ORM, no clock)."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from booking.intervals import Interval, merge


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


def _ceil_to_step(value: datetime, origin: datetime, step: timedelta) -> datetime:
    if value <= origin:
        return origin
    steps = -((origin - value) // step)  # ceiling division on timedeltas
    return origin + steps * step


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
    slots come out sorted and distinct and a slot may run across the joint. Windows and busy
    intervals are merged (sorted) once, then walked with one pointer: linear after the sort.
    """
    busy_list = merge(busy)
    booked_per_day = booked_per_day or {}
    slots: list[Interval] = []
    pointer = 0
    # Joined windows are disjoint and sorted, so candidates only ever move right, which the
    # single busy pointer relies on.
    for window in merge(windows):
        candidate = _ceil_to_step(max(earliest, window.start), window.start, policy.step)
        while candidate + policy.duration <= window.end and candidate < latest:
            span = blocked_span(candidate, policy)
            while pointer < len(busy_list) and busy_list[pointer].end <= span.start:
                pointer += 1
            # Merged busy time is sorted and disjoint: only the first interval ending after
            # the span's start can overlap it. Candidates only move right, so the pointer
            # never has to move back.
            clash = None
            if pointer < len(busy_list) and busy_list[pointer].start < span.end:
                clash = busy_list[pointer]
            if clash is not None:
                candidate = _ceil_to_step(
                    clash.end + policy.buffer_before, window.start, policy.step
                )
                continue
            if policy.daily_cap is not None and (
                booked_per_day.get(day_of(candidate), 0) >= policy.daily_cap
            ):
                candidate += policy.step
                continue
            slots.append(Interval(candidate, candidate + policy.duration))
            candidate += policy.step
    return slots
