"""What a day of her agenda and week lists: a booking with the words she reads at a glance
(who, what, paid or held, how far the intakes are, the client's own clock), and a stretch
of her busy time. Times are in her zone."""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from booking.models import Booking
from console.attendee_intakes import NOT_STARTED, STARTED, Intake
from practice.models import Offering

KIND_WORDS = {
    Offering.Kind.ASSESSMENT: "Free call",
    Offering.Kind.SESSION: "Session",
    Offering.Kind.COUPLES_SESSION: "Couples session",
}


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
