"""The forms of her hours: a week as rows of ranges, a date's other hours, time off, and her
practice settings. They turn what she typed into plain values for booking.hours and say
what is wrong in her words; the rules themselves (grid, overlap) are booking.hours's.

The week works without JavaScript: each day has its ranges plus blank rows (a hidden count
per day says how many rows came), a range is removed by clearing its times, and copying a
day is a button of its own that fills the form again without saving.
"""

from datetime import time, timedelta

from django import forms

from booking.forms import ZoneSelect
from booking.hours import ENDS_BEFORE_START, OVERLAPS, window_problems
from booking.models import Weekday
from console.durations import DurationField
from practice.models import Practitioner
from practice.timezones import canonical_timezone, zone_choices

DAYS = [(day.value, day.label) for day in Weekday]
UNTIL = "Until (optional, for several days)"  # the last day of a run of dates
BLANK_ROWS = 2
MAX_ROWS = 12
BOTH_TIMES = "Please give both a start and an end, or clear both to remove the range."
PICK_A_DAY = "Please tick at least one day to copy to."
TIME_INVALID = "Please enter a time like 09:00."
DATE_MISSING = "Date: please pick the date (the first one, for several days)."
DATE_INVALID = "Date: please pick a date from the calendar."
UNTIL_INVALID = "Until: please pick a date from the calendar, or leave it empty for one day."
UNTIL_BEFORE = (
    "Until: please pick the same day or a later one, or leave it empty for a single day."
)
FIRST_DAY_OFF_MISSING = "First day off: please pick the day your time off starts."
FIRST_DAY_OFF_INVALID = "First day off: please pick a date from the calendar."
LAST_DAY_OFF_INVALID = (
    "Until: please pick your last day off from the calendar, or leave it empty for one day."
)


# Her morning email: off, or a quarter hour between 05:00 and 12:00 on her clock.
MORNING_OFF = "Do not send"
MORNING_TIMES = [time(hour, minute) for hour in range(5, 12) for minute in (0, 15, 30, 45)]


def _morning_choices(current: time | None) -> list[tuple[str, str]]:
    """The times she can pick, with the one she has even when it is off the list (set in
    the admin, say), so that saving the page never changes it behind her back."""
    times = sorted({*MORNING_TIMES, *([current] if current else [])})
    return [("", MORNING_OFF), *((t.strftime("%H:%M"), t.strftime("%H:%M")) for t in times)]


def _last_day(form: forms.Form, cleaned: dict) -> None:
    """An empty "Until" means the same day; one before the first day is named as the field."""
    first, last = cleaned.get("first_day"), cleaned.get("last_day")
    if first and last and last < first:
        form.add_error("last_day", UNTIL_BEFORE)
    cleaned["last_day"] = last or first


def _day_field(label: str, *, invalid: str, missing: str = "") -> forms.DateField:
    """A date picked from the browser's calendar; one without ``missing`` may stay empty."""
    messages = {"invalid": invalid} | ({"required": missing} if missing else {})
    return forms.DateField(
        label=label,
        required=bool(missing),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=messages,
    )


def _note_field() -> forms.CharField:
    return forms.CharField(label="Note for yourself (optional)", required=False, max_length=200)


def _window(
    form: forms.Form, cleaned: dict, start_name: str, end_name: str
) -> tuple[time, time] | None:
    """The range of a row's two times; None for a row left empty, or one with a single
    time (the empty one then asks for both)."""
    start, end = cleaned.get(start_name), cleaned.get(end_name)
    if start is None or end is None:
        if start is not None or end is not None:
            form.add_error(start_name if start is None else end_name, BOTH_TIMES)
        return None
    return start, end


def _time_field(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        input_formats=["%H:%M", "%H:%M:%S", "%H.%M"],
        error_messages={"invalid": TIME_INVALID},
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time", "step": 300}),
    )


class WeekForm(forms.Form):
    """Seven days of ranges. ``week`` ({weekday: [(start, end)]}) fills an unbound form;
    a bound one reads its row counts from the data."""

    copy_from = forms.TypedChoiceField(label="Copy", choices=DAYS, coerce=int, required=False)
    copy_to = forms.TypedMultipleChoiceField(
        label="to", choices=DAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, week: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        week = week or {}
        self.rows: dict[int, int] = {}
        for day, name in DAYS:
            if self.is_bound:
                try:
                    count = int(self.data.get(f"rows-{day}", BLANK_ROWS))
                except (TypeError, ValueError):
                    count = BLANK_ROWS
                count = max(1, min(count, MAX_ROWS))
            else:
                count = min(len(week.get(day, ())) + BLANK_ROWS, MAX_ROWS)
            self.rows[day] = count
            for row in range(count):
                self.fields[f"d{day}-{row}-start"] = _time_field(f"{name}, range {row + 1}: from")
                self.fields[f"d{day}-{row}-end"] = _time_field(f"{name}, range {row + 1}: until")
            for row, (start, end) in enumerate(week.get(day, ())[:count]):
                self.initial[f"d{day}-{row}-start"] = start
                self.initial[f"d{day}-{row}-end"] = end

    def day_rows(self):
        """For the template: each day with its rows of (start field, end field)."""
        for day, name in DAYS:
            rows = [
                (self[f"d{day}-{row}-start"], self[f"d{day}-{row}-end"])
                for row in range(self.rows[day])
            ]
            filled = sum(1 for start, _ in rows if start.value() or _.value())
            yield {"day": day, "name": name, "rows": rows, "count": self.rows[day], "open": filled}

    def clean(self):
        cleaned = super().clean()
        week: dict[int, list[tuple[time, time]]] = {}
        for day, _name in DAYS:
            ranges = []
            for row in range(self.rows[day]):
                start_name, end_name = f"d{day}-{row}-start", f"d{day}-{row}-end"
                if start_name in self.errors or end_name in self.errors:
                    continue
                window = _window(self, cleaned, start_name, end_name)
                if window is None:
                    continue
                problems = window_problems([window])
                if problems:
                    target = end_name if ENDS_BEFORE_START in problems else start_name
                    self.add_error(target, problems[0])
                    continue
                if window_problems([*ranges, window]):
                    self.add_error(start_name, OVERLAPS)
                    continue
                ranges.append(window)
            week[day] = sorted(ranges)
        cleaned["week"] = week
        return cleaned

    def copied(self) -> tuple[dict, list[int]]:
        """The week with the chosen day's ranges copied over the ticked days."""
        source, targets = self.cleaned_data.get("copy_from"), self.cleaned_data.get("copy_to")
        week = dict(self.cleaned_data["week"])
        targets = [day for day in targets or [] if day != source]
        for day in targets:
            week[day] = list(week.get(source, []))
        return week, targets


class DateHoursForm(forms.Form):
    """A date (or a run of dates) with other hours than her week, or closed."""

    first_day = _day_field("Date", missing=DATE_MISSING, invalid=DATE_INVALID)
    last_day = _day_field(UNTIL, invalid=UNTIL_INVALID)
    closed = forms.TypedChoiceField(
        label="On these days",
        choices=[("1", "Closed"), ("0", "Open at other times")],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    start_1 = _time_field("From")
    end_1 = _time_field("Until")
    start_2 = _time_field("And from (optional)")
    end_2 = _time_field("Until")
    note = _note_field()

    def clean(self):
        cleaned = super().clean()
        _last_day(self, cleaned)
        windows = []
        if cleaned.get("closed") is False:
            for start_name, end_name in (("start_1", "end_1"), ("start_2", "end_2")):
                if window := _window(self, cleaned, start_name, end_name):
                    windows.append(window)
            if not windows and not self.errors:
                self.add_error("start_1", "Please give the hours you are open on these days.")
            elif problems := window_problems(windows):
                self.add_error("start_1", problems[0])
        cleaned["windows"] = windows
        return cleaned


class TimeOffForm(forms.Form):
    """Whole days off; one day is the usual case, so the last day may be left empty."""

    first_day = _day_field(
        "First day off", missing=FIRST_DAY_OFF_MISSING, invalid=FIRST_DAY_OFF_INVALID
    )
    last_day = _day_field(UNTIL, invalid=LAST_DAY_OFF_INVALID)
    note = _note_field()

    def clean(self):
        cleaned = super().clean()
        _last_day(self, cleaned)
        return cleaned


class PracticeSettingsForm(forms.ModelForm):
    """Her zone, the clients' change cut-off in words, the intake settings and her morning
    email."""

    timezone = forms.ChoiceField(label="Your time zone", widget=ZoneSelect)
    manage_cutoff = DurationField(
        label="Clients can move or cancel by themselves until",
        help_text="before the session starts. After that they reply to their email instead.",
        max_minutes=60 * 24 * 60,
    )
    morning_email_at = forms.TypedChoiceField(
        label="A morning email with your day",
        help_text="Your sessions of the day, with first names and how each intake stands, "
        "never what anyone wrote. Sent at this time on your clock, and only on days "
        "with sessions.",
        coerce=time.fromisoformat,
        empty_value=None,
        required=False,
    )

    class Meta:
        model = Practitioner
        fields = [
            "timezone",
            "manage_cutoff",
            "contact_note",
            "intake_retention_days",
            "checkin_within_days",
            "morning_email_at",
        ]
        labels = {
            "contact_note": "How clients reach you after the cut-off",
            "intake_retention_days": "Keep intake answers for (days after the last session)",
            "checkin_within_days": "Ask a short check-in instead of the full questionnaire "
            "within (days)",
        }
        help_texts = {
            "contact_note": "Shown to clients when it is too late to change a booking online.",
            "intake_retention_days": "Then they are erased for good.",
            "checkin_within_days": "For a client who sent the full questionnaire this recently.",
        }

    def __init__(self, *args, now, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.timezone
        self.fields["timezone"].choices = zone_choices(now=now, first=(current,))
        self.fields["timezone"].widget.attrs["id"] = "id_tz"
        self.fields["morning_email_at"].choices = _morning_choices(self.instance.morning_email_at)
        if not self.is_bound:
            self.initial["manage_cutoff"] = int(self.instance.manage_cutoff.total_seconds() // 60)
            at = self.instance.morning_email_at
            self.initial["morning_email_at"] = at.strftime("%H:%M") if at else ""

    def clean_timezone(self) -> str:
        zone = canonical_timezone(self.cleaned_data["timezone"])
        if zone is None:
            raise forms.ValidationError("Please choose a time zone from the list.")
        return zone

    def clean_manage_cutoff(self) -> timedelta:
        return timedelta(minutes=self.cleaned_data["manage_cutoff"])
