"""The small forms of the console's booking page: cancel, move, the session note.

Each says what to fix in her words, read alone in the error summary and beside its field;
none does anything itself: the views hand what they clean to a service.
"""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from booking.forms import AwareDateTimeField
from booking.payments.hardship import MAX_REPLY_LINE
from booking.payments.practitioner_cancel import MAX_LINE, RefundChoice, RefundPlan
from intake.session_notes import MAX_NOTE_LENGTH

REASON_NEEDED = "Please say why this cancellation does not refund in full (only you see it)."
PART_NEEDED = "Please give the part to refund as an amount or a percentage."
PART_TWICE = "Please give either an amount or a percentage, not both."
TIME_NEEDED = "Please give the new date and time."
TIME_NOT_A_TIME = "Please give the date and time like 2026-12-03 14:30."
TIME_DOES_NOT_EXIST = (
    "That time does not exist on that day: the clocks go forward then. Please choose another."
)
LINE_HELP = "Optional. It goes into the client's email as your words."

REFUND_CHOICES = [
    (RefundChoice.FULL, "Full refund"),
    (RefundChoice.PART, "Refund part of it"),
    (RefundChoice.NONE, "No refund"),
]


class CancelForm(forms.Form):
    """Her cancellation: the refund (for a paid booking), her reason, her line."""

    refund = forms.ChoiceField(
        choices=REFUND_CHOICES, widget=forms.RadioSelect, initial=RefundChoice.FULL
    )
    amount = forms.DecimalField(
        required=False,
        min_value=Decimal("0.01"),
        decimal_places=2,
        max_digits=10,
        label="Amount",
    )
    percent = forms.IntegerField(
        required=False, min_value=1, max_value=99, label="Or a percentage"
    )
    reason = forms.CharField(
        required=False,
        max_length=200,
        label="Why not in full",
        help_text="Kept in the booking's history for you; the client does not see it.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    personal_line = forms.CharField(
        required=False,
        max_length=MAX_LINE,
        label="A line to the client",
        help_text=LINE_HELP,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, paid: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.paid = paid
        if not paid:
            for name in ("refund", "amount", "percent", "reason"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if not self.paid or "refund" not in data:
            return data
        choice = RefundChoice(data["refund"])
        if choice == RefundChoice.PART:
            amount, percent = data.get("amount"), data.get("percent")
            if amount is None and percent is None and not self.has_error("amount"):
                self.add_error("amount", PART_NEEDED)
            elif amount is not None and percent is not None:
                self.add_error("amount", PART_TWICE)
        if choice != RefundChoice.FULL and not data.get("reason", "").strip():
            self.add_error("reason", REASON_NEEDED)
        return data

    def plan(self) -> RefundPlan:
        if not self.paid:
            return RefundPlan()
        data = self.cleaned_data
        choice = RefundChoice(data["refund"])
        part = choice == RefundChoice.PART
        return RefundPlan(
            choice=choice,
            amount=data.get("amount") if part else None,
            percent=data.get("percent") if part else None,
            reason=data.get("reason", ""),
        )


class LocalDateTimeField(forms.Field):
    """A date and time on her wall clock (one ``datetime-local`` input, never two fields),
    made an instant in her zone; a time the clocks skip is refused, a repeated one is the
    first (summer time) of the two."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, *args, zone: ZoneInfo, **kwargs):
        self.zone = zone
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(" ", "T")
        try:
            naive = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(TIME_NOT_A_TIME, code="invalid") from None
        if naive.tzinfo is not None or not 2 <= naive.year <= 9998:
            raise ValidationError(TIME_NOT_A_TIME, code="invalid")
        local = naive.replace(tzinfo=self.zone, second=0, microsecond=0)
        moment = local.astimezone(UTC)
        if moment.astimezone(self.zone).replace(tzinfo=None) != local.replace(tzinfo=None):
            raise ValidationError(TIME_DOES_NOT_EXIST, code="nonexistent")
        return moment


class TypedTimeForm(forms.Form):
    """A time she types, outside the open times if she wants (GET: the confirmation next)."""

    at = LocalDateTimeField(zone=UTC, label="Another date and time", required=True)

    def __init__(self, *args, zone: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at"].zone = zone
        self.fields["at"].error_messages["required"] = TIME_NEEDED


class MoveForm(forms.Form):
    """The confirmed move: the new start (an instant with its offset), whether she agreed
    to a time outside her open times, and her line to the client."""

    start = AwareDateTimeField(widget=forms.HiddenInput)
    outside = forms.BooleanField(required=False, widget=forms.HiddenInput)
    personal_line = forms.CharField(
        required=False,
        max_length=MAX_LINE,
        label="A line to the client",
        help_text=LINE_HELP,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        required=False,
        max_length=MAX_NOTE_LENGTH,
        label="Your note",
        help_text="Only you can read it. It is kept encrypted, and each time it is opened "
        "is written to the access log. It never goes into an email or a calendar.",
        widget=forms.Textarea(attrs={"rows": 12}),
    )


class HardshipAnswerForm(forms.Form):
    """Her answer to a hardship request: approve or decline (the button), and a line."""

    answer = forms.ChoiceField(
        choices=[("approve", "Approve"), ("decline", "Decline")],
        error_messages={
            "required": "Please choose Approve or Decline.",
            "invalid_choice": "Please choose Approve or Decline.",
        },
    )
    reply_line = forms.CharField(
        required=False,
        max_length=MAX_REPLY_LINE,
        label="A line to them",
        help_text="It goes into their email with your answer, as your words.",
        error_messages={"max_length": "Please keep your line to 500 characters or fewer."},
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["answer"] == "approve"
