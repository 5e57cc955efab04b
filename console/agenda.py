"""Reads for her day and her week: the bookings of a span with what she needs at a glance.

Every booking comes with its offering, its payment and each attendee's intake in a constant
number of queries (one for the bookings with their offering and payment, one for the
intakes with their responses), whatever the number of bookings; her hours, overrides, time
off and busy blocks take one query each. Nothing here decrypts: the intake's state and its
attention mark are read from the clear columns, never from the answers.

Days are her days: a span runs from her local midnight to her local midnight, so a day on
which the clocks change has 23 or 25 hours, and a booking at 23:30 stays on its own day.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import F, Q
from django.urls import reverse

from booking.availability import Schedule, expand_ranges, to_instant, windows_for_day
from booking.models import AvailabilityRule, Booking, BusyBlock, DateOverride, TimeOff
from intake import questionnaires
from intake.models import Assignment
from practice.models import Offering, Practitioner

KIND_WORDS = {
    Offering.Kind.ASSESSMENT: "Free call",
    Offering.Kind.SESSION: "Session",
    Offering.Kind.COUPLES_SESSION: "Couples session",
}

# The intake states she reads, for one attendee.
NOT_STARTED = "not_started"
STARTED = "started"
SENT = "sent"
ERASED = "erased"

ATTENTION_WORDS = "needs your attention"
_NO_ID = UUID(int=0)


@dataclass(frozen=True)
class Intake:
    """One attendee's intake, as far as the clear columns tell: never the answers."""

    name: str
    state: str
    checkin: bool
    # Only what she may already be told: the mark of a sent intake, or of one whose
    # before-sending answer she was emailed about. A mark raised by a part she reads only
    # once it is sent stays hidden until then, as the client was promised.
    flagged: bool

    @property
    def words(self) -> str:
        what = "Check-in" if self.checkin else "Intake"
        return {
            NOT_STARTED: f"{what} not started",
            STARTED: f"{what} started, not sent yet",
            SENT: f"{what} sent",
            ERASED: f"{what} erased by the client",
        }[self.state]


def _intake_of_row(row: tuple) -> Intake:
    """One attendee's intake from the clear columns of ``ASSIGNMENT_COLUMNS``."""
    (_, name, earlier_id, response_id, questionnaire_id, version, erased_at, submitted_at,
     needs_attention, alerted_at, earlier_erased) = row  # fmt: skip
    if response_id is None:
        # Asked a check-in when a full intake they sent is still kept (services.questionnaire_for).
        checkin = earlier_id is not None and earlier_erased is None
        return Intake(name, NOT_STARTED, checkin, flagged=False)
    checkin = bool(questionnaires.load(questionnaire_id, version).checkin_for)
    if erased_at is not None:
        return Intake(name, ERASED, checkin, flagged=False)
    sent = submitted_at is not None
    flagged = needs_attention and (sent or alerted_at is not None)
    return Intake(name, SENT if sent else STARTED, checkin, flagged)


@dataclass
class Entry:
    """A booking as her agenda and week show it, times in her zone.

    Each piece of text is worked out once (``cached_property``): the week's template reads
    several of them more than once for each of up to hundreds of bookings."""

    booking: Booking
    start: datetime  # local
    end: datetime  # local
    intakes: list[Intake]
    now: datetime
    with_zone: bool = False  # on a day the clocks change, times carry CET or CEST
    href: str = ""  # the booking's page in the console

    @cached_property
    def span_text(self) -> str:
        return span_text(self.start, self.end, with_zone=self.with_zone)

    @cached_property
    def start_text(self) -> str:
        """The start alone, for a box too short for the span and the name on one line."""
        return self.start.strftime("%H:%M %Z" if self.with_zone else "%H:%M")

    @cached_property
    def who(self) -> str:
        first = first_name(self.booking.client_name)
        if self.booking.partner_name:
            return f"{first} & {first_name(self.booking.partner_name)}"
        return first

    @cached_property
    def kind(self) -> str:
        return KIND_WORDS.get(self.booking.offering.kind, self.booking.offering.name)

    @cached_property
    def held(self) -> bool:
        return self.booking.status == Booking.Status.HELD

    @cached_property
    def hold_until(self) -> datetime | None:
        expires = self.booking.hold_expires_at
        return expires.astimezone(self.start.tzinfo) if expires else None

    @cached_property
    def money(self) -> str:
        """Paid, free or held, in her words."""
        booking = self.booking
        free = booking.offering.is_free
        if self.held:
            return "Waiting for the email confirmation" if free else "Held for payment"
        if free:
            return "Free"
        payment = getattr(booking, "payment", None)
        state = payment.state if payment is not None else None
        return {
            "paid": "Paid",
            "partially_refunded": "Paid, part refunded",
            "refunded": "Refunded",
        }.get(state, "Not paid yet")

    @cached_property
    def status_words(self) -> str:
        return {
            Booking.Status.COMPLETED: "Completed",
            Booking.Status.NO_SHOW: "Did not come",
        }.get(self.booking.status, "")

    @cached_property
    def flagged(self) -> bool:
        return any(intake.flagged for intake in self.intakes)

    @cached_property
    def intake_words(self) -> str:
        if not self.intakes:
            if self.held:
                return "Intake follows the confirmation"
            return "No intake asked yet"
        if len(self.intakes) == 1:
            return self.intakes[0].words
        return "; ".join(f"{first_name(i.name)}: {i.words.lower()}" for i in self.intakes)

    @cached_property
    def intake_not_sent(self) -> bool:
        """Someone has not sent theirs (or has not been asked yet) for a session ahead."""
        return not self.intakes or any(i.state in (NOT_STARTED, STARTED) for i in self.intakes)

    @cached_property
    def client_start(self) -> datetime | None:
        """The start on the client's own clock, when it reads differently from hers."""
        try:
            zone = ZoneInfo(self.booking.client_timezone)
        except (ValueError, KeyError):
            return None
        theirs = self.start.astimezone(zone)
        if theirs.utcoffset() == self.start.utcoffset():
            return None
        return theirs

    @cached_property
    def minute_of_day(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @cached_property
    def day_key(self) -> str:
        """Her date of the start, as the grid's keyboard script reads it."""
        return self.start.date().isoformat()

    @cached_property
    def utc_start(self) -> str:
        return self.booking.start.astimezone(UTC).isoformat()

    @cached_property
    def hold_until_text(self) -> str:
        return self.hold_until.strftime("%H:%M") if self.hold_until else ""

    @cached_property
    def minutes(self) -> int:
        return int((self.booking.end - self.booking.start).total_seconds() // 60)


def span_text(start: datetime, end: datetime, *, with_zone: bool) -> str:
    """ "10:00–10:30", or "02:15 CEST–02:45 CEST" where the wall clock alone is ambiguous."""
    shape = "%H:%M %Z" if with_zone else "%H:%M"
    return f"{start.strftime(shape)}–{end.strftime(shape)}"


def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else name


@dataclass(frozen=True)
class Busy:
    """A stretch of her busy time on one day (a block over midnight is cut at it)."""

    start: datetime  # local
    end: datetime  # local
    imported: bool
    with_zone: bool = False
    is_open = False  # not an open stretch (console.open_time)

    @property
    def span_text(self) -> str:
        return span_text(self.start, self.end, with_zone=self.with_zone)

    @property
    def label(self) -> str:
        return "Busy (from your calendar)" if self.imported else "Busy"

    @property
    def iso_start(self) -> str:
        return self.start.isoformat()


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
ASSIGNMENT_COLUMNS = (
    "booking_id",
    "name",
    "earlier_response_id",
    "response__id",
    "response__questionnaire_id",
    "response__questionnaire_version",
    "response__erased_at",
    "response__submitted_at",
    "response__needs_attention",
    "response__practitioner_alerted_at",
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
    rows = (
        Assignment.objects.filter(booking__in=matching.values("pk"))
        .annotate(earlier_erased=F("earlier_response__erased_at"))
        .order_by("role", "pk")
        .values_list(*ASSIGNMENT_COLUMNS, "earlier_erased")
    )
    for row in rows:
        booking = by_id.get(row[0])
        if booking is not None:  # a hold may lapse between the two queries
            booking.attendee_intakes.append(_intake_of_row(row))
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
