"""Forms for the public booking pages."""

from datetime import datetime

from django import forms

from practice.timezones import canonical_timezone, common_timezones, validate_timezone

NOTE_MAX_LENGTH = 1000


def parse_instant(value: str) -> datetime | None:
    """An ISO 8601 instant with an offset (``Z`` allowed); None for anything else."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


class TimezoneForm(forms.Form):
    """The visitor's choice of zone (query string); an unknown zone falls back politely."""

    tz = forms.ChoiceField(
        label="Show times in",
        choices=[(z, z.replace("_", " ")) for z in common_timezones()],
    )


class InstantField(forms.CharField):
    default_error_messages = {
        "invalid": "Give a date and time with its UTC offset, like 2026-12-03T10:00:00+01:00."
    }

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        moment = parse_instant(value)
        if moment is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return moment


class BookingDetailsForm(forms.Form):
    """Who is booking: the few details the practitioner needs, nothing more."""

    start = InstantField(widget=forms.HiddenInput)
    timezone = forms.CharField(widget=forms.HiddenInput, validators=[validate_timezone])
    name = forms.CharField(
        label="Your name",
        max_length=120,
        help_text="The name you'd like to be called.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Email",
        help_text="Your confirmation and calendar invite go here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    note = forms.CharField(
        label="What brings you? (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text="A line is plenty, and you can leave it empty. Only the practitioner sees it.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent = forms.BooleanField(
        label="I agree that my details are used to arrange this call, as the privacy notice "
        "describes.",
        error_messages={"required": "Please agree to the privacy notice so we can book the call."},
    )

    def clean_timezone(self) -> str:
        return canonical_timezone(self.cleaned_data["timezone"])
