"""Why a time cannot be booked, decided from the data, and what that says in plain words.

The reason (Unbookable) is found where the refusal happens (services.check_bookable, and
the pages before a form is shown), never guessed on a page. One wording for each reason,
shared by the booking pages (a heading and a sentence) and the JSON API (the sentence as
``error``, the reason as ``reason``), so that the page and the widget never tell a client
different stories. "Someone booked it" is said only when someone else's booking holds the
time; every other refusal names what actually stands in the way."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.db.models import Q
from django.utils import timezone

from booking import selectors, slot_search
from booking.availability import windows_for_day
from booking.models import Booking, BusyBlock
from booking.slot_reads import KEEPS_TIME
from booking.slots import blocked_span
from practice.models import Offering
from practice.timezones import day_and_clock, zone_label


class Unbookable(StrEnum):
    """Why a start cannot be booked; each has its own words (WORDINGS)."""

    PAST = "past"
    TOO_SOON = "too_soon"  # within the offering's minimum notice
    TOO_FAR = "too_far"  # beyond the booking horizon
    DAY_OFF = "day_off"  # a day she does not work at all
    OFF_GRID = "off_grid"  # a working day, but not one of its slot starts
    FULLY_BOOKED = "fully_booked"  # the day holds the offering's daily cap
    BUSY = "busy"  # her own calendar's busy time
    OWN_HOLD = "own_hold"  # the client's own unpaid hold
    TAKEN = "taken"  # someone else's booking


def _works_on(offering: Offering, moment: datetime) -> bool:
    """Whether the offering's schedule (its own week or her hours) has any open hours on
    the date of ``moment`` in her zone."""
    practitioner = offering.practitioner
    day = moment.astimezone(practitioner.zone).date()
    schedule = slot_search.schedule_for(practitioner, day, day, offering=offering)
    return bool(windows_for_day(schedule, day))


def blocking_booking(
    *, offering: Offering, start: datetime, now: datetime, exclude: Booking | None = None
) -> Booking | None:
    """The booking that keeps ``start``'s blocked span from others at ``now``, if any: the
    same rows as the busy time (slot_reads.KEEPS_TIME, and holds until expiry)."""
    span = blocked_span(start, selectors.slot_policy(offering))
    keeps = Q(status__in=KEEPS_TIME) | Q(status=Booking.Status.HELD, hold_expires_at__gt=now)
    found = Booking.objects.filter(
        keeps,
        practitioner_id=offering.practitioner_id,
        blocked_start__lt=span.end,
        blocked_end__gt=span.start,
    )
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return found.order_by("blocked_start").first()


def _is_own_hold(booking: Booking, client_email: str) -> bool:
    return (
        booking.status == Booking.Status.HELD
        and bool(client_email)
        and booking.client_email == client_email.strip().lower()
    )


def own_hold(*, offering: Offering, start: datetime, now: datetime, client_email: str):
    """The client's own unpaid hold that keeps ``start``, or None: looked up again when the
    page is drawn (the hold may have ended since the refusal), and only ever the client's,
    since its links carry the booking's private token."""
    holder = blocking_booking(offering=offering, start=start, now=now)
    return holder if holder is not None and _is_own_hold(holder, client_email) else None


def unbookable_reason(
    *,
    offering: Offering,
    start: datetime,
    now: datetime,
    exclude: Booking | None = None,
    client_email: str = "",
) -> Unbookable | None:
    """Why ``start`` cannot be booked at ``now`` (None if it can), so that a refusal says
    what really stands in the way, and "taken" only when another person's booking does.
    ``client_email`` recognises the client's own unpaid hold (Back from Checkout)."""
    if selectors.is_bookable(offering=offering, start=start, now=now, exclude=exclude):
        return None
    earliest, latest = selectors.booking_window(offering, now)
    if start <= now:
        return Unbookable.PAST
    if start < earliest:
        return Unbookable.TOO_SOON
    if start >= latest:
        return Unbookable.TOO_FAR
    if not selectors.is_bookable(offering=offering, start=start, now=now, ignore_busy=True):
        return Unbookable.OFF_GRID if _works_on(offering, start) else Unbookable.DAY_OFF
    holder = blocking_booking(offering=offering, start=start, now=now, exclude=exclude)
    if holder is not None:
        return Unbookable.OWN_HOLD if _is_own_hold(holder, client_email) else Unbookable.TAKEN
    span = blocked_span(start, selectors.slot_policy(offering))
    if BusyBlock.objects.filter(
        practitioner_id=offering.practitioner_id, start__lt=span.end, end__gt=span.start
    ).exists():
        return Unbookable.BUSY
    # Open, and nothing overlaps it: only the day's cap is left to refuse it.
    return Unbookable.FULLY_BOOKED


def lapsed_hold_reason(*, booking: Booking, now: datetime) -> Unbookable | None:
    """Why a booking whose hold ended before its payment arrived cannot have its time at
    ``now`` (None if it still can): started, another booking (the client's own newer hold
    or someone else's), her busy time, or the day's cap. Not the notice, horizon or grid:
    the client chose from her open times, and a paid time keeps them, as a confirmed one
    does. Stale holds must already be expired (the caller holds the lock and writes)."""
    if booking.start <= now:
        return Unbookable.PAST
    span_start, span_end = booking.blocked_start, booking.blocked_end
    holder = (
        Booking.objects.filter(
            selectors.blocking_bookings(
                booking.practitioner, start=span_start, end=span_end, now=now
            )
        )
        .exclude(pk=booking.pk)
        .order_by("blocked_start")
        .first()
    )
    if holder is not None:
        own = holder.status == Booking.Status.HELD and holder.client_email == booking.client_email
        return Unbookable.OWN_HOLD if own else Unbookable.TAKEN
    if BusyBlock.objects.filter(
        practitioner_id=booking.practitioner_id, start__lt=span_end, end__gt=span_start
    ).exists():
        return Unbookable.BUSY
    cap = booking.offering.daily_cap
    if cap is not None and _booked_that_day(booking, now=now) >= cap:
        return Unbookable.FULLY_BOOKED
    return None


def _booked_that_day(booking: Booking, *, now: datetime) -> int:
    """How many other bookings of its offering keep time on its day (her zone): the
    count the daily cap is held against, as the slot engine counts it."""
    zone = booking.practitioner.zone
    day = booking.start.astimezone(zone).date()
    day_start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    day_end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    keeps = Q(status__in=KEEPS_TIME) | Q(status=Booking.Status.HELD, hold_expires_at__gt=now)
    return (
        Booking.objects.filter(
            keeps, offering_id=booking.offering_id, start__gte=day_start, start__lt=day_end
        )
        .exclude(pk=booking.pk)
        .count()
    )


@dataclass(frozen=True)
class Wording:
    title: str
    message: str  # may name {when}, {name}, {notice} and {days}
    # Said instead when someone else's booking only overlaps the time (buffers, or another
    # start), so that "someone booked {when}" is never said of a time nobody booked.
    overlapping: str = ""


WORDINGS = {
    Unbookable.TAKEN: Wording(
        "That time was just taken",
        "Someone else booked {when} a moment before you.",
        overlapping="Someone else's booking now overlaps {when}, so that time can no longer "
        "be booked.",
    ),
    Unbookable.OWN_HOLD: Wording(
        "This time is held for you",
        "You started paying for {when}, and the time is held for you while the payment "
        "page is open. You can continue to payment, or choose another time.",
    ),
    Unbookable.FULLY_BOOKED: Wording(
        "That day is fully booked",
        "{when} is on a day that is fully booked: {name} sees a limited number of people "
        "each day.",
    ),
    Unbookable.BUSY: Wording(
        "That time is no longer free",
        "{name} is no longer free at {when}.",
    ),
    Unbookable.PAST: Wording(
        "That time has passed",
        "{when} is already in the past.",
    ),
    Unbookable.TOO_SOON: Wording(
        "That time is too soon",
        "{when} is too soon: bookings need to be made at least {notice} ahead.",
    ),
    Unbookable.TOO_FAR: Wording(
        "That time is not open yet",
        "{when} is further ahead than you can book: the furthest is {days} days ahead.",
    ),
    Unbookable.DAY_OFF: Wording(
        "No times on that day",
        "{when} falls on a day {name} does not work.",
    ),
    Unbookable.OFF_GRID: Wording(
        "That is not one of the open times",
        "{when} is not one of the times {name} offers.",
    ),
}

# Refusals because of what others (or the client's own hold) have booked: a conflict with
# the current state (HTTP 409). The rest are times that could never be booked now (400).
CONFLICTS = frozenset(
    {Unbookable.TAKEN, Unbookable.OWN_HOLD, Unbookable.FULLY_BOOKED, Unbookable.BUSY}
)


def http_status(reason: Unbookable) -> int:
    """The status a refusal answers with, on the pages as in the API."""
    return 409 if reason in CONFLICTS else 400


def _duration_words(span: timedelta) -> str:
    """``90 minutes``, ``2 hours``, ``1 day``: a notice period as people say it."""
    minutes = int(span.total_seconds() // 60)
    for size, unit in ((24 * 60, "day"), (60, "hour"), (1, "minute")):
        if minutes % size == 0 and minutes >= size:
            count = minutes // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "a little"


def when_words(moment: datetime, zone_name: str, *, now: datetime | None = None) -> str:
    """``Thursday 3 December, 06:30 (Sao Paulo time)``: a time in a refusal's sentence,
    named with its zone as the form pages name it."""
    return f"{day_and_clock(moment, zone_name, now=now)} ({zone_label(zone_name)} time)"


def refusal_message(
    reason: Unbookable,
    *,
    offering: Offering,
    start: datetime,
    zone_name: str,
    now: datetime | None = None,
    exclude: Booking | None = None,
    wordings: dict[Unbookable, Wording] = WORDINGS,
) -> str:
    """The sentence for ``reason``, with the time and zone in the client's zone (its year
    shown when it is not this year). The client's own hold is named by its own time, which
    may not be the one asked for (a time overlapping it); someone else's booking that does
    not start at ``start`` is said to overlap it, not to have booked it. ``exclude`` is the
    booking being moved, never the one in the way."""
    wording = wordings[reason]
    message = wording.message
    if reason in (Unbookable.OWN_HOLD, Unbookable.TAKEN):
        now = now or timezone.now()
        holder = blocking_booking(offering=offering, start=start, now=now, exclude=exclude)
        if holder is not None and reason == Unbookable.OWN_HOLD:
            start = holder.start
        elif holder is not None and holder.start != start and wording.overlapping:
            message = wording.overlapping
    return message.format(
        when=when_words(start, zone_name, now=now),
        name=offering.practitioner.name,
        notice=_duration_words(timedelta(minutes=offering.min_notice_minutes)),
        days=offering.horizon_days,
    )


# A payment that arrived after its hold ended, refunded because the time could not be kept:
# the same reasons, told after the fact. The booking pages' words are used where they fit
# (her busy time, a time passed, a full day); "a moment before you" and "while the payment
# page is open" do not, so those two are said as what happened meanwhile.
LATE_PAYMENT_WORDINGS = {
    **WORDINGS,
    Unbookable.TAKEN: Wording(
        "That time was taken while you paid",
        "Someone else booked {when} in the meantime.",
        overlapping="Someone else's booking came to overlap {when} in the meantime.",
    ),
    Unbookable.OWN_HOLD: Wording(
        "That time is held for your newer payment",
        "Since then you started paying for {when} again, and that payment page holds the "
        "time for you: you can finish paying there, or choose another time.",
    ),
}
# A refund decided before the reason was recorded: nothing is known, so no one is blamed.
LATE_PAYMENT_UNKNOWN = Wording(
    "That time could not be kept for you",
    "{when} could no longer be booked when your payment arrived.",
)


def late_payment_wording(
    reason: Unbookable | None, *, booking: Booking, now: datetime | None = None
) -> Wording:
    """The heading and sentence telling the client of ``booking`` why their late payment
    was refunded: ``reason`` as it was decided when the payment arrived (None: unknown),
    with the time in the client's zone."""
    now = now or timezone.now()
    zone_name = booking.client_timezone
    if reason is None:
        when = when_words(booking.start, zone_name, now=now)
        return Wording(LATE_PAYMENT_UNKNOWN.title, LATE_PAYMENT_UNKNOWN.message.format(when=when))
    message = refusal_message(
        reason,
        offering=booking.offering,
        start=booking.start,
        zone_name=zone_name,
        now=now,
        exclude=booking,
        wordings=LATE_PAYMENT_WORDINGS,
    )
    return Wording(LATE_PAYMENT_WORDINGS[reason].title, message)
