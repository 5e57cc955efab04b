"""Writes: every change of a booking, each one durable transaction.

Each entry point locks the practitioner's row (the lock that serialises her booking
decisions), re-checks the slot inside the lock, writes the booking and its audit event, and
with that event the effects that follow it (booking.effects): no service sends email. On
PostgreSQL an exclusion constraint stands behind the check; on SQLite every write
transaction begins IMMEDIATE. Here: the errors, the lock and the audit row every change
shares, the writing of a booking, and a hold's end; the changes themselves are
booking.free_calls, booking.booking_changes and booking.payments.
"""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from booking import effects, refusals, selectors
from booking.intervals import Interval
from booking.models import Booking, BookingEvent
from practice import crypto
from practice.errors import UserFacingError
from practice.models import Offering, Practitioner

PRIVACY_NOTICE_VERSION = "2026-12"  # templates/privacy.html; bump on every change

TOO_MANY_UNCONFIRMED = (
    "This address already has {count} bookings waiting to be confirmed or paid. Please "
    "finish or release one of them (the links are in your email), or wait until they lapse, "
    "then book this one."
)
NOT_ACTIVE = "This offering cannot be booked at the moment."


class BookingError(UserFacingError):
    """A booking rule said no."""


class SlotUnavailable(BookingError):
    """The time cannot be booked; ``reason`` says why (refusals.Unbookable), the message
    says it in words."""

    def __init__(self, message: str, *, reason: refusals.Unbookable):
        super().__init__(message)
        self.reason = reason


def refused(
    reason: refusals.Unbookable,
    *,
    offering: Offering,
    start: datetime,
    zone_name: str,
    now: datetime | None,
    exclude: Booking | None = None,
) -> SlotUnavailable:
    """The refusal for ``reason``, its words naming ``start`` in the client's zone;
    ``exclude`` is the booking being moved."""
    return SlotUnavailable(
        refusals.refusal_message(
            reason, offering=offering, start=start, zone_name=zone_name, now=now, exclude=exclude
        ),
        reason=reason,
    )


class AlreadyBooked(BookingError):
    """The address has an upcoming assessment already: ``booking``; ``link_sent`` says
    whether its link was emailed again just now (None: not asked yet), since the resend
    limit may have held it back and the client should not be told it is on its way."""

    def __init__(self, message: str, *, booking: Booking, link_sent: bool | None = None):
        super().__init__(message)
        self.booking = booking
        self.link_sent = link_sent

    reason = "already_booked"  # for the JSON API's answer, beside refusals.Unbookable


class ChangeNotAllowed(BookingError):
    pass


def lock_practitioner(practitioner_id: int) -> Practitioner:
    return Practitioner.objects.select_for_update().get(pk=practitioner_id)


def log_event(booking: Booking, kind: str, *, actor: str, at: datetime, actor_user=None, **data):
    """Write the change's event and, with it, the effects that follow it (booking.effects)."""
    effects.record(booking, kind, actor=actor, actor_user=actor_user, data=data, at=at)


def expire_stale_holds(*, practitioner: Practitioner, start: datetime, end: datetime, now):
    """Mark holds in ``[start, end)`` whose expiry has passed as expired, so that the
    database constraint (which cannot see the clock) stops counting them."""
    stale = Booking.objects.filter(
        practitioner=practitioner,
        status=Booking.Status.HELD,
        hold_expires_at__lte=now,
        blocked_start__lt=end,
        blocked_end__gt=start,
    )
    for booking in stale:
        booking.status = Booking.Status.EXPIRED
        booking.save(update_fields=["status", "updated_at"])
        log_event(booking, BookingEvent.Kind.EXPIRED, actor="system", at=now)


def check_bookable(
    *,
    offering: Offering,
    start: datetime,
    now: datetime,
    zone_name: str,
    client_email: str = "",
    exclude: Booking | None = None,
) -> None:
    """Raise SlotUnavailable saying why ``start`` cannot be booked (taken, too soon, …),
    with the time in the client's ``zone_name``; ``client_email`` tells the client's own
    hold from someone else's booking."""
    reason = refusals.unbookable_reason(
        offering=offering, start=start, now=now, exclude=exclude, client_email=client_email
    )
    if reason is not None:
        raise refused(
            reason,
            offering=offering,
            start=start,
            zone_name=zone_name,
            now=now,
            exclude=exclude,
        )


def create_booking(
    *,
    practitioner: Practitioner,
    offering: Offering,
    status: str,
    start: datetime,
    span: Interval,
    client_name: str,
    client_email: str,
    client_timezone: str,
    client_user,
    note: str,
    now: datetime,
    **fields,
) -> Booking:
    """Write a new booking whose slot the caller checked inside the practitioner's lock,
    with the client's consent to the current privacy notice recorded at ``now``."""
    return save_span(
        Booking(
            practitioner=practitioner,
            offering=offering,
            status=status,
            start=start,
            end=start + offering.duration,
            blocked_start=span.start,
            blocked_end=span.end,
            client_name=client_name.strip(),
            client_email=client_email,
            client_timezone=client_timezone,
            client=client_user,
            note_encrypted=encrypted_note(note),
            consented_at=now,
            privacy_notice_version=PRIVACY_NOTICE_VERSION,
            **fields,
        )
    )


def encrypted_note(note: str) -> bytes | None:
    """The client's note, encrypted like intake answers (None when they wrote nothing)."""
    note = note.strip()
    return crypto.encrypt_json(note) if note else None


def save_span(booking: Booking) -> Booking:
    """Save in a savepoint: the exclusion constraint's refusal becomes SlotUnavailable.
    Only another booking trips it (busy blocks are not in the constraint): "taken"."""
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as error:
        raise refused(
            refusals.Unbookable.TAKEN,
            offering=booking.offering,
            start=booking.start,
            zone_name=booking.client_timezone,
            now=None,
            exclude=booking,
        ) from error
    return booking


def check_unconfirmed_ceiling(*, email: str, now: datetime) -> None:
    """Refuse one more unconfirmed booking (a free call awaiting its email confirmation,
    an unpaid hold) for an address that has settings.MAX_UNCONFIRMED_PER_ADDRESS already:
    holds cost nothing to make, and each keeps a time from everyone else."""
    ceiling = settings.MAX_UNCONFIRMED_PER_ADDRESS
    if selectors.unconfirmed_count(email=email, now=now) >= ceiling:
        raise BookingError(TOO_MANY_UNCONFIRMED.format(count=ceiling))


def expire_hold(*, booking_id: int, now: datetime | None = None) -> bool:
    """Mark one hold expired if its time has come (the task enqueued with the hold).

    Harmless early or late: a hold not yet due, or already confirmed or released, is left
    as it is. Whether the hold blocks never depends on this having run (selectors compare
    ``hold_expires_at`` with the clock); it keeps the status honest for people and for
    the database constraint.
    """
    now = now or timezone.now()
    practitioner_id = (
        Booking.objects.filter(pk=booking_id).values_list("practitioner_id", flat=True).first()
    )
    if practitioner_id is None:
        return False
    with transaction.atomic(durable=True):
        lock_practitioner(practitioner_id)
        booking = Booking.objects.filter(
            pk=booking_id, status=Booking.Status.HELD, hold_expires_at__lte=now
        ).first()
        if booking is None:
            return False
        booking.status = Booking.Status.EXPIRED
        booking.save(update_fields=["status", "updated_at"])
        log_event(
            booking, BookingEvent.Kind.EXPIRED, actor="system", at=now, reason="hold_expired"
        )
    return True


def expire_holds(*, now: datetime | None = None) -> int:
    """Mark every hold whose time has passed as expired (cron's safety net); how many."""
    now = now or timezone.now()
    stale = Booking.objects.filter(status=Booking.Status.HELD, hold_expires_at__lte=now)
    return sum(
        expire_hold(booking_id=booking_id, now=now)
        for booking_id in list(stale.values_list("pk", flat=True))
    )


HOLD_EXPIRY = "booking.hold_expiry"


def _holds(event: BookingEvent) -> bool:
    return event.booking.status == Booking.Status.HELD and bool(event.booking.hold_expires_at)


def register() -> None:
    """A hold (for a payment, a payment link, or a free call's email confirmation) ends on
    time by an effect due at its end; the expire-holds tick is the safety net. Called from
    BookingConfig.ready()."""
    effects.register(
        HOLD_EXPIRY,
        on=[BookingEvent.Kind.CREATED],
        applies=_holds,
        due=lambda event: event.booking.hold_expires_at,
        run=lambda effect: expire_hold(booking_id=effect.booking_id),
    )
