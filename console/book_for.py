"""The practitioner books for a client: any offering, any client, with the same emails,
invite, manage link and intake as a booking the client made themselves.

What differs from a self-booking, on purpose:

- no rate limits and no limit on bookings awaiting confirmation: those guard the public
  pages against strangers, and she is no stranger;
- she may choose a time outside her open hours (the caller asks her to confirm it), and
  for a returning-clients-only offering a client who is not known yet: she decides. Two
  bookings still never overlap, buffers included: the same lock and the same database
  constraint stand behind this as behind every booking;
- the client's consent is recorded as given by her on their behalf (the privacy notice's
  version, and ``consent: given_by_practitioner`` in the history); the client's emails
  link the notice, since they never saw the booking form;
- a paid offering is paid by a link the client is emailed (the time is held meanwhile),
  was paid outside the system (bank transfer, cash), or she waives the price.

The history row says "practitioner" and which of these she chose.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from booking import selectors
from booking.forms import partner_email_error
from booking.models import Booking, BookingEvent
from booking.payments import paid_outside, payment_links
from booking.refusals import Unbookable
from booking.services import (
    NOT_ACTIVE,
    BookingError,
    check_bookable,
    create_booking,
    expire_stale_holds,
    lock_practitioner,
    log_event,
    refused,
)
from booking.slots import blocked_span
from practice.models import KnownClient, Offering
from practice.timezones import canonical_timezone

PARTNER_NEEDED = "A couples session needs the partner's name and email address."
PARTNER_ZONE_UNKNOWN = "Please choose the partner's time zone from the list."
PAYMENT_FOR_FREE = "This offering is free, so there is nothing to pay."
PAYMENT_NEEDED = "Please choose how this session is paid."
NOT_AWARE = "The time needs a time zone."


# The note of the returning-client mark that booking a paid session for someone makes.
MARKED_BY_BOOKING = "Booked by you for a paid session"


class HowPaid(StrEnum):
    """How a booking she makes is paid."""

    FREE = "free"  # a free offering
    LINK = "link"  # the client is emailed a payment link; the time is held meanwhile
    OUTSIDE = "outside"  # paid outside the system: bank transfer, cash
    NO_CHARGE = "no_charge"  # she waives the price


PAID_CHOICES = (HowPaid.LINK, HowPaid.OUTSIDE, HowPaid.NO_CHARGE)


@dataclass(frozen=True)
class Client:
    """Who the booking is for, as she typed or chose them."""

    name: str
    email: str
    timezone: str
    partner_name: str = ""
    partner_email: str = ""
    partner_timezone: str = ""  # none: the partner's emails read the client's clock


def book_for_client(
    *,
    offering: Offering,
    start: datetime,
    client: Client,
    payment: HowPaid,
    outside_open_times: bool = False,
    actor_user=None,
    now: datetime | None = None,
) -> Booking:
    """Book ``offering`` at ``start`` for ``client``, in one transaction.

    Free, paid outside or at no charge: confirmed at once, the client emailed with the
    invite and the manage link, the intake assigned, as after a self-booking. By payment
    link: held (booking.payments.payment_links.link_hold_until) and the client emailed the
    link; paying confirms it as any Checkout does, and a hold that ends unpaid frees the
    time, its history saying so.

    ``outside_open_times`` (she confirmed it): any future time that no other booking
    blocks, instead of one of the offering's open slots. Raises SlotUnavailable (taken,
    past, or for an open slot every reason a client hears) and BookingError.
    """
    now = now or timezone.now()
    if start.tzinfo is None:
        raise BookingError(NOT_AWARE)
    if not offering.is_active:
        raise BookingError(NOT_ACTIVE)
    _check_payment(offering, payment)
    email = client.email.strip().lower()
    partner_name, partner_email, partner_timezone = _partner(offering, client, email)
    span = blocked_span(start, selectors.slot_policy(offering))
    with transaction.atomic(durable=True):
        practitioner = lock_practitioner(offering.practitioner_id)
        expire_stale_holds(practitioner=practitioner, start=span.start, end=span.end, now=now)
        check_time(
            offering=offering,
            start=start,
            zone_name=client.timezone,
            outside_open_times=outside_open_times,
            now=now,
        )
        held_until = None
        if payment == HowPaid.LINK:
            held_until = payment_links.link_hold_until(start=start, now=now)
        booking = create_booking(
            practitioner=practitioner,
            offering=offering,
            status=Booking.Status.HELD if held_until else Booking.Status.CONFIRMED,
            start=start,
            span=span,
            client_name=client.name,
            client_email=email,
            client_timezone=client.timezone,
            client_user=None,
            note="",
            now=now,
            hold_expires_at=held_until,
            partner_name=partner_name,
            partner_email=partner_email,
            partner_timezone=partner_timezone,
        )
        log_event(
            booking,
            BookingEvent.Kind.CREATED,
            actor="practitioner",
            actor_user=actor_user,
            at=now,
            start=start.isoformat(),
            payment=str(payment),
            consent="given_by_practitioner",
            **({"outside_open_times": True} if outside_open_times else {}),
            **({"hold_expires_at": held_until.isoformat()} if held_until else {}),
        )
        if payment in PAID_CHOICES:
            _mark_known(email)
        if payment == HowPaid.LINK:
            payment_links.hold_for_link(booking, now=now)
        elif payment == HowPaid.OUTSIDE:
            paid_outside.record_payment(booking, now=now)
    return booking


def _check_payment(offering: Offering, payment: HowPaid) -> None:
    if offering.is_free and payment != HowPaid.FREE:
        raise BookingError(PAYMENT_FOR_FREE)
    if not offering.is_free and payment not in PAID_CHOICES:
        raise BookingError(PAYMENT_NEEDED)


def _partner(offering: Offering, client: Client, email: str) -> tuple[str, str, str]:
    """A couples session's partner, checked; nothing kept for any other offering."""
    if offering.kind != Offering.Kind.COUPLES_SESSION:
        return "", "", ""
    name, partner_email = client.partner_name.strip(), client.partner_email.strip().lower()
    if not name or not partner_email:
        raise BookingError(PARTNER_NEEDED)
    if error := partner_email_error(partner_email, email):
        raise BookingError(error)
    zone = canonical_timezone(client.partner_timezone) if client.partner_timezone else ""
    if zone is None:
        raise BookingError(PARTNER_ZONE_UNKNOWN)
    return name, partner_email, zone


def check_time(
    *, offering: Offering, start: datetime, zone_name: str, outside_open_times: bool, now
) -> None:
    """Raise SlotUnavailable if she cannot book ``start``: an open slot must be bookable
    as for a client; outside the open times, any future time that no booking blocks (her
    hours, notice, horizon, cap and her calendar's busy time are hers to overrule). Her
    form asks this before the review; the booking asks again inside the lock."""
    if not outside_open_times:
        check_bookable(offering=offering, start=start, now=now, zone_name=zone_name)
        return
    span = blocked_span(start, selectors.slot_policy(offering))
    reason = None
    if start <= now:
        reason = Unbookable.PAST
    elif Booking.objects.filter(
        selectors.blocking_bookings(offering.practitioner, start=span.start, end=span.end, now=now)
    ).exists():
        reason = Unbookable.TAKEN
    if reason is not None:
        raise refused(reason, offering=offering, start=start, zone_name=zone_name, now=now)


def _mark_known(email: str) -> None:
    """Someone she booked for a paid session is her client from now on: they may book the
    returning-clients' sessions themselves. The note says the mark came with that booking,
    so her pages never claim she marked them (is_marked_by_booking)."""
    if not KnownClient.objects.filter(email__iexact=email).exists():
        KnownClient.objects.create(email=email, note=MARKED_BY_BOOKING)


def is_marked_by_booking(known: KnownClient) -> bool:
    """Was this mark made by her booking a paid session, not by her marking them? (The
    full stop is how marks made before this wording were written.)"""
    return known.note.rstrip(".") == MARKED_BY_BOOKING
