"""What her hours give clients: the open times of the next two weeks for one offering, read
by ``booking.selectors.slots_by_day`` (the very code of the public week pages and the API)
and said compactly, "09:00–12:00 (6 times)", with the times themselves one click away.

Also the one line per offering of its booking rules in words ("Booked at least 12 hours
ahead, up to 60 days ahead, …"), since she edits those on the offering, not here.
"""

from dataclasses import dataclass
from datetime import date, datetime

from booking.intervals import Interval
from booking.selectors import slots_by_day
from console.durations import in_words
from practice.models import Offering
from practice.timezones import clock

PREVIEW_DAYS = 14


@dataclass(frozen=True)
class Stretch:
    """Slots that follow one another without a gap, as one range."""

    start: datetime
    end: datetime
    slots: tuple[Interval, ...]


@dataclass(frozen=True)
class PreviewDay:
    day: date
    stretches: tuple[Stretch, ...]
    fully_booked: bool

    @property
    def count(self) -> int:
        return sum(len(stretch.slots) for stretch in self.stretches)


def stretches(slots: list[Interval]) -> tuple[Stretch, ...]:
    """Join slots that touch or overlap (a 60-minute session on a 30-minute step) into
    ranges from the first start to the last end."""
    groups: list[list[Interval]] = []
    for slot in slots:
        if groups and slot.start <= groups[-1][-1].end:
            groups[-1].append(slot)
        else:
            groups.append([slot])
    return tuple(Stretch(group[0].start, group[-1].end, tuple(group)) for group in groups)


def preview(*, offering: Offering, first_day: date, now: datetime) -> list[PreviewDay]:
    """The offering's open times from ``first_day`` for two weeks, in her zone."""
    days = slots_by_day(
        offering=offering,
        zone=offering.practitioner.zone,
        first_day=first_day,
        days=PREVIEW_DAYS,
        now=now,
    )
    return [PreviewDay(day.day, stretches(day.slots), day.fully_booked) for day in days]


def stretch_words(stretch: Stretch, zone_name: str) -> str:
    count = len(stretch.slots)
    times = "1 time" if count == 1 else f"{count} times"
    return f"{clock(stretch.start, zone_name)}–{clock(stretch.end, zone_name)} ({times})"


def rules_in_words(offering: Offering) -> str:
    """ "Booked at least 12 hours ahead, up to 60 days ahead, 15 minutes free after each,
    at most 3 a day"."""
    parts = [
        f"Booked at least {in_words(offering.min_notice_minutes)} ahead"
        if offering.min_notice_minutes
        else "Bookable right up to the start",
        f"up to {in_words(offering.horizon_days * 24 * 60)} ahead",
    ]
    before, after = offering.buffer_before_minutes, offering.buffer_after_minutes
    if before and before == after:
        parts.append(f"{in_words(before)} free before and after each")
    else:
        if before:
            parts.append(f"{in_words(before)} free before each")
        if after:
            parts.append(f"{in_words(after)} free after each")
    if offering.daily_cap:
        parts.append(f"at most {offering.daily_cap} a day")
    return ", ".join(parts)
