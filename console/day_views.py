"""Her day and her week: what is booked, for whom, paid or not, and how each intake stands.

Reads only (console.agenda); the booking's own page is where she acts on it.
"""

from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from console import agenda, coming_up, week_grid
from console.access import practitioner_required
from console.attendee_intakes import ATTENTION_WORDS

AGENDA_DAYS = 7  # today and the next six

FIRST_WEEK = date(1971, 1, 1)
LAST_WEEK = date(2199, 12, 31)
UNREADABLE_START = "That date could not be read, so this is the current week."


@practitioner_required
def today(request: HttpRequest) -> HttpResponse:
    """Today first, then the next six days as an agenda."""
    practitioner = request.practitioner
    now = timezone.now()
    first = now.astimezone(practitioner.zone).date()
    days = agenda.days(practitioner, first=first, count=AGENDA_DAYS, now=now)
    context = {
        "nav": "today",
        "attention_words": ATTENTION_WORDS,
        "today": days[0],
        "coming": days[1:],
        "summary": coming_up.summary(days[0]),
        "zone": practitioner.timezone,
        "week_start": agenda.monday_of(first),
    }
    return render(request, "console/today.html", context)


def _week_start(value: str | None, today: date) -> tuple[date, bool]:
    """The Monday of the week asked for, and whether the address could be read."""
    if not value:
        return agenda.monday_of(today), True
    try:
        asked = date.fromisoformat(value)
    except ValueError:
        return agenda.monday_of(today), False
    if not FIRST_WEEK <= asked <= LAST_WEEK:  # the calendar's own ends, and nonsense
        return agenda.monday_of(today), False
    return agenda.monday_of(asked), True


@practitioner_required
def week(request: HttpRequest) -> HttpResponse:
    """Seven day columns from Monday, her hours down the side, in her zone."""
    practitioner = request.practitioner
    now = timezone.now()
    today = now.astimezone(practitioner.zone).date()
    monday, readable = _week_start(request.GET.get("start"), today)
    days = agenda.days(practitioner, first=monday, count=7, now=now)
    hours, columns = week_grid.columns(days, now=now)
    context = {
        "nav": "week",
        "attention_words": ATTENTION_WORDS,
        "days": days,
        "hours": hours,
        "columns": columns,
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
        "this_week": agenda.monday_of(today),
        "is_this_week": monday == agenda.monday_of(today),
        "unreadable": not readable,
        "unreadable_words": UNREADABLE_START,
        "zone": practitioner.timezone,
        "booked": sum(len(day.entries) for day in days),
    }
    return render(request, "console/week.html", context)
