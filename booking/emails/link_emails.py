"""The emails with a link, sent only ever to the address a booking was made with: its
manage link again, and the link that confirms a free call held for its confirmation."""

import logging

from booking import links
from booking.emails.compose import format_moment, format_span_in_two_zones, simple_message
from booking.models import Booking
from practice.models import is_erased_address

logger = logging.getLogger(__name__)


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
