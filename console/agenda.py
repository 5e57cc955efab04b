"""Reads for her day and her week: the bookings of a span with what she needs at a glance.

Every booking comes with its offering, its payment and each attendee's intake in a constant
number of queries (one for the bookings with their offering and payment, one for the
intakes with their responses: console.attendee_intakes), whatever the number of bookings;
her hours, overrides, time off and busy blocks take one query each. What each booking and
busy stretch says is console.agenda_items.

Days are her days: a span runs from her local midnight to her local midnight, so a day on
which the clocks change has 23 or 25 hours, and a booking at 23:30 stays on its own day.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.urls import reverse

from booking.availability import Schedule, expand_ranges, to_instant, windows_for_day
from booking.models import AvailabilityRule, Booking, BusyBlock, DateOverride, TimeOff
from console.agenda_items import Busy, Entry
from console.attendee_intakes import intakes_of
from practice.models import Practitioner

_NO_ID = UUID(int=0)


@dataclass
class Day:
    date: date
    start: datetime  # her local midnight
    end: datetime  # the next one
    is_today: bool
    entries: list[Entry] = field(default_factory=list)
    busy: list[Busy] = field(default_factory=list)
    open_hours: list[tuple[time, time]] = field(default_factory=list)
    closed: str = ""  # why the day is closed, when it is: "Time off", "Day off: …"

    @property
    def empty_words(self) -> str:
        """What an empty day says, kindly and truly."""
        if self.closed:
            return f"{self.closed}. Nothing booked."
        if not self.open_hours:
            return "No open hours on this day. Nothing booked."
        if self.is_today:
            return "Nothing booked today. A quiet day is yours."
        return "Nothing booked yet."

    @property
    def hours_long(self) -> float:
        # In UTC: two datetimes of one zone subtract as wall clocks, 24 hours every day.
        return (self.end.astimezone(UTC) - self.start.astimezone(UTC)).total_seconds() / 3600

    @property
    def clock_change(self) -> str:
        """A word about a day of 23 or 25 hours, so times on it read right."""
        hours = self.hours_long
        if hours < 24:
            return f"Clocks go forward: a {hours:g}-hour day"
        if hours > 24:
            return f"Clocks go back: a {hours:g}-hour day"
        return ""

    @property
    def items(self) -> list:
        """Bookings and busy time together, in time order (the order she tabs through)."""
        return sorted([*self.entries, *self.busy], key=_instant)


def _instant(item) -> datetime:
    """Order by the moment, not the wall clock: 02:15 comes twice the night clocks go back."""
    return item.start.astimezone(UTC)


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """Her local midnight of ``day`` as an aware datetime in her zone (the first instant of
    the day, even where the clocks jump at midnight)."""
    return to_instant(day, time(0), zone, is_end=False).astimezone(zone)


def _schedule(practitioner: Practitioner, first: date, last: date):
    """Her hours for the span: a Schedule for the engine, and why each closed day is."""
    rules = AvailabilityRule.objects.filter(practitioner=practitioner).values_list(
        "weekday", "start_time", "end_time"
    )
    weekly: dict[int, list] = {}
    for weekday, start, end in rules:
        weekly.setdefault(weekday, []).append((start, end))
    overrides: dict[date, list] = {}
    closed: dict[date, str] = {}
    for day, start, end, note in DateOverride.objects.filter(
        practitioner=practitioner, date__gte=first, date__lte=last
    ).values_list("date", "start_time", "end_time", "note"):
        windows = overrides.setdefault(day, [])
        if start is None:
            closed[day] = f"Day off: {note}" if note else "Day off"
        else:
            windows.append((start, end))
    vacations = []
    for first_day, last_day, note in TimeOff.objects.filter(
        practitioner=practitioner, first_day__lte=last, last_day__gte=first
    ).values_list("first_day", "last_day", "note"):
        vacations.append((first_day, last_day))
        for day in expand_ranges([(first_day, last_day)]):
            closed[day] = f"Time off: {note}" if note else "Time off"
    schedule = Schedule(
        zone=practitioner.zone,
        weekly={day: sorted(w) for day, w in weekly.items()},
        overrides={day: sorted(w) for day, w in overrides.items()},
        days_off=expand_ranges(vacations),
    )
    return schedule, closed


BOOKING_COLUMNS = (
    "public_id",
    "status",
    "start",
    "end",
    "hold_expires_at",
    "client_name",
    "partner_name",
    "client_timezone",
    "offering__kind",
    "offering__name",
    "offering__price",
    "payment__state",
)


def bookings_between(
    practitioner: Practitioner, *, start: datetime, end: datetime, now: datetime
) -> list[Booking]:
    """Her bookings meeting ``[start, end)`` that hold their time or already happened:
    confirmed, held (until the hold lapses), completed and no-show; never cancelled or
    expired. Two queries, whatever their number.

    Only the columns her agenda reads are fetched, and the intakes are read in one query as
    plain rows and handed to their bookings by hand (``booking.attendee_intakes``): a
    prefetch clones a queryset per booking, which cost more than the rest of the week."""
    shown = Q(
        status__in=[Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW]
    ) | Q(status=Booking.Status.HELD, hold_expires_at__gt=now)
    matching = Booking.objects.filter(
        shown, practitioner=practitioner, start__lt=end, end__gt=start
    )
    bookings = list(
        matching.select_related("offering", "payment").only(*BOOKING_COLUMNS).order_by("start")
    )
    by_id = {booking.pk: booking for booking in bookings}
    for booking in bookings:
        booking.attendee_intakes = []
    if not bookings:
        return bookings
    for booking_id, intake in intakes_of(matching):
        booking = by_id.get(booking_id)
        if booking is not None:  # a hold may lapse between the two queries
            booking.attendee_intakes.append(intake)
    return bookings


def days(practitioner: Practitioner, *, first: date, count: int, now: datetime) -> list[Day]:
    """``count`` of her days from ``first``, each with its bookings, busy time, open hours
    and whether (and why) it is closed. Six queries, whatever the number of bookings."""
    zone = practitioner.zone
    last = first + timedelta(days=count - 1)
    today = now.astimezone(zone).date()
    result = [
        Day(
            date=d,
            start=midnight(d, zone),
            end=midnight(d + timedelta(days=1), zone),
            is_today=d == today,
        )
        for d in (first + timedelta(days=n) for n in range(count))
    ]
    span_start, span_end = result[0].start, result[-1].end
    schedule, closed = _schedule(practitioner, first, last)
    for day in result:
        day.open_hours = list(windows_for_day(schedule, day.date))
        day.closed = closed.get(day.date, "")
        if not day.closed and day.date in schedule.overrides and not day.open_hours:
            day.closed = "Day off"
    by_date = {day.date: day for day in result}
    # One reverse for all: each booking's address is this one with its own id.
    href_of = reverse("console:booking", args=[_NO_ID]).replace(str(_NO_ID), "{}")
    for booking in bookings_between(practitioner, start=span_start, end=span_end, now=now):
        local = booking.start.astimezone(zone)
        day = by_date.get(local.date())
        if day is None:  # began the evening before the span and runs into it
            day = result[0]
        day.entries.append(
            Entry(
                booking=booking,
                start=local,
                end=booking.end.astimezone(zone),
                intakes=booking.attendee_intakes,
                now=now,
                with_zone=bool(day.clock_change),
                href=href_of.format(booking.public_id),
            )
        )
    blocks = BusyBlock.objects.filter(
        practitioner=practitioner, start__lt=span_end, end__gt=span_start
    ).values_list("start", "end", "source")
    for start, end, source in blocks:
        for day in result:
            if start < day.end and end > day.start:
                day.busy.append(
                    Busy(
                        start=max(start, day.start).astimezone(zone),
                        end=min(end, day.end).astimezone(zone),
                        imported=source == BusyBlock.Source.FEED,
                        with_zone=bool(day.clock_change),
                    )
                )
    for day in result:
        day.busy.sort(key=_instant)
    return result


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())
