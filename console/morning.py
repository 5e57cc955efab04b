"""Her morning email: the day's sessions, sent at the time she picked, on her clock.

A periodic sweep (``schedule_summaries``, every few minutes) schedules today's summary for
each practitioner whose morning time has come, keyed by her and her local date: the unique
key makes it one a day however many workers sweep, and on the days the clocks change (a
02:30 that never happens is passed at 03:00; a 01:30 that happens twice is one date).

The email reads her day through console.agenda, as her Today page does, so it says what the
console says: times, first names, kind, each intake's state and the discreet attention
mark, worked out from clear columns. Nothing decrypts here; no answers, notes or topics
reach it. On a day without sessions nothing is sent: a quiet day needs no email.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from booking import effects
from booking.availability import to_instant
from booking.emails.compose import simple_message
from console import agenda, coming_up
from console.attendee_intakes import ATTENTION_WORDS
from practice.models import Practitioner
from practice.timezones import day as day_words

EFFECT = "practice.morning_summary"
# A worker that was down catches up for this long after her time; later, the day is under
# way and the email would only arrive in the middle of it.
CATCH_UP = timedelta(hours=3)


def summary_key(practitioner: Practitioner, local_date: date) -> str:
    return f"morning:{practitioner.pk}:{local_date.isoformat()}"


def _due(practitioner: Practitioner, local_date: date) -> datetime:
    """Her morning time on ``local_date`` as an instant: a time the clocks skip counts from
    the moment they land after it, a time they pass twice from its first passing."""
    return to_instant(local_date, practitioner.morning_email_at, practitioner.zone, is_end=False)


def schedule_summaries(*, now: datetime) -> int:
    """Schedule today's summary of each practitioner whose morning time has come (and is
    not more than CATCH_UP ago); returns how many were newly scheduled."""
    scheduled = 0
    for practitioner in Practitioner.objects.filter(morning_email_at__isnull=False):
        local_date = now.astimezone(practitioner.zone).date()
        due = _due(practitioner, local_date)
        if not due <= now < due + CATCH_UP:
            continue
        effect = effects.schedule(
            EFFECT,
            summary_key(practitioner, local_date),
            due_at=now,
            args={"practitioner": practitioner.pk, "date": local_date.isoformat()},
        )
        scheduled += effect is not None
    return scheduled


def build_summary(
    practitioner: Practitioner, *, local_date: date, now: datetime
) -> EmailMultiAlternatives | None:
    """The email of her day, or None when it has no sessions."""
    today = agenda.days(practitioner, first=local_date, count=1, now=now)[0]
    if not today.entries:
        return None
    count = len(today.entries)
    sessions = "1 session" if count == 1 else f"{count} sessions"
    context = {
        "practice_name": practitioner.practice_name,
        "heading": day_words(local_date, practitioner.timezone, now=now),
        "summary": coming_up.summary(today).words,
        "clock_change": today.clock_change,
        "sessions": [
            {
                "time": entry.span_text,
                "who": entry.who,
                "kind": entry.kind,
                "intake": entry.intake_words,
                "held": entry.money if entry.held else "",
                "attention": ATTENTION_WORDS if entry.flagged else "",
            }
            for entry in today.entries
        ],
        "today_url": settings.SITE_URL + reverse("console:today"),
    }
    return simple_message(
        template="email/morning_summary",
        context=context,
        subject=f"Your day, {day_words(local_date, practitioner.timezone, now=now, short=True)}: "
        f"{sessions}",
        to=practitioner.email,
        practitioner=practitioner,
    )


def summary_for(effect) -> EmailMultiAlternatives | None:
    """The effect's email: the day's summary, if it is still that day for her and she still
    wants it; otherwise there is nothing to send."""
    practitioner = Practitioner.objects.filter(pk=effect.args["practitioner"]).first()
    if practitioner is None or practitioner.morning_email_at is None:
        return None
    now = timezone.now()
    local_date = date.fromisoformat(effect.args["date"])
    if now.astimezone(practitioner.zone).date() != local_date:
        return None  # its day is over
    return build_summary(practitioner, local_date=local_date, now=now)
