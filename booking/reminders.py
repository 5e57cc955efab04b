"""Reminders before a session: one email per attendee at each of the booking's hours.

Two effects (booking.effects). ``booking.reminders`` follows every change that moves a
booking's time or ends it: it voids the booking's pending reminders and, for a confirmed
booking still ahead, schedules one ``booking.reminder`` row per (attendee, hours), keyed by
the booking's version (``sequence``), so a reschedule's new reminders never collide with
the old ones and a repeated run schedules nothing twice. ``booking.reminder`` looks again
when it is due: the booking still confirmed, at the same version, the client still keeping
those hours (booking.reminder_choice); otherwise it is done with nothing sent.

Discreet by design: the subject names the meeting word and the time only, and the
templates receive plain strings chosen here, never the booking, its offering's description,
the client's note or anything from intake. Log lines carry ids only.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from booking import effects, links, reminder_choice
from booking.emails.compose import format_span, simple_message
from booking.models import Booking, BookingEvent
from booking.video_rooms import video_link_for
from practice.models import Offering, is_erased_address
from practice.timezones import clock, day

SCHEDULE = "booking.reminders"
SEND = "booking.reminder"
CLIENT = "client"
PARTNER = "partner"
# The changes that move a booking's time or end it; with those that confirm it (a free call
# is confirmed as it is created), every change after which its reminders are due anew.
MOVES = frozenset(
    {BookingEvent.Kind.RESCHEDULED, BookingEvent.Kind.CANCELLED, BookingEvent.Kind.EXPIRED}
)
CHANGES = MOVES | {BookingEvent.Kind.CREATED, BookingEvent.Kind.CONFIRMED}
SUBJECT = "Reminder: your {meeting} {when} at {clock}"


def key(booking: Booking, recipient: str, hours: int) -> str:
    return f"reminder:{booking.pk}:{recipient}:{hours}h:v{booking.sequence}"


def zone_of(booking: Booking, recipient: str) -> str:
    """Where ``recipient`` reads a clock: the client's zone, the partner's when known."""
    return booking.partner_zone if recipient == PARTNER else booking.client_timezone


def recipients(booking: Booking) -> dict[str, tuple[str, str, str]]:
    """``{recipient: (name, email, zone)}``: the client, and a couples session's partner in
    their own zone when it is known (else the client's). Erased addresses get nothing."""
    found = {CLIENT: (booking.client_name, booking.client_email, booking.client_timezone)}
    if (
        booking.offering.kind == Offering.Kind.COUPLES_SESSION
        and booking.partner_email
        and booking.partner_email.lower() != booking.client_email.lower()
    ):
        found[PARTNER] = (booking.partner_name, booking.partner_email, zone_of(booking, PARTNER))
    return {
        recipient: found[recipient]
        for recipient in found
        if not is_erased_address(found[recipient][1])
    }


def schedule_for(booking: Booking, *, now: datetime) -> list:
    """Void ``booking``'s pending reminders and schedule those of its current version that
    are still ahead: a reminder whose time has passed (booked three hours before: no
    24-hour reminder) is not sent late."""
    effects.void(booking, names=[SEND])
    if booking.status != Booking.Status.CONFIRMED or booking.start <= now:
        return []
    scheduled = []
    for recipient in recipients(booking):
        for hours in reminder_choice.offered(booking):
            due_at = booking.start - timedelta(hours=hours)
            if due_at <= now:
                continue
            args = {"recipient": recipient, "hours": hours, "sequence": booking.sequence}
            row = effects.schedule(
                SEND, key(booking, recipient, hours), due_at=due_at, booking=booking, args=args
            )
            scheduled.append(row)
    return scheduled


def is_latest_change(effect, booking: Booking) -> bool:
    """Whether ``effect`` follows ``booking``'s latest change: only that one schedules, so
    that changes whose effects run out of order cannot void the newer reminders."""
    latest = booking.events.filter(kind__in=CHANGES).order_by("-at", "-pk").first()
    return latest is None or effect.event_id in (None, latest.pk)


def _schedule(effect) -> None:
    if is_latest_change(effect, effect.booking):
        schedule_for(effect.booking, now=timezone.now())


def still_wanted(booking: Booking | None, args: dict, *, now: datetime) -> bool:
    """Whether a due reminder still has something true to say: not when a later one is
    due too (the worker was down through the first), which says it closer to the time."""
    if booking is None or booking.status != Booking.Status.CONFIRMED:
        return False
    hours = args.get("hours")
    kept = reminder_choice.kept(booking)
    superseded = any(
        later < hours and booking.start - timedelta(hours=later) <= now for later in kept
    )
    return (
        booking.sequence == args.get("sequence")
        and booking.start > now
        and args.get("recipient") in recipients(booking)
        and hours in kept
        and not superseded
    )


def _effect_message(effect) -> EmailMultiAlternatives | None:
    now = timezone.now()
    if not still_wanted(effect.booking, effect.args, now=now):
        return None
    return reminder_message(effect.booking, effect.args["recipient"], now=now)


def _when_words(moment: datetime, zone: str, now: datetime) -> str:
    """``today``, ``tomorrow`` or ``on Thu 3 Dec``, as the recipient's own calendar says."""
    here = ZoneInfo(zone)
    days = (moment.astimezone(here).date() - now.astimezone(here).date()).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"on {day(moment, zone, now=now, short=True)}"


def reminder_message(booking: Booking, recipient: str, *, now: datetime) -> EmailMultiAlternatives:
    """The reminder to ``recipient``: when in their zone, the video link, and for the
    client the manage link and where to choose fewer reminders."""
    name, email, zone = recipients(booking)[recipient]
    practitioner = booking.practitioner
    meeting = booking.offering.meeting_word
    is_client = recipient == CLIENT
    manage_url = links.manage_url(booking) if is_client else ""
    context = {
        "name": name,
        "is_client": is_client,
        "client_name": booking.client_name,
        "meeting": meeting,
        "practice_name": practitioner.practice_name,
        "practitioner_name": practitioner.name,
        "when": format_span(booking.start, booking.end, zone),
        "video_link": video_link_for(booking),
        "manage_url": manage_url,
        "choice_url": f"{manage_url}#reminders" if is_client else "",
    }
    subject = SUBJECT.format(
        meeting=meeting,
        when=_when_words(booking.start, zone, now),
        clock=clock(booking.start, zone),
    )
    return simple_message(
        template="email/reminder",
        context=context,
        subject=subject,
        to=email,
        practitioner=practitioner,
    )


def register() -> None:
    """Called from BookingConfig.ready()."""
    effects.register(SCHEDULE, on=CHANGES, run=_schedule)
    effects.register_email(SEND, _effect_message)
