"""The offering form: what it is, its length and price, who may book, the questionnaire, the
cancellation terms, the booking rules and the video link, each said back in plain words.

Spans are a number and a unit (console.durations), never ``12:00:00``. The cancellation
terms are up to four rows of "at least this long before → this much back"; more notice must
never give less back, or clients would be better off waiting to cancel.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from booking.reminder_choice import hours_words
from booking.video_rooms import pattern_error
from console.durations import DurationField, in_words
from intake import questionnaires
from practice.models import Offering, default_reminder_hours

CURRENCIES = ["EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "AUD", "CAD", "NZD"]
LENGTHS = [15, 20, 30, 45, 50, 60, 75, 90, 120, 150, 180]
STEPS = [5, 10, 15, 20, 30, 45, 60, 90, 120]
TIER_ROWS = 4
REMINDER_HOURS = [72, 48, 24, 12, 4, 2, 1]

NEGATIVE_PRICE = "The price cannot be below 0."
PAID_NEEDS_PRICE = "Please give the price, or choose Free."
NOT_MONOTONIC = (
    "More notice must never give less back: give each earlier cancellation at least as much "
    "as a later one."
)
SAME_NOTICE_TWICE = "Two rows of the terms have the same notice: please keep one of them."
WHOLE_HOURS = "Please give the notice in whole hours (or days or weeks)."
TIER_HALF = "Please give both how long before and how much back, or leave the row empty."
WHOLE_DAYS = "Please give how far ahead in whole days (or weeks)."
TWO_LINKS = "Please give either a fixed room or a pattern, not both."
KIND_FIXED_HELP = "It has bookings, so its kind stays as it is."


def _length_words(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if minutes < 60 or rest:
        return f"{minutes} minutes"
    return in_words(minutes)


def _usual_words() -> str:
    """ "free assessment call: Before our first call; single session: Before we meet; …"."""
    parts = []
    for kind, label in Offering.Kind.choices:
        usual = questionnaires.for_offering_kind(kind)
        parts.append(f"“{usual.title}” for a {label.lower()}" if usual else f"none for a {label}")
    return ", ".join(parts)


def questionnaire_choices() -> list[tuple[str, str]]:
    choices = [("", "As usual for its kind")]
    choices += [
        (q.id, f"{q.title} (about {q.estimated_minutes} minutes)")
        for q in questionnaires.choosable()
    ]
    return choices + [(questionnaires.NONE, "None: no questionnaire before it")]


class OptionalDurationField(DurationField):
    """A span that may be left empty: the unit menu always sends a unit, so an empty
    number is what "nothing given" looks like."""

    def compress(self, data_list):
        if not data_list or data_list[0] is None:
            return None
        return super().compress(data_list)


class OfferingForm(forms.Form):
    # What
    name = forms.CharField(max_length=120, help_text="As clients see it, e.g. “Single session”.")
    description = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to clients beside the name. Leave empty for none.",
    )
    kind = forms.ChoiceField(
        choices=Offering.Kind.choices,
        help_text="A couples session asks for the partner's name and email too.",
    )
    # Length and price
    duration_minutes = forms.TypedChoiceField(label="Length", coerce=int)
    is_paid = forms.TypedChoiceField(
        label="Free or paid",
        choices=[("0", "Free"), ("1", "Paid: clients pay when they book")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    price = forms.DecimalField(
        required=False,
        max_digits=8,
        decimal_places=2,
        help_text="What one booking costs. A new price is for new bookings only.",
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    currency = forms.ChoiceField(choices=[(c, c) for c in CURRENCIES], required=False)
    # Who may book
    returning_clients_only = forms.TypedChoiceField(
        label="Who may book",
        choices=[
            ("0", "Anyone"),
            ("1", "Returning clients only: they sign in with the email address you know"),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    questionnaire_id = forms.ChoiceField(
        label="Questionnaire before the session",
        required=False,
        help_text="Sent by email once the booking is confirmed. Every question can be skipped.",
    )
    # Booking rules
    buffer_before_minutes = DurationField(
        label="Free time before",
        max_minutes=24 * 60,
        help_text="Kept free before each booking, so nothing is booked right up to it.",
    )
    buffer_after_minutes = DurationField(
        label="Free time after", max_minutes=24 * 60, help_text="Kept free after each booking."
    )
    min_notice_minutes = DurationField(
        label="Minimum notice",
        max_minutes=90 * 24 * 60,
        help_text="How soon from now the earliest time can be booked.",
    )
    horizon_minutes = DurationField(
        label="How far ahead",
        min_minutes=24 * 60,
        max_minutes=730 * 24 * 60,
        help_text="The latest day clients can book, counted from today.",
    )
    daily_cap = forms.IntegerField(
        label="At most this many a day",
        required=False,
        min_value=1,
        max_value=50,
        help_text="Leave empty for no limit.",
    )
    slot_step_minutes = forms.TypedChoiceField(
        label="Start times every",
        coerce=int,
        choices=[(m, _length_words(m)) for m in STEPS],
        help_text="How far apart the times offered to clients are.",
    )
    # Video
    video_link = forms.URLField(
        label="A fixed room",
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text="The same link for every booking, e.g. https://meet.example.org/mara.",
    )
    video_room_pattern = forms.CharField(
        label="Or a room of its own for each booking",
        required=False,
        max_length=200,
        help_text="A link with {room} in it, e.g. https://meet.jit.si/mara-{room}. Each booking "
        "gets its own room name there, which no one else can guess.",
    )
    # Reminders
    reminder_hours = forms.TypedMultipleChoiceField(
        label="Reminders by email",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each attendee gets one at each time ticked, and can turn them off for their "
        "own booking. Tick none for no reminders.",
    )

    def __init__(self, *args, kind_fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        lengths = sorted(set(LENGTHS) | {self.initial.get("duration_minutes") or 60})
        self.fields["duration_minutes"].choices = [(m, _length_words(m)) for m in lengths]
        self.fields["questionnaire_id"].choices = questionnaire_choices()
        hours = sorted(set(REMINDER_HOURS) | set(self.initial.get("reminder_hours") or []))
        self.fields["reminder_hours"].choices = [
            (hour, f"{hours_words(hour)} before") for hour in reversed(hours)
        ]
        self.fields["questionnaire_id"].help_text += f" As usual: {_usual_words()}."
        self.fields["price"].asked_when_paid = True  # not marked "(optional)": paid needs it
        self.kind_fixed = kind_fixed
        if kind_fixed:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = KIND_FIXED_HELP
        for row in range(1, TIER_ROWS + 1):
            self.fields[f"tier_{row}_notice"] = OptionalDurationField(
                label=f"Cancelled at least (row {row})", required=False, max_minutes=365 * 24 * 60
            )
            self.fields[f"tier_{row}_percent"] = forms.IntegerField(
                label=f"Gets back, in % (row {row})", required=False, min_value=0, max_value=100
            )

    def tier_rows(self):
        return [
            (row, self[f"tier_{row}_notice"], self[f"tier_{row}_percent"])
            for row in range(1, TIER_ROWS + 1)
        ]

    def clean_horizon_minutes(self):
        minutes = self.cleaned_data["horizon_minutes"]
        if minutes % (24 * 60):
            raise ValidationError(WHOLE_DAYS)
        return minutes

    def clean_video_room_pattern(self):
        pattern = self.cleaned_data["video_room_pattern"].strip()
        if pattern and (error := pattern_error(pattern)):
            raise ValidationError(error)
        return pattern

    def clean(self):
        data = super().clean()
        if data.get("is_paid"):
            price = data.get("price")
            if price is None or price == 0:
                self.add_error("price", PAID_NEEDS_PRICE)
            elif price < 0:
                self.add_error("price", NEGATIVE_PRICE)
            if not data.get("currency"):
                self.add_error("currency", "Please choose the currency.")
        if data.get("video_link") and data.get("video_room_pattern"):
            self.add_error("video_room_pattern", TWO_LINKS)
        data["tiers"] = self._clean_tiers(data)
        return data

    def _clean_tiers(self, data) -> list[tuple[int, int]]:
        tiers = []
        for row in range(1, TIER_ROWS + 1):
            notice, percent = data.get(f"tier_{row}_notice"), data.get(f"tier_{row}_percent")
            if self.has_error(f"tier_{row}_notice") or self.has_error(f"tier_{row}_percent"):
                continue
            if notice is None and percent is None:
                continue
            if notice is None or percent is None:
                self.add_error(f"tier_{row}_notice", TIER_HALF)
            elif notice % 60:
                self.add_error(f"tier_{row}_notice", WHOLE_HOURS)
            else:
                tiers.append((notice // 60, percent, row))
        tiers.sort(key=lambda tier: -tier[0])
        for (hours, percent, _row), (next_hours, next_percent, next_row) in zip(
            tiers, tiers[1:], strict=False
        ):
            if hours == next_hours:
                self.add_error(f"tier_{next_row}_notice", SAME_NOTICE_TWICE)
            elif next_percent > percent:
                self.add_error(f"tier_{next_row}_percent", NOT_MONOTONIC)
        return [(hours, percent) for hours, percent, _row in tiers]

    def values(self) -> dict:
        """The cleaned form as the offering's fields (practice.offerings.EDITABLE)."""
        data = self.cleaned_data
        paid = data["is_paid"]
        return {
            "name": data["name"].strip(),
            "description": data["description"].strip(),
            "kind": data["kind"],
            "duration_minutes": data["duration_minutes"],
            "price": data["price"] if paid else Decimal("0"),
            "currency": data["currency"] if paid else (self.initial.get("currency") or "EUR"),
            "returning_clients_only": data["returning_clients_only"],
            "questionnaire_id": data["questionnaire_id"],
            "video_link": data["video_link"],
            "video_room_pattern": data["video_room_pattern"],
            "buffer_before_minutes": data["buffer_before_minutes"],
            "buffer_after_minutes": data["buffer_after_minutes"],
            "min_notice_minutes": data["min_notice_minutes"],
            "horizon_days": data["horizon_minutes"] // (24 * 60),
            "daily_cap": data["daily_cap"],
            "slot_step_minutes": data["slot_step_minutes"],
            "reminder_hours": sorted(set(data["reminder_hours"]), reverse=True),
        }


def initial_from(offering: Offering, tiers: list[tuple[int, int]] = ()) -> dict:
    initial = {
        "name": offering.name,
        "description": offering.description,
        "kind": offering.kind,
        "duration_minutes": offering.duration_minutes,
        "is_paid": "1" if offering.price > 0 else "0",
        "price": offering.price if offering.price > 0 else None,
        "currency": offering.currency,
        "returning_clients_only": "1" if offering.returning_clients_only else "0",
        "questionnaire_id": offering.questionnaire_id,
        "video_link": offering.video_link,
        "video_room_pattern": offering.video_room_pattern,
        "buffer_before_minutes": offering.buffer_before_minutes,
        "buffer_after_minutes": offering.buffer_after_minutes,
        "min_notice_minutes": offering.min_notice_minutes,
        "horizon_minutes": offering.horizon_days * 24 * 60,
        "daily_cap": offering.daily_cap,
        "slot_step_minutes": offering.slot_step_minutes,
        "reminder_hours": offering.reminder_hours,
    }
    for row, (hours, percent) in enumerate(tiers, start=1):
        initial[f"tier_{row}_notice"] = hours * 60
        initial[f"tier_{row}_percent"] = percent
    return initial


def new_offering_initial() -> dict:
    """A sensible start: a paid hour for anyone, 48 h → all back, 24 h → half back."""
    return {
        "kind": Offering.Kind.SESSION,
        "duration_minutes": 60,
        "is_paid": "1",
        "currency": "EUR",
        "returning_clients_only": "0",
        "questionnaire_id": "",
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 15,
        "min_notice_minutes": 12 * 60,
        "horizon_minutes": 60 * 24 * 60,
        "slot_step_minutes": 30,
        "reminder_hours": default_reminder_hours(),
        "tier_1_notice": 48 * 60,
        "tier_1_percent": 100,
        "tier_2_notice": 24 * 60,
        "tier_2_percent": 50,
    }
