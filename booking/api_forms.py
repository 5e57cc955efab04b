"""Forms that parse the JSON API's input: a query string for slots, a JSON body for bookings.

The JSON body is handed to the form as a dict, so a field sees the decoded JSON value
itself: the fields here refuse what a query string could never carry (a number where text
belongs, ``"true"`` where only JSON ``true`` means consent).
"""

import re
from collections.abc import Mapping
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

from booking.forms import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    AwareDateTimeField,
    TimezoneField,
)
from practice.timezones import canonical_timezone

MAX_SLOT_DAYS = 62
SLUG_MAX_LENGTH = 50  # Offering.slug

END_BEFORE_START = "The end date must not be before the start date."
RANGE_TOO_LONG = f"Ask for at most {MAX_SLOT_DAYS} days at a time."
DATE_OUT_OF_RANGE = "This date is out of range."
NOT_TEXT = "This must be a string (JSON text in quotes)."
CONSENT_REQUIRED = "Please agree to the privacy notice (consent: true) to book."

# Dates and moments one step inside what ``datetime`` can hold, so that moving to another
# zone, adding a day or a meeting's length and buffers can never overflow into a 500.
_FIRST_DATE = date.min + timedelta(days=1)
_LAST_DATE = date.max - timedelta(days=1)


class _TextOnly:
    """Refuse JSON numbers, booleans, lists and objects where text is expected. Only
    ``null`` and ``""`` are empty: Django counts ``{}`` and ``[]`` as empty too, which would
    answer "This field is required." to a field that was sent, with the wrong type."""

    def to_python(self, value):
        if value is not None and not isinstance(value, str):
            raise ValidationError(NOT_TEXT, code="not_text")
        return super().to_python(value)


class TextField(_TextOnly, forms.CharField):
    pass


class EmailField(_TextOnly, forms.EmailField):
    pass


class MomentField(_TextOnly, AwareDateTimeField):
    pass


class ZoneField(_TextOnly, TimezoneField):
    pass


class ConsentField(forms.Field):
    """Consent is given only by JSON ``true``: not ``"true"``, not ``1``, not ``"on"``."""

    def validate(self, value):
        if value is not True:
            raise ValidationError(CONSENT_REQUIRED, code="consent_required")


def _date_field() -> forms.DateField:
    return forms.DateField(
        input_formats=["%Y-%m-%d"],
        validators=[
            MinValueValidator(_FIRST_DATE, message=DATE_OUT_OF_RANGE),
            MaxValueValidator(_LAST_DATE, message=DATE_OUT_OF_RANGE),
        ],
    )


class SlotsQuery(forms.Form):
    """``?offering=…&start=YYYY-MM-DD&end=YYYY-MM-DD&timezone=Area/City``.

    ``start`` and ``end`` are dates in ``timezone`` (the practitioner's when omitted), the
    end included.
    """

    offering = forms.CharField(max_length=SLUG_MAX_LENGTH)
    start = _date_field()
    end = _date_field()
    timezone = TimezoneField(required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None and end is not None:
            if end < start:
                self.add_error("end", END_BEFORE_START)
            elif (end - start).days + 1 > MAX_SLOT_DAYS:
                self.add_error("end", RANGE_TOO_LONG)
        return cleaned


_PLAIN_SLUG = re.compile(rf"[-a-zA-Z0-9_]{{1,{SLUG_MAX_LENGTH}}}")
_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def plain_slots_query(query: Mapping[str, str]) -> dict | None:
    """What ``SlotsQuery`` would clean ``query`` to, when the query has the one plain shape
    a widget sends (a slug, two ISO dates in order and within range, a zone by its own
    name or none); otherwise None, and the form decides and words what is wrong. Building
    and running the form (deep copies of its fields, ``strptime``) was half of what a read
    of kept slots spent in its view; this accepts nothing the form would not, and cleans
    it the same (tests/booking/test_api_forms_plain.py)."""
    offering, start, end = query.get("offering"), query.get("start"), query.get("end")
    zone = query.get("timezone", "")
    if not (offering and start and end and _PLAIN_SLUG.fullmatch(offering)):
        return None
    if not (_PLAIN_DATE.fullmatch(start) and _PLAIN_DATE.fullmatch(end)):
        return None
    if zone and canonical_timezone(zone) != zone:
        return None
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return None
    if not _FIRST_DATE <= first <= last <= _LAST_DATE or (last - first).days >= MAX_SLOT_DAYS:
        return None
    return {"offering": offering, "start": first, "end": last, "timezone": zone}


class BookingRequest(forms.Form):
    """The JSON body of ``POST /bookings``."""

    offering = TextField(max_length=SLUG_MAX_LENGTH)
    start = MomentField()
    name = TextField(max_length=NAME_MAX_LENGTH)
    email = EmailField(max_length=EMAIL_MAX_LENGTH)
    timezone = ZoneField()
    note = TextField(max_length=NOTE_MAX_LENGTH, required=False)
    consent = ConsentField()
    # A couples session's partner (required there: see booking.api.partner_errors).
    partner_name = TextField(max_length=NAME_MAX_LENGTH, required=False)
    partner_email = EmailField(max_length=EMAIL_MAX_LENGTH, required=False)
