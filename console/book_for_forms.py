"""The steps of "Book for a client", one form each: who, what, when, how it is paid.

Every step's answers travel on with the next steps as hidden fields, and every step is
checked again when she presses Book, so going back, reloading or a stale page can never
book what she did not see on the review. The words are written to be read alone, in the
error summary and beside the field.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from booking import selectors
from booking.forms import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    AwareDateTimeField,
    LimitedTextField,
    TimezoneField,
    ZoneSelect,
    partner_email_error,
    partner_zone_field,
)
from booking.services import SlotUnavailable
from console import book_for
from practice.models import Offering, Practitioner
from practice.timezones import zone_choices

NAME_NEEDED = "Please give the client's name."
EMAIL_NEEDED = "Please give the client's email address: their confirmation goes there."
EMAIL_BAD = "Please give the client's email address as it is written, like name@example.org."
ZONE_NEEDED = "Please choose the client's time zone, so their emails show their own time."
OFFERING_NEEDED = "Please choose what to book."
TIME_NEEDED = "Please choose one of the open times, or type a date and time."
TIME_BAD = "Please type the date and time like 2026-12-03 10:00."
TIME_MISSING = "{at} does not exist in {zone}: the clocks change then. Please choose another."
OUTSIDE_NEEDS_CONFIRMING = (
    "This time is outside your open times. Tick the box below to book it anyway."
)
PARTNER_NAME_NEEDED = "Please give the partner's name."
PARTNER_EMAIL_NEEDED = "Please give the partner's email address: they get their own link."
PARTNER_ZONE_UNKNOWN = book_for.PARTNER_ZONE_UNKNOWN
PAY_NEEDED = "Please choose how this session is paid."
SAME_ADDRESS = "The partner needs their own email address, not the client's."


class WhoForm(forms.Form):
    """Step 1: the client, known or new."""

    name = LimitedTextField(
        label="Name",
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": NAME_NEEDED},
        help_text="As the client likes to be called: their emails greet them by it.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="Email",
        max_length=EMAIL_MAX_LENGTH,
        error_messages={"required": EMAIL_NEEDED, "invalid": EMAIL_BAD},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    tz = TimezoneField(
        label="Their time zone",
        error_messages={"required": ZONE_NEEDED},
        widget=ZoneSelect,
    )

    def __init__(self, *args, practitioner: Practitioner, now: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tz"].widget.choices = zone_choices(now=now, first=(practitioner.timezone,))
        self.fields["tz"].initial = practitioner.timezone

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class OfferingChoice(forms.ModelChoiceField):
    """Each offering with what she needs to tell them apart: length, price, who books it."""

    def label_from_instance(self, obj: Offering) -> str:
        price = "free" if obj.is_free else f"{obj.price} {obj.currency.upper()}"
        who = ", usually for returning clients" if obj.returning_clients_only else ""
        return f"{obj.name}: {obj.duration_minutes} minutes, {price}{who}"


class WhatForm(forms.Form):
    """Step 2: the offering, any of hers that is open, returning-clients-only ones too."""

    offering = OfferingChoice(
        label="What would you like to book?",
        queryset=Offering.objects.none(),
        to_field_name="slug",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": OFFERING_NEEDED, "invalid_choice": OFFERING_NEEDED},
    )

    def __init__(self, *args, practitioner: Practitioner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = Offering.objects.filter(
            practitioner=practitioner, is_active=True
        ).order_by("position", "name")


class WhenForm(forms.Form):
    """Step 3: an open time (``slot``), or one she types (``at``, her wall clock), which
    outside her open times needs ``outside_ok``; a couples session's partner."""

    slot = AwareDateTimeField(required=False, widget=forms.RadioSelect)
    at = forms.CharField(
        label="Date and time",
        required=False,
        help_text="In your time zone, for example 2026-12-03 10:00.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 300}),
    )
    outside_ok = forms.BooleanField(label="Yes, book it outside my open times", required=False)
    partner_name = LimitedTextField(
        label="Partner's name",
        max_length=NAME_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    partner_email = forms.EmailField(
        label="Partner's email",
        max_length=EMAIL_MAX_LENGTH,
        required=False,
        error_messages={"invalid": EMAIL_BAD},
        help_text="They get their own invitation and their own private questions. Neither "
        "sees the other's answers.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    partner_timezone = partner_zone_field(
        label="Partner's time zone",
        help_text="Their emails and reminders show their own time: the client's, unless you "
        "change it.",
        unknown=PARTNER_ZONE_UNKNOWN,
    )

    def __init__(
        self,
        *args,
        offering: Offering,
        client_email: str,
        client_zone: str,
        now: datetime | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.offering, self.client_email, self.client_zone = offering, client_email, client_zone
        self.zone = offering.practitioner.zone
        self.now = now or timezone.now()
        if offering.kind != Offering.Kind.COUPLES_SESSION:
            del self.fields["partner_name"], self.fields["partner_email"]
            del self.fields["partner_timezone"]
        else:
            # The client's zone is the partner's until she picks another.
            zone = self.fields["partner_timezone"]
            zone.widget.choices = zone_choices(
                now=self.now, first=(client_zone, offering.practitioner.timezone)
            )
            self.initial.setdefault("partner_timezone", client_zone)

    @property
    def for_couples(self) -> bool:
        return "partner_name" in self.fields

    def clean_at(self):
        text = self.cleaned_data["at"].strip()
        if not text:
            return None
        try:
            wall = datetime.fromisoformat(text.replace(" ", "T"))
        except ValueError:
            raise ValidationError(TIME_BAD, code="invalid") from None
        if wall.tzinfo is not None:
            raise ValidationError(TIME_BAD, code="invalid")
        return _in_zone(wall, self.zone)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        start = cleaned.get("at") or cleaned.get("slot")
        if start is None:
            raise ValidationError(TIME_NEEDED, code="required")
        open_slot = selectors.is_bookable(offering=self.offering, start=start, now=self.now)
        if not open_slot and not cleaned.get("outside_ok"):
            self.add_error("outside_ok", OUTSIDE_NEEDS_CONFIRMING)
            return cleaned
        try:
            book_for.check_time(
                offering=self.offering,
                start=start,
                zone_name=self.client_zone,
                outside_open_times=not open_slot,
                now=self.now,
            )
        except SlotUnavailable as refusal:
            raise ValidationError(refusal.message, code=str(refusal.reason)) from None
        cleaned["start"], cleaned["outside_open_times"] = start, not open_slot
        if self.for_couples:
            self._check_partner(cleaned)
        return cleaned

    def _check_partner(self, cleaned) -> None:
        if not cleaned.get("partner_name", "").strip():
            self.add_error("partner_name", PARTNER_NAME_NEEDED)
        email = cleaned.get("partner_email", "").strip().lower()
        if not email:
            self.add_error("partner_email", PARTNER_EMAIL_NEEDED)
        elif partner_email_error(email, self.client_email):
            self.add_error("partner_email", SAME_ADDRESS)


def _in_zone(wall: datetime, zone: ZoneInfo) -> datetime:
    """Her wall-clock time as an instant; a time the clocks skip is refused, a repeated
    one is its first occurrence (fold 0), as her calendar would take it."""
    moment = wall.replace(tzinfo=zone)
    if moment.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None) != wall:
        label = f"{wall:%Y-%m-%d %H:%M}"
        raise ValidationError(TIME_MISSING.format(at=label, zone=zone.key), code="nonexistent")
    return moment.astimezone(ZoneInfo("UTC"))


class PayForm(forms.Form):
    """Step 4, for a paid offering: how the client pays."""

    paid_by = forms.ChoiceField(
        label="How is it paid?",
        choices=[
            (book_for.HowPaid.LINK, "Send a payment link"),
            (book_for.HowPaid.OUTSIDE, "Paid outside (bank transfer, cash)"),
            (book_for.HowPaid.NO_CHARGE, "No charge"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": PAY_NEEDED, "invalid_choice": PAY_NEEDED},
    )


def week_start(value: str, *, zone: ZoneInfo, now: datetime, around: datetime | None):
    """The first day of the week of times shown: asked for, or the chosen time's, or
    today; never before today."""
    today = now.astimezone(zone).date()
    try:
        asked = datetime.fromisoformat(value).date() if value else None
    except ValueError:
        asked = None
    if asked is None and around is not None:
        asked = around.astimezone(zone).date()
    return max(asked or today, today)


WEEK = timedelta(days=7)
