"""Changes of a confirmed booking: reschedule, cancel, and after the meeting its attendance.

A client may change a booking only until the practice's cut-off; the practitioner and staff
at any time. A paid booking's cancellation goes through booking.payments (by
booking.payment_hooks), so its refund is decided in the cancellation's own transaction.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from booking import payment_hooks, refusals, selectors
from booking.models import Booking, BookingEvent
from booking.services import (
    ChangeNotAllowed,
    check_bookable,
    expire_stale_holds,
    lock_practitioner,
    log_event,
    refused,
    save_span,
)
from booking.slots import blocked_span

TOO_LATE_TO_CHANGE = "It is too close to the start to change this booking online."
WRONG_STATE = "This booking is {status} and cannot be changed."
ONLY_PRACTICE_OUTSIDE_HOURS = "Only the practice can move a booking outside the open times."
PRACTICE_ACTORS = ("practitioner", "staff")


def _check_may_change(booking: Booking, *, actor: str, now: datetime) -> None:
    """Only confirmed bookings change; a client only until the practice's cut-off."""
    if booking.status != Booking.Status.CONFIRMED:
        raise ChangeNotAllowed(WRONG_STATE.format(status=booking.get_status_display().lower()))
    if actor == "client" and now > booking.start - booking.practitioner.manage_cutoff:
        raise ChangeNotAllowed(TOO_LATE_TO_CHANGE)


def client_can_change(booking: Booking, now: datetime | None = None) -> bool:
    try:
        _check_may_change(booking, actor="client", now=now or timezone.now())
    except ChangeNotAllowed:
        return False
    return True


def reschedule(
    *,
    booking: Booking,
    new_start: datetime,
    actor: str = "client",
    actor_user=None,
    now=None,
    outside_open_times: bool = False,
    personal_line: str = "",
) -> Booking:
    """Move a confirmed booking to another bookable slot of the same offering.

    The booking keeps its UID; its SEQUENCE goes up so calendars update the event, and
    older manage links stop working. A client may do this only until the cut-off.

    The practitioner (``actor`` "practitioner") may move it outside her open times with
    ``outside_open_times``, having confirmed she means it: then notice, horizon, her hours
    and the day's cap do not apply, but a time in the past or one that meets another
    booking (buffers included) is still refused, as the database would refuse it too.
    Her ``personal_line`` goes into the client's (and partner's) email.
    """
    now = now or timezone.now()
    if outside_open_times and actor not in PRACTICE_ACTORS:
        raise ChangeNotAllowed(ONLY_PRACTICE_OUTSIDE_HOURS)
    offering = booking.offering
    span = blocked_span(new_start, selectors.slot_policy(offering))
    with transaction.atomic(durable=True):
        practitioner = lock_practitioner(booking.practitioner_id)
        booking = Booking.objects.select_related("offering", "practitioner").get(pk=booking.pk)
        _check_may_change(booking, actor=actor, now=now)
        expire_stale_holds(practitioner=practitioner, start=span.start, end=span.end, now=now)
        if outside_open_times:
            _check_free_of_bookings(booking, new_start, now=now)
        else:
            check_bookable(
                offering=offering,
                start=new_start,
                now=now,
                zone_name=booking.client_timezone,
                exclude=booking,
            )
        old_start = booking.start
        booking.start, booking.end = new_start, new_start + offering.duration
        booking.blocked_start, booking.blocked_end = span.start, span.end
        booking.sequence += 1
        save_span(booking)
        extra = {"outside_open_times": True} if outside_open_times else {}
        if personal_line.strip():
            extra["personal_line"] = personal_line.strip()
        log_event(
            booking,
            BookingEvent.Kind.RESCHEDULED,
            actor=actor,
            actor_user=actor_user,
            at=now,
            old_start=old_start.isoformat(),
            new_start=new_start.isoformat(),
            **extra,
        )
    return booking


def _check_free_of_bookings(booking: Booking, new_start: datetime, *, now: datetime) -> None:
    """Outside her open times, only two things still say no: the past, and another booking
    that keeps the time (no double booking, for her too)."""
    reason = None
    if new_start <= now:
        reason = refusals.Unbookable.PAST
    elif refusals.blocking_booking(
        offering=booking.offering, start=new_start, now=now, exclude=booking
    ):
        reason = refusals.Unbookable.TAKEN
    if reason is not None:
        raise refused(
            reason,
            offering=booking.offering,
            start=new_start,
            zone_name=booking.client_timezone,
            now=now,
            exclude=booking,
        )


def cancel(
    *, booking: Booking, actor: str = "client", reason: str = "", actor_user=None, now=None
) -> Booking:
    """Cancel a confirmed booking; its time is free at once and both sides are told.

    A paid booking is refunded on the way (booking.payments.refunds.cancel_paid_booking,
    reached through booking.payment_hooks): per the offering's policy when the client
    cancels, in full when the practitioner or staff do. Call cancel_paid_booking directly
    to choose otherwise.
    """
    paid = payment_hooks.cancel_if_paid(
        booking=booking, actor=actor, reason=reason, actor_user=actor_user, now=now
    )
    if paid is not None:
        return paid
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        lock_practitioner(booking.practitioner_id)
        booking = Booking.objects.select_related("offering", "practitioner").get(pk=booking.pk)
        _check_may_change(booking, actor=actor, now=now)
        mark_cancelled(booking, actor=actor, actor_user=actor_user, now=now, reason=reason)
    return booking


def mark_cancelled(booking: Booking, *, actor: str, actor_user, now: datetime, **data) -> None:
    """The cancellation itself, inside the caller's transaction: the status, a higher
    SEQUENCE (calendars drop the event), and the event its emails follow (booking.effects)."""
    booking.status = Booking.Status.CANCELLED
    booking.sequence += 1
    booking.save()
    log_event(
        booking, BookingEvent.Kind.CANCELLED, actor=actor, actor_user=actor_user, at=now, **data
    )


def mark_attendance(*, booking: Booking, attended: bool, actor_user=None, now=None) -> Booking:
    """After the meeting, the practitioner records whether it took place."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != Booking.Status.CONFIRMED or booking.start > now:
            raise ChangeNotAllowed(
                "Only a confirmed booking that has started can be marked as attended or missed."
            )
        booking.status = Booking.Status.COMPLETED if attended else Booking.Status.NO_SHOW
        booking.save(update_fields=["status", "updated_at"])
        kind = BookingEvent.Kind.COMPLETED if attended else BookingEvent.Kind.NO_SHOW
        log_event(booking, kind, actor="practitioner", actor_user=actor_user, at=now)
    return booking
