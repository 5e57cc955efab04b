"""Writes: every change of a booking, each one durable transaction.

Each entry point locks the practitioner's row (the lock that serialises her booking
decisions), re-checks the slot inside the lock, writes the booking and its audit event, and
sends email only after commit. On PostgreSQL an exclusion constraint stands behind the
check; on SQLite every write transaction begins IMMEDIATE.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from booking import refusals, selectors
from booking.intervals import Interval
from booking.models import Booking, BookingEvent
from booking.slots import blocked_span
from intake import crypto
from practice.errors import UserFacingError
from practice.models import Offering, Practitioner

PRIVACY_NOTICE_VERSION = "2026-12"  # templates/privacy.html; bump on every change

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
TOO_MANY_UNCONFIRMED = (
    "This address already has {count} bookings waiting to be confirmed or paid. Please "
    "finish or release one of them (the links are in your email), or wait until they lapse, "
    "then book this one."
)
CONFIRMATION_LAPSED = (
    "This booking was not confirmed in time, so its time was freed for others. You are "
    "welcome to book again."
)
NOT_FREE = "This offering is paid and cannot be booked without payment."
NOT_ACTIVE = "This offering cannot be booked at the moment."
TOO_LATE_TO_CHANGE = "It is too close to the start to change this booking online."
WRONG_STATE = "This booking is {status} and cannot be changed."
ONLY_PRACTICE_OUTSIDE_HOURS = "Only the practice can move a booking outside the open times."
PRACTICE_ACTORS = ("practitioner", "staff")


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


def _lock_practitioner(practitioner_id: int) -> Practitioner:
    return Practitioner.objects.select_for_update().get(pk=practitioner_id)


def _log(booking: Booking, kind: str, *, actor: str, at: datetime, actor_user=None, **data):
    BookingEvent.objects.create(
        booking=booking, kind=kind, actor=actor, actor_user=actor_user, data=data, at=at
    )


def _notify_on_commit(booking: Booking, change: str) -> None:
    from booking.tasks import send_booking_notifications

    transaction.on_commit(
        lambda: send_booking_notifications.enqueue(booking_id=booking.pk, change=change)
    )
    if change == "confirmed":
        from intake.tasks import assign_intake

        transaction.on_commit(lambda: assign_intake.enqueue(booking_id=booking.pk))


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
        _log(booking, BookingEvent.Kind.EXPIRED, actor="system", at=now)


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
    return _save_span(
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


def _save_span(booking: Booking) -> Booking:
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
            practitioner = _lock_practitioner(offering.practitioner_id)
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
            _log(
                booking,
                BookingEvent.Kind.CREATED,
                actor="client",
                at=now,
                start=start.isoformat(),
                **({"awaiting_email_confirmation": True} if confirm_by_email else {}),
            )
            if confirm_by_email:
                _ask_confirmation_on_commit(booking)
            else:
                _notify_on_commit(booking, "confirmed")
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


def check_unconfirmed_ceiling(*, email: str, now: datetime) -> None:
    """Refuse one more unconfirmed booking (a free call awaiting its email confirmation,
    an unpaid hold) for an address that has settings.MAX_UNCONFIRMED_PER_ADDRESS already:
    holds cost nothing to make, and each keeps a time from everyone else."""
    ceiling = settings.MAX_UNCONFIRMED_PER_ADDRESS
    if selectors.unconfirmed_count(email=email, now=now) >= ceiling:
        raise BookingError(TOO_MANY_UNCONFIRMED.format(count=ceiling))


def _ask_confirmation_on_commit(booking: Booking) -> None:
    """Email the client the link that confirms ``booking``, and let its hold lapse on time."""
    from booking.tasks import schedule_hold_expiry, send_confirmation_request

    booking_id, at = booking.pk, booking.hold_expires_at
    transaction.on_commit(lambda: send_confirmation_request.enqueue(booking_id=booking_id))
    transaction.on_commit(lambda: schedule_hold_expiry(booking_id=booking_id, at=at))


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
        _lock_practitioner(booking.practitioner_id)
        booking = Booking.objects.select_related("offering", "practitioner").get(pk=booking.pk)
        if booking.status == Booking.Status.CONFIRMED:
            return booking
        if not free_call_awaits_confirmation(booking, now):
            raise ChangeNotAllowed(CONFIRMATION_LAPSED)
        booking.status = Booking.Status.CONFIRMED
        booking.hold_expires_at = None
        booking.save(update_fields=["status", "hold_expires_at", "updated_at"])
        _log(booking, BookingEvent.Kind.CONFIRMED, actor="client", at=now, by="email_link")
        _notify_on_commit(booking, "confirmed")
    return booking


def resend_manage_link(booking: Booking) -> bool:
    """Email the booking's current manage link to the address it was booked with, at most
    once in RESEND_LINK_EVERY per booking, so that neither an old link nor a repeated form
    can flood the client's inbox. Only ever to that address. True if it was sent now.

    A free call still waiting for its confirmation gets its confirmation link instead: its
    manage link is not the client's until they have shown the address is theirs."""
    from booking.tasks import send_confirmation_request, send_manage_link

    if not cache.add(f"booking:link-sent:{booking.public_id}", True, timeout=RESEND_LINK_EVERY):
        return False
    if booking.status == Booking.Status.HELD and booking.offering.is_free:
        send_confirmation_request.enqueue(booking_id=booking.pk)
    else:
        send_manage_link.enqueue(booking_id=booking.pk)
    return True


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
        practitioner = _lock_practitioner(booking.practitioner_id)
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
        _save_span(booking)
        extra = {"outside_open_times": True} if outside_open_times else {}
        if personal_line.strip():
            extra["personal_line"] = personal_line.strip()
        _log(
            booking,
            BookingEvent.Kind.RESCHEDULED,
            actor=actor,
            actor_user=actor_user,
            at=now,
            old_start=old_start.isoformat(),
            new_start=new_start.isoformat(),
            **extra,
        )
        _notify_on_commit(booking, "rescheduled")
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

    A paid booking is refunded on the way (booking.payments.services.cancel_paid_booking):
    per the offering's policy when the client cancels, in full when the practitioner or
    staff do. Call cancel_paid_booking directly to choose otherwise.
    """
    from booking.payments.models import Payment
    from booking.payments.services import cancel_paid_booking

    if Payment.objects.filter(booking_id=booking.pk).exists():
        return cancel_paid_booking(
            booking=booking,
            actor=actor,
            waive_policy=actor != "client",
            reason=reason,
            actor_user=actor_user,
            now=now,
        ).booking
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        _lock_practitioner(booking.practitioner_id)
        booking = Booking.objects.select_related("offering", "practitioner").get(pk=booking.pk)
        _check_may_change(booking, actor=actor, now=now)
        mark_cancelled(booking, actor=actor, actor_user=actor_user, now=now, reason=reason)
    return booking


def mark_cancelled(booking: Booking, *, actor: str, actor_user, now: datetime, **data) -> None:
    """The cancellation itself, inside the caller's transaction: the status, a higher
    SEQUENCE (calendars drop the event), the audit row, and the emails after commit."""
    booking.status = Booking.Status.CANCELLED
    booking.sequence += 1
    booking.save()
    _log(booking, BookingEvent.Kind.CANCELLED, actor=actor, actor_user=actor_user, at=now, **data)
    _notify_on_commit(booking, "cancelled")


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
        _log(booking, kind, actor="practitioner", actor_user=actor_user, at=now)
    return booking


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
        _lock_practitioner(practitioner_id)
        booking = Booking.objects.filter(
            pk=booking_id, status=Booking.Status.HELD, hold_expires_at__lte=now
        ).first()
        if booking is None:
            return False
        booking.status = Booking.Status.EXPIRED
        booking.save(update_fields=["status", "updated_at"])
        _log(booking, BookingEvent.Kind.EXPIRED, actor="system", at=now, reason="hold_expired")
    return True


def expire_holds(*, now: datetime | None = None) -> int:
    """Mark every hold whose time has passed as expired (cron's safety net); how many."""
    now = now or timezone.now()
    stale = Booking.objects.filter(status=Booking.Status.HELD, hold_expires_at__lte=now)
    return sum(
        expire_hold(booking_id=booking_id, now=now)
        for booking_id in list(stale.values_list("pk", flat=True))
    )
