"""The emails with a link, sent only ever to the address a booking was made with: its
manage link again, and the link that confirms a free call held for its confirmation.

Each is an effect (booking.effects): the confirmation request follows the creation of a
free call held for it, and both are scheduled again when an older link's page asks.
"""

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from booking import effects, links
from booking.emails.compose import format_moment, format_span_in_two_zones, simple_message
from booking.models import Booking, BookingEvent
from practice.models import is_erased_address

MANAGE_LINK = "booking.manage_link"
CONFIRMATION_REQUEST = "booking.confirmation_request"


def _email_the_booker(
    booking: Booking, *, template: str, subject: str, **context
) -> EmailMultiAlternatives | None:
    """One email to the address the booking was made with and to no one else (its link
    again, or the link that confirms it): ``subject`` is completed with "<meeting> with
    <practice>"."""
    if is_erased_address(booking.client_email):
        return None
    practitioner, meeting = booking.practitioner, booking.offering.meeting_word
    when = format_span_in_two_zones(
        booking.start, booking.end, booking.client_timezone, practitioner.timezone
    )
    return simple_message(
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
        practitioner=practitioner,
    )


def manage_link_message(booking: Booking) -> EmailMultiAlternatives | None:
    """The booking's current manage link, asked for from an older link's page."""
    return _email_the_booker(
        booking,
        template="email/manage_link",
        subject="Your link for your",
        cancelled=booking.status == Booking.Status.CANCELLED,
        manage_url=links.manage_url(booking),
    )


def confirmation_request_message(booking: Booking) -> EmailMultiAlternatives | None:
    """The link that confirms a free call held for its confirmation; nothing to the
    practitioner until it is confirmed, and nothing once it is confirmed or lapsed."""
    if booking.status != Booking.Status.HELD:
        return None
    return _email_the_booker(
        booking,
        template="email/confirm_booking",
        subject="Please confirm your",
        confirm_by=format_moment(booking.hold_expires_at, booking.client_timezone),
        confirm_url=links.confirm_url(booking),
    )


def send_again(booking: Booking) -> None:
    """Email the booker their link again (the caller limits how often): the confirmation
    link while a free call waits for it, else the manage link."""
    waiting = booking.status == Booking.Status.HELD and booking.offering.is_free
    name = CONFIRMATION_REQUEST if waiting else MANAGE_LINK
    now = timezone.now()
    effects.schedule(name, f"{name}:{booking.pk}:{now.timestamp():.0f}", booking=booking)


def awaits_confirmation(event: BookingEvent) -> bool:
    return bool(event.data.get("awaiting_email_confirmation"))


def register() -> None:
    """Called from BookingConfig.ready()."""
    effects.register_email(MANAGE_LINK, lambda effect: manage_link_message(effect.booking))
    effects.register_email(
        CONFIRMATION_REQUEST,
        lambda effect: confirmation_request_message(effect.booking),
        on=[BookingEvent.Kind.CREATED],
        applies=awaits_confirmation,
    )
