"""A calendar that stays unreadable is told to her, once per failure.

A calendar that fails keeps its last good busy time, so nothing opens by itself; but a
calendar that stopped answering (a rotated secret address, an app password revoked) would
otherwise go stale in silence while she adds new events to it. After an hour of failing,
she gets one email saying which calendar, since when and what to do; a calendar that
works again before the email goes sends nothing.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from booking import effects
from booking.emails.compose import format_moment, simple_message
from booking.models import ExternalCalendar

EMAIL = "calendars.failing_email"
TELL_AFTER = timedelta(hours=1)


def check(calendar: ExternalCalendar, now: datetime) -> None:
    """After a failed read: the email, once the failure has lasted long enough. Its key is
    the failure's start, so one failure is told once and a later one again."""
    calendar.refresh_from_db(fields=["failing_since"])
    since = calendar.failing_since
    if since is not None and now - since >= TELL_AFTER:
        key = f"calendar-failing:{calendar.pk}:{since.isoformat()}"
        effects.schedule(EMAIL, key, args={"calendar": calendar.pk, "since": since.isoformat()})


def _message(effect) -> EmailMultiAlternatives | None:
    calendar = (
        ExternalCalendar.objects.select_related("practitioner")
        .filter(pk=effect.args["calendar"], paused=False)
        .first()
    )
    if calendar is None or calendar.failing_since is None:
        return None  # removed, paused or working again: nothing to tell her
    if calendar.failing_since.isoformat() != effect.args["since"]:
        return None  # another failure since, told by its own email
    practitioner = calendar.practitioner
    context = {
        "calendar_name": calendar.name,
        "since": format_moment(calendar.failing_since, practitioner.timezone),
        "error": calendar.last_error,
        "last_worked": format_moment(calendar.last_success_at, practitioner.timezone)
        if calendar.last_success_at
        else "",
        "calendars_url": settings.SITE_URL + reverse("console:calendars"),
    }
    return simple_message(
        template="email/calendar_failing",
        context=context,
        subject=f"“{calendar.name}” could not be read: check your calendars",
        to=practitioner.email,
        practitioner=practitioner,
    )


def register() -> None:
    effects.register_email(EMAIL, _message)
