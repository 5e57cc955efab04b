"""Free calls: booked at once, or held until the client confirms them from an email.

A network that has booked several already is asked to show the address is theirs
(practice.ratelimits.network_wants_confirmation): the call is held for its confirmation,
the practitioner hears of it once it is confirmed, and unconfirmed it lapses like any hold.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from booking import selectors
from booking.emails import link_emails
from booking.models import Booking, BookingEvent
from booking.services import (
    NOT_ACTIVE,
    AlreadyBooked,
    BookingError,
    ChangeNotAllowed,
    check_bookable,
    check_unconfirmed_ceiling,
    create_booking,
    expire_stale_holds,
    lock_practitioner,
    log_event,
)
from booking.slots import blocked_span
from practice.models import Offering

OPEN_ASSESSMENT_EXISTS = (
    "You already have a free assessment call booked with this address. We've emailed you its "
    "details again, with the link to change its time."
)
RESEND_LINK_EVERY = 10 * 60  # seconds between two emails of a booking's current link
OPEN_ASSESSMENT_LINK_SENT_RECENTLY = (
    "You already have a free assessment call booked with this address. We emailed you its "
    f"details, with the link to change its time, less than {RESEND_LINK_EVERY // 60} minutes "
    "ago, so we have not sent them again: please look for that email, in spam too."
)
AWAITING_CONFIRMATION_EXISTS = (
    "You already have a free assessment call waiting for you to confirm it from the email "
    "we sent. We've sent that email again: please open the link in it to confirm the call."
)
AWAITING_CONFIRMATION_SENT_RECENTLY = (
    "You already have a free assessment call waiting for you to confirm it. We emailed you "
    f"the link to confirm it less than {RESEND_LINK_EVERY // 60} minutes ago, so we have not "
    "sent it again: please look for that email, in spam too."
)
CONFIRMATION_LAPSED = (
    "This booking was not confirmed in time, so its time was freed for others. You are "
    "welcome to book again."
)
NOT_FREE = "This offering is paid and cannot be booked without payment."


def book_assessment(
    *,
    offering: Offering,
    start: datetime,
    client_name: str,
    client_email: str,
    client_timezone: str,
    note: str = "",
    client_user=None,
    confirm_by_email: bool = False,
    now: datetime | None = None,
) -> Booking:
    """Book a free offering, confirmed at once (no account, no payment).

    With ``confirm_by_email`` (its network has booked several already:
    practice.ratelimits.network_wants_confirmation) the booking is only ``held`` for
    settings.FREE_CALL_CONFIRM_MINUTES, and the client is emailed a link to confirm it
    (confirm_free_call); the practitioner hears of it once it is confirmed, and unconfirmed
    it lapses like any hold.

    Refuses a paid offering, a slot that is not bookable at ``now`` (taken, outside hours,
    too soon, beyond the horizon, over the daily cap), an address with
    settings.MAX_UNCONFIRMED_PER_ADDRESS bookings awaiting confirmation or payment, and,
    for the assessment call, a second upcoming one for the same email address (one waiting
    for its confirmation included).
    """
    now = now or timezone.now()
    if not offering.is_active:
        raise BookingError(NOT_ACTIVE)
    if not offering.is_free:
        raise BookingError(NOT_FREE)
    email = client_email.strip().lower()
    span = blocked_span(start, selectors.slot_policy(offering))
    try:
        with transaction.atomic(durable=True):
            practitioner = lock_practitioner(offering.practitioner_id)
            expire_stale_holds(practitioner=practitioner, start=span.start, end=span.end, now=now)
            if offering.kind == Offering.Kind.ASSESSMENT and (
                existing := selectors.open_assessment_for(
                    email=email, practitioner=practitioner, now=now
                )
            ):
                raise AlreadyBooked(OPEN_ASSESSMENT_EXISTS, booking=existing)
            if confirm_by_email:
                check_unconfirmed_ceiling(email=email, now=now)
            check_bookable(
                offering=offering,
                start=start,
                now=now,
                zone_name=client_timezone,
                client_email=email,
            )
            held_until = None
            if confirm_by_email:
                minutes = settings.FREE_CALL_CONFIRM_MINUTES
                held_until = (now + timedelta(minutes=minutes)).replace(microsecond=0)
            booking = create_booking(
                practitioner=practitioner,
                offering=offering,
                status=Booking.Status.HELD if confirm_by_email else Booking.Status.CONFIRMED,
                start=start,
                span=span,
                client_name=client_name,
                client_email=email,
                client_timezone=client_timezone,
                client_user=client_user,
                note=note,
                now=now,
                hold_expires_at=held_until,
            )
            log_event(
                booking,
                BookingEvent.Kind.CREATED,
                actor="client",
                at=now,
                start=start.isoformat(),
                **({"awaiting_email_confirmation": True} if confirm_by_email else {}),
            )
    except AlreadyBooked as refusal:
        # After the rollback: whoever typed the address learns only what its owner is
        # emailed about at once.
        sent = resend_manage_link(refusal.booking)
        awaiting = refusal.booking.status == Booking.Status.HELD
        messages = {
            (False, True): OPEN_ASSESSMENT_EXISTS,
            (False, False): OPEN_ASSESSMENT_LINK_SENT_RECENTLY,
            (True, True): AWAITING_CONFIRMATION_EXISTS,
            (True, False): AWAITING_CONFIRMATION_SENT_RECENTLY,
        }
        message = messages[awaiting, sent]
        raise AlreadyBooked(message, booking=refusal.booking, link_sent=sent) from None
    return booking


def free_call_awaits_confirmation(booking: Booking, now: datetime | None = None) -> bool:
    """Whether ``booking`` is a free call whose hold for its email confirmation still runs."""
    return (
        booking.status == Booking.Status.HELD
        and booking.offering.is_free
        and booking.hold_expires_at > (now or timezone.now())
    )


def confirm_free_call(*, booking: Booking, now: datetime | None = None) -> Booking:
    """The client confirmed a free call held for their confirmation (book_assessment with
    ``confirm_by_email``), from the link emailed to its address: it becomes an ordinary
    confirmed booking, with the usual emails and invite. Confirming twice is harmless; a
    hold that lapsed stays lapsed (its time may be someone else's by now)."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        lock_practitioner(booking.practitioner_id)
        booking = Booking.objects.select_related("offering", "practitioner").get(pk=booking.pk)
        if booking.status == Booking.Status.CONFIRMED:
            return booking
        if not free_call_awaits_confirmation(booking, now):
            raise ChangeNotAllowed(CONFIRMATION_LAPSED)
        booking.status = Booking.Status.CONFIRMED
        booking.hold_expires_at = None
        booking.save(update_fields=["status", "hold_expires_at", "updated_at"])
        log_event(booking, BookingEvent.Kind.CONFIRMED, actor="client", at=now, by="email_link")
    return booking


def resend_manage_link(booking: Booking) -> bool:
    """Email the booking's current manage link to the address it was booked with, at most
    once in RESEND_LINK_EVERY per booking, so that neither an old link nor a repeated form
    can flood the client's inbox. Only ever to that address. True if it was sent now.

    A free call still waiting for its confirmation gets its confirmation link instead: its
    manage link is not the client's until they have shown the address is theirs."""
    if not cache.add(f"booking:link-sent:{booking.public_id}", True, timeout=RESEND_LINK_EVERY):
        return False
    link_emails.send_again(booking)
    return True
