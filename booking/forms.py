"""Forms for the public booking pages, and the fields the JSON API shares with them."""

from datetime import UTC, datetime
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from practice.timezones import (
    canonical_timezone,
    country_names,
    country_of_zone,
    other_cities,
    validate_timezone,
    zone_choices,
)
from practice.validators import EMAIL_MAX_LENGTH, EMAIL_TOO_LONG

NOTE_MAX_LENGTH = 1000
TIMEZONE_MAX_LENGTH = 64  # Booking.client_timezone
NAME_MAX_LENGTH = 120  # Booking.client_name
TOO_LONG = "Please keep this to {limit:,} characters or fewer: it has {length:,} now."
BAD_TIME = "Enter a time in ISO 8601 format with its offset, like 2026-12-03T10:00:00+01:00."
NAIVE_TIME = "Give the time with its UTC offset, like 2026-12-03T10:00:00+01:00."
TIME_OUT_OF_RANGE = "This time is out of range."
# Each read alone, at the top of the page and beside its field (templates/booking/
# _error_summary.html): what to do, in the practice's voice, never the label and a colon.
NAME_REQUIRED = "Please tell us your name."
EMAIL_REQUIRED = "Please give an email address we can write to."
EMAIL_INVALID = "Please give an email address we can write to, like name@example.org."
CONSENT_REQUIRED = "Please agree to the privacy notice so we can book the call."
PARTNER_NAME_REQUIRED = "Please tell us your partner's name."
PARTNER_EMAIL_REQUIRED = "Please give your partner's email address, so they get their own link."
PARTNER_EMAIL_INVALID = (
    "Please give your partner's email address as it is written, like name@example.org."
)
PARTNER_EMAIL_IS_YOURS = (
    "Please give your partner's own email address: they get their own private link."
)
PARTNER_ZONE_UNKNOWN = "Please choose your partner's time zone from the list."

# One step inside what ``datetime`` can hold, so that moving to another zone, adding a day
# or a meeting's length and buffers can never overflow into a 500.
_FIRST_YEAR, _LAST_YEAR = 2, 9998


class AwareDateTimeField(forms.Field):
    """An ISO 8601 moment that carries its UTC offset, returned in UTC.

    A time without an offset is refused rather than guessed: the same wall time is a
    different moment in every zone, and guessing is how people arrive an hour late.
    """

    default_error_messages = {"invalid": BAD_TIME}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValidationError(NAIVE_TIME, code="naive")
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError(TIME_OUT_OF_RANGE, code="out_of_range") from None
        if not _FIRST_YEAR <= moment.year <= _LAST_YEAR:
            raise ValidationError(TIME_OUT_OF_RANGE, code="out_of_range")
        return moment


def parse_instant(value: str) -> datetime | None:
    """An instant from a query string (ISO 8601 with its offset), or None."""
    try:
        return AwareDateTimeField().clean(value)
    except ValidationError:
        return None


class LimitedTextField(forms.CharField):
    """Text with a length limit that the server checks and the page counts, but that the
    browser is not told to enforce: a ``maxlength`` attribute silently drops whatever is
    pasted past it, so the client would send less than they wrote without knowing.
    Over the limit, the form comes back with everything typed and says by how much."""

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length  # after the widget's attributes: no ``maxlength``

    def validate(self, value):
        super().validate(value)
        # Browsers send a line break as CR LF but count it as one character, like people.
        length = len(value.replace("\r\n", "\n"))
        if length > self.max_length:
            message = TOO_LONG.format(limit=self.max_length, length=length)
            raise ValidationError(message, code="max_length")

    @property
    def limit_text(self) -> str:
        """What the page says before its script counts: ``Up to 1,000 characters.``"""
        return f"Up to {self.max_length:,} characters."


class TimezoneField(forms.CharField):
    """An IANA zone, returned under the name the zone list uses (Asia/Calcutta → Kolkata)."""

    default_validators = [validate_timezone]

    def __init__(self, **kwargs):
        super().__init__(max_length=TIMEZONE_MAX_LENGTH, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return canonical_timezone(value) if value else value


class ZoneSelect(forms.Select):
    """The zone list; each option also names its country and the well-known cities on its
    clock for the page's search box, so that "Brazil" and "Rio" find São Paulo as well as
    "Sao" does."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"].update(_search_attrs(value))
        return option


@cache
def _search_attrs(zone: str) -> dict[str, str]:
    """What the search box matches a zone by besides its name; the same for every page."""
    attrs = {}
    if country := country_names().get(country_of_zone(zone) or ""):
        attrs["data-country"] = country
    if cities := other_cities(zone):
        attrs["data-cities"] = ", ".join(cities)
    return attrs


class TimezoneForm(forms.Form):
    """The visitor's choice of zone (query string); an unknown zone falls back politely.
    The choices are drawn at ``now`` (each shows its offset and time), the device's zone
    and ``first`` on top."""

    tz = forms.ChoiceField(label="Times are shown in", widget=ZoneSelect)

    def __init__(self, *args, now: datetime, device_zone: str = "", first=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tz"].choices = zone_choices(now=now, device_zone=device_zone, first=first)


class BookingDetailsForm(forms.Form):
    """Who is booking: the few details the practitioner needs, nothing more."""

    start = AwareDateTimeField(widget=forms.HiddenInput)
    timezone = TimezoneField(widget=forms.HiddenInput)
    name = LimitedTextField(
        label="Your name",
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": NAME_REQUIRED},
        help_text="The name you'd like to be called.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Email",
        max_length=EMAIL_MAX_LENGTH,
        error_messages={
            "required": EMAIL_REQUIRED,
            "invalid": EMAIL_INVALID,
            "max_length": EMAIL_TOO_LONG,
        },
        help_text="Your confirmation and calendar invite go here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    note = LimitedTextField(
        label="What brings you? (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text="A line is plenty, and you can leave it empty. Only the practitioner sees it.",
        # The count below the box (templates/booking/details.html) describes it too.
        widget=forms.Textarea(
            attrs={"rows": 3, "aria-describedby": "id_note_helptext id_note_count"}
        ),
    )
    consent = forms.BooleanField(
        label="I agree that my details are used to arrange this booking, as the privacy notice "
        "describes.",
        error_messages={"required": CONSENT_REQUIRED},
    )


class PaidDetailsForm(BookingDetailsForm):
    """A signed-in client paying for a session: the account gives the email."""

    email = None
    note = None


def partner_email_error(partner_email: str, *client_emails: str) -> str | None:
    """Why this cannot be the partner's address, or None: it must not be the client's own,
    or one private link would reach both people."""
    own = {email.strip().lower() for email in client_emails if email}
    return PARTNER_EMAIL_IS_YOURS if partner_email.strip().lower() in own else None


def partner_zone_field(*, label: str, help_text: str, unknown: str) -> TimezoneField:
    """The partner's own zone, optional (the booker's stands in): one field for both of the
    forms that ask, the client's and hers, each in its own words."""
    return TimezoneField(
        label=label,
        required=False,
        error_messages={"invalid_timezone": unknown},
        help_text=help_text,
        widget=ZoneSelect,
    )


class CouplesDetailsForm(PaidDetailsForm):
    """A couples session: the client's details, and who their partner is (each gets their
    own invitation). Use ``for_client`` so the partner's address can be checked."""

    client_email = ""

    partner_name = LimitedTextField(
        label="Your partner's name",
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": PARTNER_NAME_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    partner_email = forms.EmailField(
        label="Your partner's email",
        max_length=EMAIL_MAX_LENGTH,
        error_messages={
            "required": PARTNER_EMAIL_REQUIRED,
            "invalid": PARTNER_EMAIL_INVALID,
            "max_length": EMAIL_TOO_LONG,
        },
        help_text="They get their own private link to a few questions before the session. "
        "Neither of you sees the other's answers.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    partner_timezone = partner_zone_field(
        label="Your partner's time zone",
        help_text="Their emails and reminders show the time on their own clock. If you live in "
        "the same place, leave it as yours.",
        unknown=PARTNER_ZONE_UNKNOWN,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The client's zone (picked on the week's page) is the partner's until changed.
        own = canonical_timezone(str(self["timezone"].value() or "")) or "UTC"
        self.fields["partner_timezone"].widget.choices = zone_choices(
            now=timezone.now(), first=(own,)
        )
        self.initial.setdefault("partner_timezone", own)

    @classmethod
    def for_client(cls, email: str) -> type["CouplesDetailsForm"]:
        return type(cls.__name__, (cls,), {"client_email": email})

    def clean_partner_email(self):
        partner_email = self.cleaned_data["partner_email"].strip().lower()
        if error := partner_email_error(partner_email, self.client_email):
            raise ValidationError(error, code="partner_is_client")
        return partner_email
