"""Her hours: the week (hers, or an offering's own) beside the open times it gives, the
dates with other hours and her time off on a month calendar, and her practice settings.

Thin views: forms read what she typed, booking.hours and practice.services change it (one
transaction each), and the preview is read by the same code as the public week pages.
"""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from booking import hours as hours_service
from booking.models import DateOverride, TimeOff
from console.access import practitioner_required
from console.hours_calendar import month_grid, parse_month
from console.hours_forms import (
    DAYS,
    PICK_A_DAY,
    DateHoursForm,
    PracticeSettingsForm,
    TimeOffForm,
    WeekForm,
)
from console.hours_preview import preview, rules_in_words, stretch_words
from practice.models import Offering, Practitioner
from practice.services import update_practice_settings
from practice.timezones import clock, day, zone_label

DAY_NAMES = dict(DAYS)
SAVED = "Your hours are saved. The open times beside them are what clients see now."
OWN_SAVED = "{name} has its own hours now. Your other offerings keep your hours."
BACK_TO_GENERAL = "{name} uses your hours again."


def _url(name: str, **params) -> str:
    query = urlencode({key: value for key, value in params.items() if value})
    return reverse(name) + (f"?{query}" if query else "")


def _preview_context(request: HttpRequest, offerings: list, default: Offering | None) -> dict:
    practitioner = request.practitioner
    zone_name = practitioner.timezone
    chosen = next((o for o in offerings if o.slug == request.GET.get("preview")), None)
    chosen = chosen or default or (offerings[0] if offerings else None)
    if chosen is None:
        return {"preview_offering": None}
    now = timezone.now()
    chosen.practitioner = practitioner
    days = preview(offering=chosen, first_day=now.astimezone(practitioner.zone).date(), now=now)
    return {
        "preview_offering": chosen,
        "preview_days": [
            {
                "day": item.day,
                "label": day(item.day, zone_name, now=now, short=True),
                "full_label": day(item.day, zone_name, now=now),
                "count": item.count,
                "fully_booked": item.fully_booked,
                "stretches": [
                    {
                        "words": stretch_words(stretch, zone_name),
                        "times": [clock(slot.start, zone_name) for slot in stretch.slots],
                    }
                    for stretch in item.stretches
                ],
            }
            for item in days
        ],
    }


@practitioner_required
@require_http_methods(["GET", "POST"])
def hours(request: HttpRequest) -> HttpResponse:
    practitioner = request.practitioner
    offerings = list(Offering.objects.filter(practitioner=practitioner, is_active=True))
    own = hours_service.offerings_with_own_hours(practitioner)
    slug = request.GET.get("week", "")
    editing = next((o for o in offerings if o.slug == slug), None)
    if slug and editing is None:
        raise Http404
    here = _url("console:hours", week=slug, preview=request.GET.get("preview"))
    copied_to: list[str] = []
    copied_from = ""
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "use_general" and editing is not None:
            hours_service.set_weekly_hours(practitioner=practitioner, offering=editing, week={})
            messages.success(request, BACK_TO_GENERAL.format(name=editing.name))
            return redirect(here)
        form = WeekForm(request.POST)
        if form.is_valid() and action == "copy":
            week, targets = form.copied()
            if targets:
                copied_from = DAY_NAMES[form.cleaned_data["copy_from"]]
                copied_to = [DAY_NAMES[day] for day in targets]
                form = WeekForm(week=week)
            else:
                form.add_error("copy_to", PICK_A_DAY)
        elif form.is_valid():
            week = form.cleaned_data["week"]
            try:
                hours_service.set_weekly_hours(
                    practitioner=practitioner, offering=editing, week=week
                )
            except hours_service.HoursError as error:
                form.add_error(None, str(error))
            else:
                if editing is None:
                    messages.success(request, SAVED)
                elif any(week.values()):
                    messages.success(request, OWN_SAVED.format(name=editing.name))
                else:
                    messages.success(request, BACK_TO_GENERAL.format(name=editing.name))
                return redirect(here)
    else:
        starting_own = editing is not None and editing.pk not in own and request.GET.get("own")
        source = None if starting_own else editing
        form = WeekForm(week=hours_service.weekly_hours(practitioner, source))
    uses_general = editing is not None and editing.pk not in own
    show_form = editing is None or not uses_general or request.GET.get("own") or form.is_bound
    context = {
        "nav": "hours",
        "tab": "week",
        "form": form,
        "copied_to": copied_to,
        "copied_from": copied_from,
        "editing": editing,
        "uses_general": uses_general,
        "show_form": show_form,
        "weeks": [
            {
                "offering": offering,
                "own": offering.pk in own,
                "rules": rules_in_words(offering),
                "url": _url("console:hours", week=offering.slug),
            }
            for offering in offerings
        ],
        "zone_label": zone_label(practitioner.timezone),
        "here": here,
        **_preview_context(request, offerings, editing),
    }
    return render(request, "console/hours.html", context)


def _bookings_warning(practitioner, first: str, last: str) -> dict:
    try:
        first_day, last_day = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        return {}
    if last_day < first_day or (last_day - first_day).days > 366:
        return {}
    found = hours_service.bookings_between(practitioner, first_day, last_day)
    zone_name = practitioner.timezone
    return {
        "warned": [
            {
                "booking": booking,
                "when": f"{day(booking.start, zone_name)}, {clock(booking.start, zone_name)}",
                "first_name": booking.client_name.split()[0] if booking.client_name else "",
            }
            for booking in found
        ]
    }


@practitioner_required
@require_http_methods(["GET", "POST"])
def hours_calendar(request: HttpRequest) -> HttpResponse:
    practitioner = request.practitioner
    zone_name = practitioner.timezone
    now = timezone.now()
    today = now.astimezone(practitioner.zone).date()
    month = parse_month(request.GET.get("month", ""), today)
    past = request.GET.get("past") == "1"
    here = _url("console:hours_calendar", month=request.GET.get("month"), past="1" if past else "")
    date_form = DateHoursForm(prefix="date")
    off_form = TimeOffForm(prefix="off")
    editing_off = None
    if request.method == "GET" and (edit_date := request.GET.get("edit_date")):
        rows = DateOverride.objects.filter(practitioner=practitioner, date=edit_date or None)
        rows = list(rows) if _is_date(edit_date) else []
        if rows:
            windows = [(row.start_time, row.end_time) for row in rows if row.start_time]
            initial = {"first_day": rows[0].date, "closed": "0" if windows else "1"}
            initial["note"] = rows[0].note
            for n, (start, end) in enumerate(windows[:2], start=1):
                initial[f"start_{n}"], initial[f"end_{n}"] = start, end
            date_form = DateHoursForm(prefix="date", initial=initial)
    if request.GET.get("edit_off", "").isdigit():
        editing_off = get_object_or_404(
            TimeOff, practitioner=practitioner, pk=int(request.GET["edit_off"])
        )
        if request.method == "GET":
            off_form = TimeOffForm(
                prefix="off",
                initial={
                    "first_day": editing_off.first_day,
                    "last_day": editing_off.last_day,
                    "note": editing_off.note,
                },
            )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "remove_date" and _is_date(request.POST.get("day", "")):
            hours_service.remove_date_hours(
                practitioner=practitioner, day=date.fromisoformat(request.POST["day"])
            )
            messages.success(request, "That date follows your weekly hours again.")
            return redirect(here)
        if action == "remove_off" and request.POST.get("time_off", "").isdigit():
            hours_service.remove_time_off(
                practitioner=practitioner, time_off_id=int(request.POST["time_off"])
            )
            messages.success(request, "That time off is removed: your hours are open again.")
            return redirect(here)
        if action == "date":
            date_form = DateHoursForm(request.POST, prefix="date")
            saved = _save_days(
                request,
                date_form,
                hours_service.set_date_hours,
                ("first_day", "last_day", "windows", "note"),
                saved="Saved: those dates have their own hours now.",
            )
            if saved is not None:
                return saved
        if action == "off":
            off_form = TimeOffForm(request.POST, prefix="off")
            saved = _save_days(
                request,
                off_form,
                hours_service.save_time_off,
                ("first_day", "last_day", "note"),
                saved="Your time off is saved.",
                time_off=editing_off,
            )
            if saved is not None:
                return saved
    grid_first, grid_last, weeks = month_grid(month, today)
    shown_first = min(grid_first, today) if past else today
    list_first = date(2000, 1, 1) if past else today
    overrides, time_off = hours_service.days_with(
        practitioner, min(grid_first, list_first), max(grid_last, today + timedelta(days=3660))
    )
    context = {
        "nav": "hours",
        "tab": "calendar",
        "month": month,
        "month_label": f"{month:%B %Y}",
        "previous_month": _url(
            "console:hours_calendar", month=_shift(month, -1).strftime("%Y-%m"), past=past and "1"
        ),
        "next_month": _url(
            "console:hours_calendar", month=_shift(month, 1).strftime("%Y-%m"), past=past and "1"
        ),
        "weeks": _marked(weeks, overrides, time_off, zone_name),
        "date_rows": _date_rows(overrides, list_first, zone_name, now),
        "time_off": [
            {
                "row": row,
                "words": _span_words(row.first_day, row.last_day, zone_name, now),
            }
            for row in time_off
            if row.last_day >= list_first
        ],
        "past": past,
        "shown_first": shown_first,
        "date_form": date_form,
        "off_form": off_form,
        "editing_off": editing_off,
        "here": here,
        "zone_label": zone_label(zone_name),
        **_bookings_warning(
            practitioner, request.GET.get("warn_from", ""), request.GET.get("warn_to", "")
        ),
    }
    return render(request, "console/hours_calendar.html", context)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _save_days(
    request: HttpRequest, form, save, fields: tuple[str, ...], *, saved: str, **extra
) -> HttpResponse | None:
    """A date's other hours or time off, from its bound ``form``: ``save`` (booking.hours)
    is given the form's ``fields`` and ``extra``, then she is sent to the changed days with
    ``saved`` and the sessions booked in them. None when the form or booking.hours refuses
    it; the form then says why."""
    if not form.is_valid():
        return None
    practitioner = request.practitioner
    data = form.cleaned_data
    try:
        save(practitioner=practitioner, **{name: data[name] for name in fields}, **extra)
    except hours_service.HoursError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, _with_sessions(saved, practitioner, data))
    return redirect(_after_change(data["first_day"], data["last_day"], warn=True))


def _with_sessions(saved: str, practitioner, data: dict) -> str:
    """The saved message names the sessions booked in those days, so the news that they stay
    booked reaches her even where the list below is missed."""
    found = hours_service.bookings_between(practitioner, data["first_day"], data["last_day"])
    if not found:
        return saved
    if len(found) == 1:
        return f"{saved} 1 session is booked in it and stays booked: see it below."
    return f"{saved} {len(found)} sessions are booked in it and stay booked: see them below."


def _after_change(first_day: date, last_day: date, *, warn: bool) -> str:
    params = {"month": first_day.strftime("%Y-%m")}
    if warn:
        params |= {"warn_from": first_day.isoformat(), "warn_to": last_day.isoformat()}
    return _url("console:hours_calendar", **params)


def _shift(month: date, by: int) -> date:
    index = month.year * 12 + month.month - 1 + by
    return date(index // 12, index % 12 + 1, 1)


def _span_words(first: date, last: date, zone_name: str, now) -> str:
    if first == last:
        return day(first, zone_name, now=now)
    return f"{day(first, zone_name, now=now)} to {day(last, zone_name, now=now)}"


def _hours_words(rows: list[DateOverride]) -> str:
    windows = [row for row in rows if row.start_time is not None]
    if not windows:
        return "Closed"
    return ", ".join(f"{row.start_time:%H:%M}–{row.end_time:%H:%M}" for row in windows)


def _date_rows(overrides: dict, first: date, zone_name: str, now) -> list[dict]:
    return [
        {
            "day": when,
            "words": day(when, zone_name, now=now),
            "hours": _hours_words(rows),
            "note": rows[0].note,
        }
        for when, rows in sorted(overrides.items())
        if when >= first
    ]


def _marked(weeks, overrides: dict, time_off: list, zone_name: str) -> list:
    marked = []
    for week in weeks:
        row = []
        for cell in week:
            off = next((t for t in time_off if t.first_day <= cell["day"] <= t.last_day), None)
            rows = overrides.get(cell["day"])
            mark = "Time off" if off else (_hours_words(rows) if rows else "")
            row.append({**cell, "mark": mark, "off": bool(off), "other": bool(rows) and not off})
        marked.append(row)
    return marked


@practitioner_required
@require_http_methods(["GET", "POST"])
def hours_settings(request: HttpRequest) -> HttpResponse:
    practitioner = request.practitioner
    now = timezone.now()
    before = practitioner.timezone
    # A copy: a form that comes back must leave the console's own reading of her untouched.
    copy = Practitioner.objects.get(pk=practitioner.pk)
    form = PracticeSettingsForm(request.POST or None, instance=copy, now=now)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        update_practice_settings(practitioner=practitioner, **values)
        if values["timezone"] != before:
            messages.success(
                request,
                f"Your time zone is now {zone_label(values['timezone'])}. Your weekly hours "
                f"keep their times, now on {zone_label(values['timezone'])} clocks; sessions "
                "already booked keep their moment, so their times on your clock may change.",
            )
        else:
            messages.success(request, "Your practice settings are saved.")
        return redirect("console:hours_settings")
    return render(
        request,
        "console/hours_settings.html",
        {"nav": "hours", "tab": "settings", "form": form, "zone_label": zone_label(before)},
    )
