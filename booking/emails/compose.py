"""Every email's shape and the words for times in it: plain text and HTML from one
template pair, from the practice's name, each time in its reader's zone first.

The templates receive plain strings picked by each sender, never a booking itself, so that
nothing private (the client's note, intake answers) can reach an email by a template edit.
"""

import logging
import re
from datetime import datetime
from email.utils import formataddr, parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from booking.models import Booking
from practice.timezones import clock, clock_span, day, zone_label

logger = logging.getLogger(__name__)


class NotificationError(Exception):
    """An email could not be sent; the message names the booking, never an address."""


def _local(moment: datetime, zone_name: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("Only aware datetimes can be shown in a time zone.")
    return moment.astimezone(ZoneInfo(zone_name))


def format_span(start: datetime, end: datetime, zone_name: str) -> str:
    """A meeting in one zone: ``Thursday 3 December, 4:00–4:30 AM (New York time)``, the
    year named only when it is not this year for the reader (``practice.timezones.day``)."""
    start, end = _local(start, zone_name), _local(end, zone_name)
    return (
        f"{day(start, zone_name)}, {clock_span(start, end, zone_name)} "
        f"({zone_label(zone_name)} time)"
    )


def format_span_in_two_zones(
    start: datetime, end: datetime, zone_name: str, other_zone_name: str
) -> str:
    """The reader's zone first, the other party's beside it:
    ``Thursday 3 December, 4:00–4:30 AM (New York time) · 10:00–10:30 in Berlin``.
    The other side's date is named when it differs."""
    text = format_span(start, end, zone_name)
    other = in_other_zone(start, end, zone_name, other_zone_name)
    return f"{text} · {other}" if other else text


def in_other_zone(start: datetime, end: datetime, zone_name: str, other_zone_name: str) -> str:
    """``10:00–10:30 in Berlin``, or nothing when both sides share the zone."""
    if other_zone_name == zone_name:
        return ""
    own, other = _local(start, zone_name), _local(start, other_zone_name)
    other_end = _local(end, other_zone_name)
    on = "" if other.date() == own.date() else f"{day(other, other_zone_name)}, "
    return f"{on}{clock_span(other, other_end, other_zone_name)} in {zone_label(other_zone_name)}"


def format_moment(moment: datetime, zone_name: str) -> str:
    """One instant: ``Wednesday 2 December, 4:00 AM (New York time)``."""
    local = _local(moment, zone_name)
    when = f"{day(local, zone_name)}, {clock(local, zone_name)}"
    return f"{when} ({zone_label(zone_name)} time)"


def format_short(moment: datetime, zone_name: str) -> str:
    """For subjects: ``Thu 3 Dec, 4:00 AM (New York time)`` (``Fri 8 Jan 2027`` next year)."""
    local = _local(moment, zone_name)
    when = f"{day(local, zone_name, short=True)}, {clock(local, zone_name)}"
    return f"{when} ({zone_label(zone_name)} time)"


def from_address(practice_name: str) -> str:
    """DEFAULT_FROM_EMAIL's address under the practice's name, so that every inbox shows
    who wrote ("Lindqvist Coaching <bookings@…>"), whatever name the setting carries."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((practice_name or name, address))


def contact_line(practitioner) -> str:
    """How a client reaches her: her own words if she wrote them, else "reply to this email"."""
    return (
        practitioner.contact_note or f"Reply to this email to reach {practitioner.practice_name}."
    )


def console_booking_url(booking: Booking) -> str:
    """Her console's page of the booking (never the admin, which is the operator's)."""
    try:
        return settings.SITE_URL + reverse(
            "console:booking", kwargs={"public_id": booking.public_id}
        )
    except NoReverseMatch:
        # Without the console mounted the email is still worth sending.
        logger.warning("No console page for bookings; booking %s emailed without it.", booking.pk)
        return ""


def book_again_url(booking: Booking) -> str:
    if not booking.offering.is_active:
        return ""
    return settings.SITE_URL + reverse("booking:slots", kwargs={"slug": booking.offering.slug})


def tidy_text(text: str) -> str:
    """Template tags leave blank lines behind; keep at most one between paragraphs."""
    return re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text).strip() + "\n"


def simple_message(
    *, template: str, context: dict, subject: str, to: str, practitioner, reply_to: str = ""
) -> EmailMultiAlternatives:
    """Every email's shape: ``template``.txt as the body, ``template``.html beside it, from
    ``practitioner``'s practice, marked as sent automatically. A reply reaches her unless
    ``reply_to`` names someone else (her own emails: the client)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=tidy_text(render_to_string(f"{template}.txt", context)),
        from_email=from_address(practitioner.practice_name),
        to=[to],
        reply_to=[reply_to or practitioner.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
