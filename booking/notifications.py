"""Booking emails: one to the client, one to the practitioner, each with a calendar invite.

Each email shows the meeting in its reader's zone first and in the other party's zone
beside it, so that neither arrives an hour early after a clock change on one side only.
The templates receive plain strings picked here, never the booking itself, so that nothing
private (the client's note, intake answers) can reach an email by a template edit.
Log lines carry the booking's id only.
"""

import logging
import re
from datetime import datetime
from email import encoders
from email.mime.base import MIMEBase
from email.utils import formataddr, parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from booking import links, refusals, selectors, services
from booking.calendars import ics
from booking.models import Booking, BookingEvent
from booking.payments import selectors as payment_selectors
from booking.payments.models import HardshipRequest, Payment, Refund
from booking.payments.policy import format_money
from booking.video_rooms import video_link_for
from practice.models import is_erased_address
from practice.timezones import clock, clock_span, day, zone_label

logger = logging.getLogger(__name__)

CONFIRMED = "confirmed"
RESCHEDULED = "rescheduled"
CANCELLED = "cancelled"
CHANGES = (CONFIRMED, RESCHEDULED, CANCELLED)

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
    other = _in_other_zone(start, end, zone_name, other_zone_name)
    return f"{text} · {other}" if other else text


def _in_other_zone(start: datetime, end: datetime, zone_name: str, other_zone_name: str) -> str:
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


def send_booking_notifications(*, booking_id: int, change: str) -> None:
    """Tell the client and the practitioner about ``change``, each with an ``.ics`` invite,
    and a couples session's partner too (their own copy, without the client's manage link).

    Runs after commit, possibly much later (a queue): it describes the booking as it is
    now, and sends nothing for a change that a later one has overtaken (a confirmation of a
    booking cancelled since), since that later change sends its own emails.
    """
    if change not in CHANGES:
        raise ValueError(f"Unknown booking change {change!r}; expected one of {CHANGES}.")
    booking = (
        Booking.objects.select_related("practitioner", "offering").filter(pk=booking_id).first()
    )
    if booking is None:
        logger.warning("Booking %s is gone; no %s notifications sent.", booking_id, change)
        return
    if is_erased_address(booking.client_email):
        # Its client was erased (practice.erasure): nothing is ever sent from what is left.
        logger.info("Booking %s belongs to an erased client; no %s emails.", booking.pk, change)
        return
    expected = Booking.Status.CANCELLED if change == CANCELLED else Booking.Status.CONFIRMED
    if booking.status != expected:
        logger.info(
            "Booking %s is %s now; %s notifications skipped.", booking.pk, booking.status, change
        )
        return
    now = timezone.now()
    messages = {
        "client": client_message(booking, change=change, now=now),
        "practitioner": practitioner_message(booking, change=change),
    }
    if booking.partner_email:
        messages["partner"] = partner_message(booking, change=change)
    failed = []
    with get_connection() as connection:
        for side, message in messages.items():
            try:
                connection.send_messages([message])
            except Exception as error:  # A refused address must not silence the other email.
                failed.append(f"{side} ({type(error).__name__})")
    if failed:
        # Not chained: an SMTP error names the address, and the task's failure is logged.
        raise NotificationError(
            f"Booking {booking.pk}: {change} email to the {' and the '.join(failed)} not sent."
        )
    logger.info("Sent %s notifications for booking %s.", change, booking.pk)


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
        "when_other": _in_other_zone(booking.start, booking.end, zone, other_zone),
        "previous_when": _previous_when(booking, change, zone, other_zone),
        "video_link": video_link_for(booking) if change != CANCELLED else "",
    }


def _attendee_subject(booking: Booking, change: str) -> str:
    """``Confirmed: your session with … on Thu 3 Dec, 04:00 (New York time)``."""
    return CLIENT_SUBJECTS[change].format(
        meeting=booking.offering.meeting_word,
        practice=booking.practitioner.practice_name,
        when=format_short(booking.start, booking.client_timezone),
    )


def client_message(booking: Booking, *, change: str, now: datetime) -> EmailMultiAlternatives:
    """The client's email: warm and short, their time first, the links they need."""
    practitioner = booking.practitioner
    zone = booking.client_timezone
    can_change = change != CANCELLED and services.client_can_change(booking, now)
    context = (
        _meeting_context(booking, change, zone, practitioner.timezone)
        | {
            "manage_url": links.manage_url(booking) if can_change else "",
            # The practice moved or cancelled it, not the client: say so, and be sorry.
            "by_practice": _change_actor(booking, change) in ("practitioner", "staff"),
            "change_until": format_moment(booking.start - practitioner.manage_cutoff, zone),
            "too_late_to_change": services.TOO_LATE_TO_CHANGE,
            "contact_note": practitioner.contact_note
            or f"Reply to this email to reach {practitioner.practice_name}.",
            "book_again_url": _book_again_url(booking) if change == CANCELLED else "",
            "refund_note": _refund_note(booking, for_practitioner=False)
            if change == CANCELLED
            else "",
            "personal_line": personal_line(booking, change),
            "privacy_url": _privacy_url_if_booked_for(booking, change),
        }
        | _money_lines(booking, change)
    )
    return _message(
        booking,
        template="email/booking_client",
        context=context,
        subject=_attendee_subject(booking, change),
        to=booking.client_email,
        reply_to=practitioner.email,
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
        "refund_note": _refund_note(booking, for_practitioner=True) if change == CANCELLED else "",
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
    """A couples session's partner: when (in the booker's zone and the practice's), the
    video link, who booked it and how to change it. Not the manage link, which is the
    client's key, and nothing the client wrote."""
    practitioner = booking.practitioner
    context = _meeting_context(booking, change, booking.client_timezone, practitioner.timezone)
    context["partner_name"] = booking.partner_name
    context["by_practice"] = _change_actor(booking, change) in ("practitioner", "staff")
    context["personal_line"] = personal_line(booking, change)
    return _message(
        booking,
        template="email/booking_partner",
        context=context,
        subject=_attendee_subject(booking, change),
        to=booking.partner_email,
        reply_to=practitioner.email,
        reader=ics.PARTNER,
    )


def _message(
    booking: Booking,
    *,
    template: str,
    context: dict,
    subject: str,
    to: str,
    reply_to: str,
    reader: str,
) -> EmailMultiAlternatives:
    message = simple_message(
        template=template,
        context=context,
        subject=subject,
        to=to,
        reply_to=reply_to,
        practice_name=booking.practitioner.practice_name,
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


def from_address(practice_name: str) -> str:
    """DEFAULT_FROM_EMAIL's address under the practice's name, so that every inbox shows
    who wrote ("Lindqvist Coaching <bookings@…>"), whatever name the setting carries."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((practice_name or name, address))


def _money_lines(booking: Booking, change: str) -> dict:
    """For a paid booking that stands: what was paid, the receipt, and the cancellation
    terms, so that "cancel, no explanation needed" never hides what comes back."""
    payment = Payment.objects.filter(booking=booking).first()
    if change == CANCELLED or payment is None or not payment.is_captured:
        return {"paid": "", "receipt_url": "", "policy_lines": []}
    return {
        "paid": format_money(payment.amount, payment.currency),
        "receipt_url": links.manage_url(booking) + "receipt/",
        "policy_lines": payment_selectors.policy_lines(booking.offering),
    }


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


def _book_again_url(booking: Booking) -> str:
    if not booking.offering.is_active:
        return ""
    return settings.SITE_URL + reverse("booking:slots", kwargs={"slug": booking.offering.slug})


def _email_the_booker(booking: Booking, *, template: str, subject: str, **context) -> None:
    """One email to the address the booking was made with and to no one else (its link
    again, or the link that confirms it): ``subject`` is completed with "<meeting> with
    <practice>"."""
    if is_erased_address(booking.client_email):
        return
    practitioner, meeting = booking.practitioner, booking.offering.meeting_word
    when = format_span_in_two_zones(
        booking.start, booking.end, booking.client_timezone, practitioner.timezone
    )
    simple_message(
        template=template,
        context={
            "client_name": booking.client_name,
            "meeting": meeting,
            "practice_name": practitioner.practice_name,
            "when": when,
            **context,
        },
        subject=f"{subject} {meeting} with {practitioner.practice_name}",
        to=booking.client_email,
        reply_to=practitioner.email,
        practice_name=practitioner.practice_name,
    ).send()


def send_manage_link(*, booking_id: int) -> None:
    """Email the booking's current manage link to the address it was booked with, asked
    for from an older link's page. Only ever to that address: the one who booked."""
    booking = Booking.objects.select_related("practitioner", "offering").get(pk=booking_id)
    _email_the_booker(
        booking,
        template="email/manage_link",
        subject="Your link for your",
        cancelled=booking.status == Booking.Status.CANCELLED,
        manage_url=links.manage_url(booking),
    )
    logger.info("Sent the current manage link of booking %s.", booking.pk)


def send_confirmation_request(*, booking_id: int) -> None:
    """Email the link that confirms a free call held for its confirmation, to the address it
    was booked with; nothing to the practitioner until it is confirmed."""
    booking = Booking.objects.select_related("practitioner", "offering").get(pk=booking_id)
    if booking.status != Booking.Status.HELD:
        return  # confirmed or lapsed meanwhile: nothing left to confirm
    _email_the_booker(
        booking,
        template="email/confirm_booking",
        subject="Please confirm your",
        confirm_by=format_moment(booking.hold_expires_at, booking.client_timezone),
        confirm_url=links.confirm_url(booking),
    )
    logger.info("Sent the confirmation request of booking %s.", booking.pk)


def tidy_text(text: str) -> str:
    """Template tags leave blank lines behind; keep at most one between paragraphs."""
    return re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text).strip() + "\n"


# --- money ----------------------------------------------------------------------------

LATE_PAYMENT_REFUNDED = "late_payment_refunded"
HARDSHIP_REQUESTED = "hardship_requested"
HARDSHIP_DECIDED = "hardship_decided"
PAYMENT_EMAILS = (LATE_PAYMENT_REFUNDED, HARDSHIP_REQUESTED, HARDSHIP_DECIDED)

REFUND_ARRIVES = (
    "It goes back to the card or account you paid with and usually arrives within 5 to 10 "
    "working days."
)
# Money paid outside the system (bank transfer, cash) goes back the same way, by her hand.
OUTSIDE_REFUND_HERS = "It was paid outside the system: please give it back the way it came."
OUTSIDE_REFUND_CLIENT = (
    "You paid outside the system, so {name} returns your refund of {amount} ({percent}% of "
    "what you paid) to you the same way."
)
DECIDERS = {
    Refund.DecidedBy.POLICY: "cancellation policy",
    Refund.DecidedBy.PRACTITIONER: "policy waived",
    Refund.DecidedBy.HARDSHIP: "hardship exception",
    Refund.DecidedBy.LATE_PAYMENT: "paid after the time was taken",
}


def _refund_note(booking: Booking, *, for_practitioner: bool) -> str:
    """One sentence on the money of a cancelled paid booking, from its cancellation event
    (which recorded the decision); empty for a booking that was never paid."""
    event = booking.events.filter(kind=BookingEvent.Kind.CANCELLED).order_by("-at", "-pk").first()
    data = event.data if event else {}
    if "refund_percent" not in data:
        return ""
    percent = int(data["refund_percent"])
    amount = format_money(data["refund_amount"], data["refund_currency"])
    decider = DECIDERS.get(data.get("refund_decided_by"), "")
    outside = Payment.objects.filter(booking=booking, method=Payment.Method.OUTSIDE).exists()
    if "refund_choice" in data:  # the practitioner cancelled and chose the refund
        return _practice_refund_note(booking, data, amount, for_practitioner, outside)
    if for_practitioner:
        if percent == 0:
            return f"No refund ({decider})."
        sent = OUTSIDE_REFUND_HERS if outside else "Stripe sends it now."
        return f"Refund: {amount}, {percent}% of the payment ({decider}). {sent}"
    if outside and percent > 0:
        return OUTSIDE_REFUND_CLIENT.format(
            amount=amount, name=booking.practitioner.name, percent=percent
        )
    if percent == 0:
        return (
            f"Because the {booking.offering.meeting_word} was cancelled this close to its start, "
            "the cancellation policy "
            "gives no refund. If something serious got in the way, reply to this email and "
            "ask for a one-time hardship exception."
        )
    if percent == 100:
        return f"You will get a full refund of {amount}. {REFUND_ARRIVES}"
    return (
        f"Under the cancellation policy you will get {percent}% back: {amount}. {REFUND_ARRIVES}"
    )


def _practice_refund_note(
    booking: Booking, data: dict, amount: str, for_practitioner: bool, outside: bool
) -> str:
    """The money of a cancellation by the practice, as she chose it. The client is told
    what comes back and when, never blamed: the notice they gave does not come into it."""
    choice, nothing = data["refund_choice"], data["refund_amount"] in ("0", "0.00")
    if for_practitioner:
        if nothing:
            return "No refund (your choice)."
        which = "in full" if choice == "full" else "in part (your choice)"
        sent = OUTSIDE_REFUND_HERS if outside else "Stripe sends it now."
        return f"Refund: {amount}, {which}. {sent}"
    if nothing:
        return (
            f"This cancellation comes without a refund. If you have a question about it, "
            f"reply to this email and {booking.practitioner.name} will answer."
        )
    if outside:
        name = booking.practitioner.name
        return f"You paid outside the system, so {name} returns {amount} to you the same way."
    if choice == "full":
        return f"You will get a full refund of {amount}. {REFUND_ARRIVES}"
    return f"You will get {amount} back. {REFUND_ARRIVES}"


def send_payment_email(*, kind: str, object_id: int) -> None:
    """Send one of the emails about money (PAYMENT_EMAILS); ``object_id`` names the refund
    (late payment) or the hardship request. Plain strings only reach the templates."""
    builders = {
        LATE_PAYMENT_REFUNDED: _late_payment_message,
        HARDSHIP_REQUESTED: _hardship_requested_message,
        HARDSHIP_DECIDED: _hardship_decided_message,
    }
    if kind not in builders:
        raise ValueError(f"Unknown payment email {kind!r}; expected one of {PAYMENT_EMAILS}.")
    message = builders[kind](object_id)
    if message is None:
        logger.warning("Nothing to send for %s %s.", kind, object_id)
        return
    try:
        with get_connection() as connection:
            connection.send_messages([message])
    except Exception as error:
        # Not chained: an SMTP error names the address.
        raise NotificationError(
            f"{kind} email for {object_id} not sent ({type(error).__name__})."
        ) from None
    logger.info("Sent %s email for %s.", kind, object_id)


def simple_message(
    *, template: str, context: dict, subject: str, to: str, reply_to: str, practice_name: str
) -> EmailMultiAlternatives:
    """Every email's shape: ``template``.txt as the body, ``template``.html beside it, from
    the practice, marked as sent automatically."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=tidy_text(render_to_string(f"{template}.txt", context)),
        from_email=from_address(practice_name),
        to=[to],
        reply_to=[reply_to],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def _late_payment_message(refund_id: int) -> EmailMultiAlternatives | None:
    """To the client: paid after the hold, the time could not be kept (the reason decided
    when the payment arrived: someone else's booking only when there was one), refunded in
    full, and the free times nearest the one they wanted."""
    refund = (
        Refund.objects.select_related(
            "payment__booking__practitioner", "payment__booking__offering"
        )
        .filter(pk=refund_id)
        .first()
    )
    if refund is None:
        return None
    booking = refund.payment.booking
    practitioner, zone = booking.practitioner, booking.client_timezone
    now = timezone.now()
    nearest = selectors.nearest_slots(offering=booking.offering, around=booking.start, now=now)
    why = refusals.late_payment_wording(
        payment_selectors.refund_refusal(refund), booking=booking, now=now
    )
    context = {
        "client_name": booking.client_name,
        "why": why.message,
        "practice_name": practitioner.practice_name,
        "wanted": format_span_in_two_zones(
            booking.start, booking.end, zone, practitioner.timezone
        ),
        "amount": format_money(refund.amount, refund.payment.currency),
        "refund_arrives": REFUND_ARRIVES,
        "times": [format_span(slot.start, slot.end, zone) for slot in nearest],
        "book_url": _book_again_url(booking),
        "contact_note": practitioner.contact_note
        or f"Reply to this email to reach {practitioner.practice_name}.",
    }
    return simple_message(
        template="email/late_payment_client",
        context=context,
        subject=f"Your payment to {practitioner.practice_name} is refunded in full",
        to=booking.client_email,
        reply_to=practitioner.email,
        practice_name=practitioner.practice_name,
    )


def _hardship(request_id: int) -> HardshipRequest | None:
    return (
        HardshipRequest.objects.select_related(
            "booking__practitioner", "booking__offering", "booking__payment"
        )
        .filter(pk=request_id)
        .first()
    )


def _hardship_requested_message(request_id: int) -> EmailMultiAlternatives | None:
    """To the practitioner: who asks, for which booking, and where to decide."""
    request = _hardship(request_id)
    if request is None:
        return None
    booking = request.booking
    practitioner, zone = booking.practitioner, booking.practitioner.timezone
    context = {
        "client_name": booking.client_name,
        "offering_name": booking.offering.name,
        "when": format_span_in_two_zones(
            booking.start, booking.end, zone, booking.client_timezone
        ),
        "cancelled": booking.status == Booking.Status.CANCELLED,
        "amount": format_money(booking.payment.amount, booking.payment.currency),
        "booking_url": console_booking_url(booking),
    }
    return simple_message(
        template="email/hardship_practitioner",
        context=context,
        subject=f"Hardship request: booking on {format_short(booking.start, zone)}",
        to=practitioner.email,
        reply_to=booking.client_email,
        practice_name=practitioner.practice_name,
    )


def _hardship_decided_message(request_id: int) -> EmailMultiAlternatives | None:
    """To the client: the answer, and what to do with it."""
    request = _hardship(request_id)
    if request is None:
        return None
    booking = request.booking
    practitioner, zone = booking.practitioner, booking.client_timezone
    approved = request.state == HardshipRequest.State.APPROVED
    cancelled = booking.status == Booking.Status.CANCELLED
    refund = booking.payment.refunds.filter(decided_by=Refund.DecidedBy.HARDSHIP).first()
    can_cancel = approved and not cancelled and booking.start > timezone.now()
    context = {
        "client_name": booking.client_name,
        "meeting": booking.offering.meeting_word,
        "practice_name": practitioner.practice_name,
        "practitioner_name": practitioner.name,
        "approved": approved,
        "cancelled": cancelled,
        "reply_line": request.reply_line,
        "when": format_span_in_two_zones(booking.start, booking.end, zone, practitioner.timezone),
        "amount": format_money(
            refund.amount if refund else booking.payment.amount, booking.payment.currency
        ),
        "refund_arrives": REFUND_ARRIVES,
        "manage_url": links.manage_url(booking) if can_cancel else "",
        "contact_note": practitioner.contact_note
        or f"Reply to this email to reach {practitioner.practice_name}.",
    }
    answer = "approved" if approved else "answered"
    return simple_message(
        template="email/hardship_client",
        context=context,
        subject=f"Your request to {practitioner.practice_name} is {answer}",
        to=booking.client_email,
        reply_to=practitioner.email,
        practice_name=practitioner.practice_name,
    )
