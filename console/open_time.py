"""Her open time that nothing fills yet, day by day: where her week offers "+ Book", to
start booking a client at that time.

A stretch is her open hours of a day minus its bookings and her busy time, from now on
(rounded up to the next quarter hour), at least a quarter hour long. The link carries the
stretch's first instant in UTC and no offering: the book-for page asks which one, and
checks the time again for it (a stretch is open hours, not yet a bookable slot of every
length). Nothing here queries the database: the day already holds everything.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.urls import reverse
from django.utils.http import urlencode

from booking.availability import to_instant
from console.agenda import Day
from console.agenda_items import span_text

STEP = timedelta(minutes=15)
SHORTEST = STEP


@dataclass(frozen=True)
class OpenStretch:
    start: datetime  # local
    end: datetime  # local
    href: str
    label: str  # the link's accessible name: "Book a client at Tue 8 Dec, 14:00"
    with_zone: bool = False
    is_open = True  # what the week's template tells it from a booking or busy time by

    @property
    def span_text(self) -> str:
        return span_text(self.start, self.end, with_zone=self.with_zone)


def _round_up(moment: datetime) -> datetime:
    """The next quarter hour from ``moment`` (itself if it is one), in UTC."""
    moment = moment.astimezone(UTC).replace(second=0, microsecond=0) + (
        timedelta(minutes=1) if moment.second or moment.microsecond else timedelta(0)
    )
    extra = -moment.minute % 15
    return moment + timedelta(minutes=extra)


def _window(day: Day, start: time, end: time) -> tuple[datetime, datetime]:
    zone = day.start.tzinfo
    first = to_instant(day.date, start, zone, is_end=False)
    if end == time(0):  # open until midnight
        return first, day.end.astimezone(UTC)
    return first, to_instant(day.date, end, zone, is_end=True)


def book_link(start: datetime) -> str:
    """The book-for page with this time filled in (``start`` aware, any zone)."""
    query = urlencode({"start": start.astimezone(UTC).isoformat().replace("+00:00", "Z")})
    return f"{reverse('console:book_for')}?{query}"


def book_label(start: datetime) -> str:
    """ "Book a client at Tue 8 Dec, 14:00", on her clock (``start`` local)."""
    return f"Book a client at {start:%a} {start.day} {start:%b}, {start:%H:%M}"


def stretches(day: Day, *, now: datetime) -> list[OpenStretch]:
    """The open stretches of ``day`` with nothing booked or busy in them, from ``now``."""
    if day.closed or not day.open_hours:
        return []
    zone = day.start.tzinfo
    taken = sorted(
        [(e.booking.start, e.booking.end) for e in day.entries]
        + [(b.start.astimezone(UTC), b.end.astimezone(UTC)) for b in day.busy]
    )
    earliest = _round_up(now)
    found = []
    for open_start, open_end in day.open_hours:
        begin, finish = _window(day, open_start, open_end)
        begin = max(begin, earliest)
        for taken_start, taken_end in taken:
            if taken_end <= begin or taken_start >= finish:
                continue
            if taken_start - begin >= SHORTEST:
                found.append((begin, taken_start))
            begin = max(begin, _round_up(taken_end))
        if finish - begin >= SHORTEST:
            found.append((begin, finish))
    with_zone = bool(day.clock_change)
    result = []
    for begin, finish in found:
        local = begin.astimezone(zone)
        result.append(
            OpenStretch(
                start=local,
                end=finish.astimezone(zone),
                href=book_link(begin),
                label=book_label(local),
                with_zone=with_zone,
            )
        )
    return result
