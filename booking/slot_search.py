"""One slot search: her schedule and busy time read as integers (booking.slot_reads), the
engines run over them, and the answer kept while nothing it read has changed.

**Kept answers.** An answer is kept in this process under the offering, the range asked
and her slots version (booking.models_slots), a number the database itself changes on every
write that could change one of her slots. A kept answer holds every slot of the range, as
if there were no notice and no horizon; both move with the clock, so they are applied at
each read. A hold stops blocking when it expires, so an answer that read a live hold is
kept only until the first such expiry. Everything else it depends on is in the version.

Only a read outside a transaction uses kept answers: inside one, the version does not show
the transaction's own writes yet (on PostgreSQL it changes at commit), and the services
that read slots under her lock must see exactly what is there. The version is read first,
before the data, so an answer is never kept under a version older than what it read.

The store is a small least-recently-used dictionary per process: web processes stay
stateless (a process that never saw a version computes afresh), and a few hundred entries
of integer lists cost little memory.
"""

import threading
from bisect import bisect_left
from collections import Counter, OrderedDict
from collections.abc import Hashable
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db import connection

from booking import slot_reads
from booking.availability import Schedule, expand_ranges, local_days, open_spans
from booking.intervals import instant, micros, micros_of
from booking.slots import BusyIndex, busy_index, free_starts
from practice.models import Offering, Practitioner

KEPT_ENTRIES = 512


class _Kept:
    """A bounded least-recently-used store, safe for a threaded server."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable):
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


KEPT = _Kept(KEPT_ENTRIES)


class Found(NamedTuple):
    """Slot starts in microseconds since the epoch, sorted: the free ones and (when asked
    for) those open if nothing were booked; and until when they hold (None: until the
    version changes), the first expiry of a hold they read."""

    free: list[int]
    opened: list[int]
    valid_until: int | None


def schedule_for(
    practitioner: Practitioner, first_day: date, last_day: date, *, offering: Offering | None
) -> Schedule:
    """Her schedule for the days, as the engines take it. For an ``offering`` with a week of
    its own, that week replaces her general hours; overrides and time off apply to all."""
    weekly: dict[int, list[tuple]] = {}
    own_week: dict[int, list[tuple]] = {}
    overrides: dict[date, list[tuple]] = {}
    vacations: list[tuple[date, date]] = []
    for kind, weekday, day, last, start, end in slot_reads.schedule_rows(
        practitioner.pk, first_day, last_day, offering_id=None if offering is None else offering.pk
    ):
        if kind == 0:
            weekly.setdefault(weekday, []).append((start, end))
        elif kind == 3:
            own_week.setdefault(weekday, []).append((start, end))
        elif kind == 1:
            windows = overrides.setdefault(day, [])  # a row without times is a day off
            if start is not None:
                windows.append((start, end))
        else:
            vacations.append((day, last))
    return Schedule(
        zone=practitioner.zone,
        weekly={day: sorted(windows) for day, windows in (own_week or weekly).items()},
        overrides={day: sorted(windows) for day, windows in overrides.items()},
        days_off=expand_ranges(vacations),
    )


def _columns(rows: list[tuple], width: int) -> tuple[tuple, ...]:
    """``rows`` column by column, a transpose in C: a busy calendar gives thousands of rows,
    and each pass of Python over them costs more than the engine's whole walk."""
    return tuple(zip(*rows, strict=True)) or ((),) * width


def _busy(
    offering: Offering,
    first_day: date,
    last_day: date,
    earliest: datetime,
    latest: datetime,
    now: datetime,
    exclude_id: int | None,
) -> tuple[BusyIndex, Counter, int | None]:
    """Busy spans around ``[earliest, latest)``, indexed for the walk; the offering's
    bookings per day of hers; and the first expiry of a hold read (None if none was)."""
    zone = offering.practitioner.zone
    # Busy time is read for whole local days, so that the daily cap counts full days.
    day_start = datetime.combine(first_day, datetime.min.time(), tzinfo=zone)
    day_end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    reach = offering.buffer_before + offering.buffer_after + offering.duration
    since, until = min(day_start, earliest - reach), max(day_end, latest + reach)
    bookings = slot_reads.booking_rows(
        offering.practitioner_id, start=since, end=until, now=now, exclude_id=exclude_id
    )
    blocks = slot_reads.block_rows(offering.practitioner_id, start=since, end=until)
    offering_ids, starts, ends, booking_starts, expiries = _columns(bookings, 5)
    block_starts, block_ends = _columns(blocks, 2)
    per_day: Counter = Counter()
    if offering.daily_cap is not None:
        # Sessions marked completed or no-show (allowed once they have started) keep the
        # rest of their time and still count toward their day's cap.
        own = offering.pk
        per_day.update(
            instant(start).astimezone(zone).date()
            for offering_id, start in zip(offering_ids, booking_starts, strict=True)
            if offering_id == own
        )
    first_expiry = min(filter(None, expiries), default=None)  # None: not a hold
    busy = busy_index((*starts, *block_starts), (*ends, *block_ends))
    return busy, per_day, first_expiry


def compute(
    offering: Offering,
    earliest: datetime,
    latest: datetime,
    now: datetime,
    *,
    exclude_id: int | None = None,
    with_busy: bool = True,
    with_open: bool = False,
) -> Found:
    """The slots of ``offering`` starting in ``[earliest, latest)``, read at ``now``: one
    schedule read and (``with_busy``) one busy read, the engine run once or twice."""
    zone = offering.practitioner.zone
    first_day, last_day = local_days(earliest, latest + offering.duration, zone)
    schedule = schedule_for(offering.practitioner, first_day, last_day, offering=offering)
    windows = open_spans(schedule, first_day, last_day)
    policy = {
        "duration": micros_of(offering.duration),
        "step": micros_of(timedelta(minutes=offering.slot_step_minutes)),
        "before": micros_of(offering.buffer_before),
        "after": micros_of(offering.buffer_after),
        "earliest": micros(earliest),
        "latest": micros(latest),
    }
    opened = (
        free_starts(windows, busy_index((), ()), **policy) if with_open or not with_busy else []
    )
    if not with_busy:
        return Found(opened, opened, None)
    busy, per_day, valid_until = _busy(
        offering, first_day, last_day, earliest, latest, now, exclude_id
    )
    free = free_starts(windows, busy, **policy)
    cap = offering.daily_cap
    if cap is not None and per_day:
        free = [
            start for start in free if per_day.get(instant(start).astimezone(zone).date(), 0) < cap
        ]
    return Found(free, opened, valid_until)


def within(starts: list[int], earliest: datetime, latest: datetime) -> list[int]:
    """The sorted ``starts`` in ``[earliest, latest)``."""
    low = bisect_left(starts, micros(earliest))
    return starts[low : bisect_left(starts, micros(latest), low)]


def kept_or_computed(
    offering: Offering, start: datetime, end: datetime, now: datetime, *, with_open: bool
) -> Found:
    """``compute`` over the whole of ``[start, end)``, from the kept answer when one is kept
    for her current slots version (``offering.slots_version``, set by
    ``booking.selectors.offering_to_read``) and still holds at ``now``."""
    key = (offering.pk, offering.slots_version, micros(start), micros(end), with_open)
    found = KEPT.get(key)
    if found is None or (found.valid_until is not None and found.valid_until <= micros(now)):
        found = compute(offering, start, end, now, with_open=with_open)
        KEPT.put(key, found)
    return found


def may_keep(offering: Offering) -> bool:
    """Whether a search for ``offering`` may use kept answers (module docstring)."""
    return getattr(offering, "slots_version", None) is not None and not (
        connection.in_atomic_block
    )
