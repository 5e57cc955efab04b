"""What did not go out: her effects that failed or keep failing, in her words.

An effect that has failed for good, or is still being retried after a few attempts, is
hers to see: an email that has not reached its reader may need a word from her. Each is
described from its name, its booking and the ids in its args (never content), and its last
error, which holds only an exception's class and a short message, is turned into a sentence
about what went wrong; the exact error stays in the admin.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet

from booking.models import Booking, Effect
from console.agenda_items import first_name
from practice.models import Practitioner
from practice.timezones import clock, day

# Pending rows are retried by themselves; after this many attempts she is told.
SHOWN_AFTER_ATTEMPTS = 3

# What each effect is, with {client}, {partner}, {recipient} (first names) and {when} (the
# booking's start on her clock). Names not listed read as "A job for …".
WHAT = {
    "booking.client_email": "Email to {client} about the booking on {when}",
    "booking.partner_email": "Email to the partner, {partner}, about the booking on {when}",
    "booking.practitioner_email": "Email to you about {client}'s booking on {when}",
    "booking.confirmation_request": "Email asking {client} to confirm the call on {when}",
    "booking.manage_link": "Email to {client} with the link to the booking on {when}",
    "booking.hold_expiry": "Ending the hold of {client}'s time on {when}",
    "booking.reminder": "Reminder to {recipient} for {when}",
    "booking.reminders": "Scheduling the reminders of {client}'s booking on {when}",
    "intake.assignment": "Intake questionnaire for {client}'s booking on {when}",
    "intake.invitation": "Intake invitation for {client}'s booking on {when}",
    "intake.notice": "Email to you about an intake for {client}'s booking on {when}",
    "intake.reminder": "Intake reminder to {recipient} for {when}",
    "intake.reminders": "Scheduling the intake reminder of {client}'s booking on {when}",
    "payments.link_email": "Payment link to {client} for {when}",
    "payments.hold_released_email": "Email to {client} that the time on {when} is free again",
    "payments.late_payment_refunded_email": "Email to {client} about the refund of a late "
    "payment for {when}",
    "payments.hardship_requested_email": "Email to you about {client}'s request for {when}",
    "payments.hardship_decided_email": "Your answer to {client}'s request for {when}",
    "payments.refund": "Refund to {client} for the booking on {when}",
    "calendars.conflict_email": "Email to you about busy time during {client}'s booking on {when}",
    "calendars.push": "Writing {client}'s booking on {when} into your calendar",
    "calendars.failing_email": "Email to you that one of your calendars could not be read",
}
MORNING = "Your morning email of {date}"
OTHER = "A job for {client}'s booking on {when} ({name})"
OTHER_UNBOOKED = "A job of the practice ({name})"

MAIL_SERVER_SILENT = "The mail server did not answer."
WHY = {
    "SMTPServerDisconnected": MAIL_SERVER_SILENT,
    "SMTPConnectError": MAIL_SERVER_SILENT,
    "ConnectionRefusedError": MAIL_SERVER_SILENT,
    "ConnectionResetError": MAIL_SERVER_SILENT,
    "TimeoutError": MAIL_SERVER_SILENT,
    "timeout": MAIL_SERVER_SILENT,
    "gaierror": "The mail server's address could not be found.",
    "SMTPAuthenticationError": "The mail server did not accept the practice's sign-in.",
    "SMTPRecipientsRefused": "The mail server refused the address it was going to.",
    "SMTPSenderRefused": "The mail server refused the practice's sending address.",
    "SMTPDataError": "The mail server refused the message.",
}
WHY_OTHER = "Something went wrong on our side; the details are in the admin."
TRY_AGAIN_DONE = "Trying again now: {what}. Once it has gone out, it leaves this list."
NO_LONGER_WAITING = "That one is no longer waiting: it has gone out or was called off."


def failing(practitioner: Practitioner) -> QuerySet[Effect]:
    """Her effects that failed for good, or are pending after several attempts."""
    hers = Q(booking__practitioner=practitioner) | Q(
        booking__isnull=True, args__practitioner=practitioner.pk
    )
    stuck = Q(status=Effect.Status.FAILED) | Q(
        status=Effect.Status.PENDING, attempts__gte=SHOWN_AFTER_ATTEMPTS
    )
    return Effect.objects.filter(hers, stuck)


def count(practitioner: Practitioner) -> int:
    return failing(practitioner).count()


@dataclass(frozen=True)
class NotSent:
    effect: Effect
    what: str
    why: str
    since: str
    next_try: str  # empty once it has stopped trying


def _when(moment: datetime, zone_name: str, now: datetime) -> str:
    return f"{day(moment, zone_name, now=now, short=True)} {clock(moment, zone_name)}"


def what(effect: Effect, booking: Booking | None, zone_name: str, now: datetime) -> str:
    """The effect in her words: "Reminder to Sam for Tue 8 Dec 14:00"."""
    args = effect.args or {}
    if booking is None:
        if "date" in args and effect.name.startswith("practice.morning"):
            morning_of = date.fromisoformat(args["date"])
            return MORNING.format(date=day(morning_of, zone_name, now=now, short=True))
        if effect.name == "calendars.failing_email":
            return WHAT[effect.name]
        return OTHER_UNBOOKED.format(name=effect.name)
    client = first_name(booking.client_name)
    partner = first_name(booking.partner_name) if booking.partner_name else "partner"
    words = {
        "client": client,
        "partner": partner,
        "recipient": partner if args.get("recipient") == "partner" else client,
        "when": _when(booking.start, zone_name, now),
        "name": effect.name,
    }
    return WHAT.get(effect.name, OTHER).format(**words)


def why(last_error: str) -> str:
    """A sentence for the exception class that ``last_error`` starts with."""
    name = last_error.split(":", 1)[0].strip().rsplit(".", 1)[-1]
    return WHY.get(name, WHY_OTHER)


def listing(practitioner: Practitioner, *, now: datetime) -> list[NotSent]:
    """Her failing effects, oldest first, each in her words, in one query."""
    zone_name = practitioner.timezone
    rows = list(failing(practitioner).select_related("booking").order_by("created_at", "pk"))
    return [
        NotSent(
            effect=effect,
            what=what(effect, effect.booking, zone_name, now),
            why=why(effect.last_error),
            since=_when(effect.created_at, zone_name, now),
            next_try=(
                _when(effect.due_at, zone_name, now)
                if effect.status == Effect.Status.PENDING
                else ""
            ),
        )
        for effect in rows
    ]
