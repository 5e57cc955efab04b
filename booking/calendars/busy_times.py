"""Busy time in a calendar file: every occurrence that makes her unavailable, in UTC.

Pure (no ORM), so a feed, a CalDAV calendar and the console's "test" read it the same way.
Recurring events are expanded over the window by recurring-ical-events (RRULE, RDATE,
EXDATE, RECURRENCE-ID overrides, and Google's X-WR-TIMEZONE). What is left for us to decide:
floating times and all-day events are read on her clock, an event marked free
(TRANSP:TRANSPARENT) or cancelled blocks nothing, and the bookings this system put in her
calendar (their UID is ours) are not read back as busy time over themselves.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

OUR_UID_SUFFIX = "@practice"


class UnreadableCalendar(ValueError):
    """The answer is not a calendar we can read; its last good busy time stays."""


@dataclass(frozen=True, order=True)
class BusySpan:
    start: datetime
    end: datetime
    uid: str


def _instant(value, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating: her clock
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    if isinstance(value, date):  # all day: from her midnight
        return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC)
    raise UnreadableCalendar(f"not a time: {value!r}")


def _blocks(event) -> bool:
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return False
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    return not str(event.get("UID", "")).endswith(OUR_UID_SUFFIX)


def parse(data: bytes) -> list[Calendar]:
    """The calendars in ``data`` (a feed holds one; some servers send several)."""
    try:
        calendars = Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError, TypeError) as error:
        raise UnreadableCalendar("The address did not answer with a calendar.") from error
    if not calendars:
        raise UnreadableCalendar("The address did not answer with a calendar.")
    return calendars


def busy_spans(data: bytes, *, zone: ZoneInfo, start: datetime, end: datetime) -> list[BusySpan]:
    """Each busy occurrence meeting ``[start, end)``, sorted, clipped to nothing (a caller
    stores whole events: a block may begin before ``start``)."""
    spans = set()
    for calendar in parse(data):
        try:
            occurrences = recurring_ical_events.of(calendar, skip_bad_series=True).between(
                start.astimezone(zone).replace(tzinfo=None) - timedelta(days=1),
                end.astimezone(zone).replace(tzinfo=None) + timedelta(days=1),
            )
            for event in occurrences:
                if not _blocks(event) or "DTSTART" not in event:
                    continue
                begins = _instant(event.decoded("DTSTART"), zone)
                ends = _instant(event.decoded("DTEND"), zone) if "DTEND" in event else None
                if ends is None:
                    length = event.decoded("DURATION") if "DURATION" in event else None
                    if length is None and not isinstance(event.decoded("DTSTART"), datetime):
                        length = timedelta(days=1)
                    ends = begins + (length or timedelta(0))
                if ends <= begins or ends <= start or begins >= end:
                    continue
                spans.add(BusySpan(begins, ends, str(event.get("UID", ""))[:255]))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise UnreadableCalendar("The calendar has events we cannot read.") from error
    return sorted(spans)


def merged(spans: list[BusySpan]) -> list[BusySpan]:
    """Sorted spans with every overlapping or touching run made one (named by its first
    event): a busy day of many events is a few blocks, which is all the slot search and
    the conflict check need, and keeps both fast over a crowded calendar."""
    runs: list[BusySpan] = []
    for span in sorted(spans):
        if runs and span.start <= runs[-1].end:
            if span.end > runs[-1].end:
                runs[-1] = BusySpan(runs[-1].start, span.end, runs[-1].uid)
        else:
            runs.append(span)
    return runs
