"""Booking emails: one to the client, one to the practitioner, each with a calendar invite.

Each email shows the meeting in its reader's zone first and in the other party's zone
beside it, so that neither arrives an hour early after a clock change on one side only.
The templates receive plain strings picked here, never the booking itself, so that nothing
private (the client's note, intake answers) can reach an email by a template edit. What a
paid booking's emails say of money comes from booking.payments (booking.payment_hooks).
Log lines carry the booking's id only.
"""

from datetime import datetime
from email import encoders
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from booking import booking_changes, effects, links, payment_hooks
from booking.calendars import add_links, ics
from booking.emails.compose import (
    book_again_url,
    console_booking_url,
    contact_line,
    format_moment,
    format_short,
    format_span,
    format_span_in_two_zones,
    in_other_zone,
    simple_message,
)
from booking.models import Booking, BookingEvent
from booking.video_rooms import video_link_for
from practice.models import is_erased_address

CONFIRMED = "confirmed"
RESCHEDULED = "rescheduled"
CANCELLED = "cancelled"
CHANGES = (CONFIRMED, RESCHEDULED, CANCELLED)
EMAIL_EVENTS = (
    BookingEvent.Kind.CREATED,
    BookingEvent.Kind.CONFIRMED,
    BookingEvent.Kind.RESCHEDULED,
    BookingEvent.Kind.CANCELLED,
)

# Who is emailed about a change, each by their own effect (console.not_sent names them).
CLIENT = "client"
PRACTITIONER = "practitioner"
PARTNER = "partner"
RECIPIENTS = (CLIENT, PRACTITIONER, PARTNER)
EMAIL_EFFECT = "booking.{recipient}_email"

INVITE_FILENAME = "invite.ics"

CLIENT_SUBJECTS = {
    CONFIRMED: "Confirmed: your {meeting} with {practice} on {when}",
    RESCHEDULED: "Updated: your {meeting} with {practice} is now on {when}",
    CANCELLED: "Cancelled: your {meeting} with {practice} on {when}",
}
PRACTITIONER_SUBJECTS = {
    CONFIRMED: "Confirmed: new booking on {when}",
    RESCHEDULED: "Updated: booking moved to {when}",
    CANCELLED: "Cancelled: booking on {when}",
}
ACTORS = {
    "client": "by the client",
    "practitioner": "by you",
    "staff": "by staff",
    "system": "automatically",
}


def change_of(event: BookingEvent) -> str | None:
    """The change an event tells its readers of: a booking confirmed (created confirmed, or
    confirmed later), moved or cancelled. None for the rest (a hold, its end, attendance)."""
    if event.kind == BookingEvent.Kind.CREATED:
        return CONFIRMED if event.booking.status == Booking.Status.CONFIRMED else None
    return {
        BookingEvent.Kind.CONFIRMED: CONFIRMED,
        BookingEvent.Kind.RESCHEDULED: RESCHEDULED,
        BookingEvent.Kind.CANCELLED: CANCELLED,
    }.get(event.kind)


def change_message(
    booking: Booking, *, change: str, recipient: str, now: datetime
) -> EmailMultiAlternatives | None:
    """``recipient``'s email (CLIENT, PRACTITIONER or PARTNER) about ``change``, with its
    ``.ics`` invite; None when there is nothing true to say any more.

    It may run much later than the change (a queue, a mail server down): it describes the
    booking as it is now, and says nothing of a change a later one has overtaken (a
    confirmation of a booking cancelled since), which sends its own emails.
    """
    if change not in CHANGES:
        raise ValueError(f"Unknown booking change {change!r}; expected one of {CHANGES}.")
    if is_erased_address(booking.client_email):
        # Its client was erased (practice.erasure): nothing is ever sent from what is left.
        return None
    expected = Booking.Status.CANCELLED if change == CANCELLED else Booking.Status.CONFIRMED
    if booking.status != expected:
        return None
    if recipient == CLIENT:
        return client_message(booking, change=change, now=now)
    if recipient == PRACTITIONER:
        return practitioner_message(booking, change=change)
    return partner_message(booking, change=change) if booking.partner_email else None


def _effect_message(effect, recipient: str) -> EmailMultiAlternatives | None:
    change = change_of(effect.event) if effect.event_id else None
    if change is None:
        return None
    return change_message(effect.booking, change=change, recipient=recipient, now=timezone.now())


def register() -> None:
    """One effect per reader, so that a refused address never holds back the others' email
    and a retry never sends anyone theirs twice. Called from BookingConfig.ready()."""
    for recipient in RECIPIENTS:

        def applies(event, recipient=recipient) -> bool:
            return change_of(event) is not None and (
                recipient != PARTNER or bool(event.booking.partner_email)
            )

        effects.register_email(
            EMAIL_EFFECT.format(recipient=recipient),
            lambda effect, recipient=recipient: _effect_message(effect, recipient),
            on=EMAIL_EVENTS,
            applies=applies,
        )


def _meeting_context(booking: Booking, change: str, zone: str, other_zone: str) -> dict:
    """What every email about a change says of the meeting, the reader's ``zone`` first."""
    practitioner = booking.practitioner
    return {
        "change": change,
        "meeting": booking.offering.meeting_word,
        "practice_name": practitioner.practice_name,
        "practitioner_name": practitioner.name,
        "client_name": booking.client_name,
        "when": format_span_in_two_zones(booking.start, booking.end, zone, other_zone),
        "when_own": format_span(booking.start, booking.end, zone),
        "when_other": in_other_zone(booking.start, booking.end, zone, other_zone),
        "previous_when": _previous_when(booking, change, zone, other_zone),
        "video_link": video_link_for(booking) if change != CANCELLED else "",
    }


def _attendee_subject(booking: Booking, change: str, zone: str) -> str:
    """``Confirmed: your session with … on Thu 3 Dec, 04:00 (New York time)``."""
    return CLIENT_SUBJECTS[change].format(
        meeting=booking.offering.meeting_word,
        practice=booking.practitioner.practice_name,
        when=format_short(booking.start, zone),
    )


def client_message(booking: Booking, *, change: str, now: datetime) -> EmailMultiAlternatives:
    """The client's email: warm and short, their time first, the links they need."""
    practitioner = booking.practitioner
    zone = booking.client_timezone
    can_change = change != CANCELLED and booking_changes.client_can_change(booking, now)
    context = (
        _meeting_context(booking, change, zone, practitioner.timezone)
        | {
            "manage_url": links.manage_url(booking) if can_change else "",
            # The practice moved or cancelled it, not the client: say so, and be sorry.
            "by_practice": _change_actor(booking, change) in ("practitioner", "staff"),
            "change_until": format_moment(booking.start - practitioner.manage_cutoff, zone),
            "too_late_to_change": booking_changes.TOO_LATE_TO_CHANGE,
            "contact_note": contact_line(practitioner),
            "book_again_url": book_again_url(booking) if change == CANCELLED else "",
            "refund_note": payment_hooks.refund_note(booking, for_practitioner=False)
            if change == CANCELLED
            else "",
            "personal_line": personal_line(booking, change),
            "privacy_url": _privacy_url_if_booked_for(booking, change),
            "add_links": add_links.links(booking, reader=ics.CLIENT, zone=zone),
            "ics_url": links.manage_url(booking) + "invite.ics" if can_change else "",
        }
        | payment_hooks.money_lines(booking, change)
    )
    return _message(
        booking,
        template="email/booking_client",
        context=context,
        subject=_attendee_subject(booking, change, zone),
        to=booking.client_email,
        reader=ics.CLIENT,
    )


def practitioner_message(booking: Booking, *, change: str) -> EmailMultiAlternatives:
    """The practitioner's email: who, when in both zones, and where the booking is."""
    practitioner = booking.practitioner
    zone = practitioner.timezone
    context = _meeting_context(booking, change, zone, booking.client_timezone) | {
        "client_email": booking.client_email,
        "partner_name": booking.partner_name,
        "partner_email": booking.partner_email,
        "offering_name": booking.offering.name,
        "by": _changed_by(booking, change),
        "booking_url": console_booking_url(booking),
        "refund_note": payment_hooks.refund_note(booking, for_practitioner=True)
        if change == CANCELLED
        else "",
    }
    subject = PRACTITIONER_SUBJECTS[change].format(when=format_short(booking.start, zone))
    return _message(
        booking,
        template="email/booking_practitioner",
        context=context,
        subject=subject,
        to=practitioner.email,
        reply_to=booking.client_email,
        reader=ics.PRACTITIONER,
    )


def partner_message(booking: Booking, *, change: str) -> EmailMultiAlternatives:
    """A couples session's partner: when (in ``Booking.partner_zone``, and the practice's),
    the video link, who booked it and how to change it. Not the manage link, which is the
    client's key, and nothing the client wrote."""
    practitioner = booking.practitioner
    zone = booking.partner_zone
    context = _meeting_context(booking, change, zone, practitioner.timezone)
    context["partner_name"] = booking.partner_name
    context["by_practice"] = _change_actor(booking, change) in ("practitioner", "staff")
    context["personal_line"] = personal_line(booking, change)
    context["add_links"] = add_links.links(booking, reader=ics.PARTNER, zone=zone)
    return _message(
        booking,
        template="email/booking_partner",
        context=context,
        subject=_attendee_subject(booking, change, zone),
        to=booking.partner_email,
        reader=ics.PARTNER,
    )


def _message(
    booking: Booking,
    *,
    template: str,
    context: dict,
    subject: str,
    to: str,
    reader: str,
    reply_to: str = "",
) -> EmailMultiAlternatives:
    message = simple_message(
        template=template,
        context=context,
        subject=subject,
        to=to,
        reply_to=reply_to,
        practitioner=booking.practitioner,
    )
    message.attach(invite_part(booking, reader=reader))
    return message


def invite_part(booking: Booking, *, reader: str) -> MIMEBase:
    """``invite.ics`` as ``text/calendar; method=…; charset=UTF-8``.

    Built by hand because the method parameter is what makes mail clients offer to add,
    update or remove the event; base64 keeps the CRLF line ends iCalendar requires.
    """
    content = ics.booking_invite(booking, reader=reader)
    part = MIMEBase("text", "calendar", method=ics.invite_method(booking), charset="UTF-8")
    part.set_payload(content)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=INVITE_FILENAME)
    return part


def _previous_when(booking: Booking, change: str, zone: str, other_zone: str) -> str:
    if change != RESCHEDULED:
        return ""
    event = (
        booking.events.filter(kind=BookingEvent.Kind.RESCHEDULED).order_by("-at", "-pk").first()
    )
    if event is None or "old_start" not in event.data:
        return ""
    old_start = datetime.fromisoformat(event.data["old_start"])
    old_end = old_start + (booking.end - booking.start)
    return format_span_in_two_zones(old_start, old_end, zone, other_zone)


def _change_actor(booking: Booking, change: str) -> str:
    """Who made the latest reschedule or cancellation: "client", "practitioner", …; ""."""
    kind = {RESCHEDULED: BookingEvent.Kind.RESCHEDULED, CANCELLED: BookingEvent.Kind.CANCELLED}
    if change not in kind:
        return ""
    event = booking.events.filter(kind=kind[change]).order_by("-at", "-pk").first()
    return event.actor if event else ""


def personal_line(booking: Booking, change: str) -> str:
    """The line the practitioner wrote to the client with her reschedule or cancellation
    (quoted as hers in the client's and partner's emails); "" when she wrote none. Her
    reason for a smaller refund is kept apart and never reaches an email."""
    kind = {RESCHEDULED: BookingEvent.Kind.RESCHEDULED, CANCELLED: BookingEvent.Kind.CANCELLED}
    if change not in kind:
        return ""
    event = booking.events.filter(kind=kind[change]).order_by("-at", "-pk").first()
    if event is None or event.actor not in ("practitioner", "staff"):
        return ""
    return event.data.get("personal_line", "")


def _privacy_url_if_booked_for(booking: Booking, change: str) -> str:
    """The privacy notice, for a client the practitioner booked for: they never saw the
    booking form that links it."""
    if change != CONFIRMED:
        return ""
    booked_for = booking.events.filter(kind=BookingEvent.Kind.CREATED, actor="practitioner")
    return settings.SITE_URL + reverse("privacy") if booked_for.exists() else ""


def _changed_by(booking: Booking, change: str) -> str:
    return ACTORS.get(_change_actor(booking, change), "")
