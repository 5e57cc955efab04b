"""Reads: the schedule, busy time and bookable slots of a practitioner.

Three queries for a slot search whatever the range or the number of bookings: the schedule
(weekly rules, overrides, time off, one UNION), her bookings and her busy blocks
(booking.slot_reads), handed to the pure engines. Round trips and Django's per-query work,
not the engines, were most of a request's time.
"""

from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q

from booking import slot_reads, slot_search
from booking.intervals import Interval, instant
from booking.models import Booking
from booking.slots import SlotPolicy
from practice import crypto
from practice.models import Offering, Practitioner


def offering_to_read(slug: str) -> Offering | None:
    """``bookable_offering`` for a read outside a transaction (a week of slots, the API).

    The offering is kept under the slug with the slots version it was read with. Every
    change to any of her offerings (a slug, whether it is active) or to her own row
    changes her version, and slugs are unique, so while her version is the same the kept
    offering is still the one of that name: a repeated read costs one query by primary
    key. The offering returned may be shared with other reads: do not change it.
    """
    if connection.in_atomic_block:
        return bookable_offering(slug)
    key = ("offering", slug)
    kept = slot_search.KEPT.get(key)
    if kept is not None and slot_reads.slots_version(kept.practitioner_id) == kept.slots_version:
        return kept
    offering = bookable_offering(slug)
    if offering is not None and offering.slots_version is not None:
        slot_search.KEPT.put(key, offering)
    return offering


def active_offerings() -> tuple[Offering, ...]:
    """Every active offering, as the API lists them. Outside a transaction the list is kept
    under every practitioner's slots version, read in one query: any change to an
    offering changes its practitioner's version, and a new practitioner adds one. The
    offerings may be shared with other reads: do not change them."""
    if connection.in_atomic_block:
        return tuple(Offering.objects.filter(is_active=True))
    key = ("offerings", slot_reads.all_slots_versions())
    offerings = slot_search.KEPT.get(key)
    if offerings is None:
        offerings = tuple(Offering.objects.filter(is_active=True))
        slot_search.KEPT.put(key, offerings)
    return offerings


def bookable_offering(slug: str) -> Offering | None:
    """The active offering named ``slug``, with its practitioner, or None. It carries her
    slots version (``slots_version``, booking.models_slots), read with it, so that a search
    outside a transaction may use kept answers (booking.slot_search); the version comes in
    the same read as the offering, before any data it covers.

    Two plain reads instead of one ORM join: every slot search and booking starts here, and
    composing and compiling the joined queryset took longer than both round trips (about
    1.3 ms of a 3 ms one-week slots request).
    """
    offering = next(iter(Offering.objects.raw(slot_reads.offering_sql(), [slug])), None)
    if offering is not None:
        practitioner_table = connection.ops.quote_name(Practitioner._meta.db_table)
        offering.practitioner = Practitioner.objects.raw(
            f"SELECT * FROM {practitioner_table} WHERE id = %s",  # noqa: S608
            [offering.practitioner_id],
        )[0]
    return offering


def booking_note(booking: Booking) -> str:
    """What the client wrote when booking ("what brings you"), decrypted; "" if nothing.

    For the practitioner's eyes only: the one caller is her intake review, which logs the
    read (intake.services.record_reads).
    """
    if booking.note_encrypted is None:
        return ""
    return crypto.decrypt_json(booking.note_encrypted)


def blocking_at(now: datetime) -> Q:
    """Bookings that keep their time at ``now``: confirmed ones, and holds whose expiry has
    not passed. An expired hold is free the moment it expires, whatever its status says."""
    return Q(status=Booking.Status.CONFIRMED) | Q(
        status=Booking.Status.HELD, hold_expires_at__gt=now
    )


def blocking_bookings(
    practitioner: Practitioner, *, start: datetime, end: datetime, now: datetime
) -> Q:
    """Bookings whose blocked span meets ``[start, end)`` and that block at ``now``."""
    return Q(practitioner=practitioner, blocked_start__lt=end, blocked_end__gt=start) & (
        blocking_at(now)
    )


def slot_policy(offering: Offering) -> SlotPolicy:
    return SlotPolicy(
        duration=offering.duration,
        step=timedelta(minutes=offering.slot_step_minutes),
        buffer_before=offering.buffer_before,
        buffer_after=offering.buffer_after,
        daily_cap=offering.daily_cap,
    )


def booking_window(offering: Offering, now: datetime) -> tuple[datetime, datetime]:
    """The earliest and latest start the offering's notice and horizon allow."""
    return (
        now + timedelta(minutes=offering.min_notice_minutes),
        now + timedelta(days=offering.horizon_days),
    )


def _open_and_free(
    *,
    offering: Offering,
    start: datetime,
    end: datetime,
    now: datetime,
    exclude: Booking | None,
    ignore_busy: bool,
    with_open: bool,
) -> tuple[list[Interval], list[Interval]]:
    """Free slots starting in ``[start, end)`` at ``now``, and (``with_open``) the slots
    that would be open if nothing were booked: one schedule read and one busy read for
    both (booking.slot_search), or none when the answer is kept."""
    earliest, latest = booking_window(offering, now)
    earliest, latest = max(start, earliest), min(end, latest)
    if earliest >= latest:
        return [], []
    if exclude is None and not ignore_busy and slot_search.may_keep(offering):
        found = slot_search.kept_or_computed(offering, start, end, now, with_open=with_open)
        free = slot_search.within(found.free, earliest, latest)
        opened = slot_search.within(found.opened, earliest, latest)
    else:
        free, opened, _ = slot_search.compute(
            offering,
            earliest,
            latest,
            now,
            exclude_id=None if exclude is None else exclude.pk,
            with_busy=not ignore_busy,
            with_open=with_open,
        )
    duration = offering.duration
    return (
        [Interval(instant(start), instant(start) + duration) for start in free],
        [Interval(instant(start), instant(start) + duration) for start in opened],
    )


def available_slots(
    *,
    offering: Offering,
    start: datetime,
    end: datetime,
    now: datetime,
    exclude: Booking | None = None,
    ignore_busy: bool = False,
) -> list[Interval]:
    """Slots of ``offering`` that start in ``[start, end)`` and can be booked at ``now``.

    ``exclude`` leaves one booking out of the busy time (rescheduling it); ``ignore_busy``
    gives the open times as if nothing were booked (to tell "taken" from "never open").
    """
    free, _ = _open_and_free(
        offering=offering,
        start=start,
        end=end,
        now=now,
        exclude=exclude,
        ignore_busy=ignore_busy,
        with_open=False,
    )
    return free


def is_bookable(
    *,
    offering: Offering,
    start: datetime,
    now: datetime,
    exclude: Booking | None = None,
    ignore_busy: bool = False,
) -> bool:
    slots = available_slots(
        offering=offering,
        start=start,
        end=start + timedelta(seconds=1),
        now=now,
        exclude=exclude,
        ignore_busy=ignore_busy,
    )
    return any(slot.start == start for slot in slots)


def nearest_slots(
    *, offering: Offering, around: datetime, now: datetime, count: int = 6
) -> list[Interval]:
    """The free slots closest to ``around`` (before or after), for "just taken" pages."""
    slots = available_slots(
        offering=offering,
        start=around - timedelta(days=7),
        end=around + timedelta(days=14),
        now=now,
    )
    return sorted(sorted(slots, key=lambda slot: abs(slot.start - around))[:count])


def open_assessment_for(*, email: str, practitioner: Practitioner, now: datetime):
    """The client's upcoming assessment call, if any (one open assessment per address)."""
    return (
        Booking.objects.filter(
            practitioner=practitioner,
            offering__kind=Offering.Kind.ASSESSMENT,
            client_email__iexact=email,
            end__gt=now,
        )
        .filter(blocking_at(now))
        .first()
    )


def unconfirmed_count(*, email: str, now: datetime) -> int:
    """How many running holds (free calls awaiting their email confirmation, unpaid
    bookings) the address has, with any practitioner."""
    return Booking.objects.filter(
        client_email__iexact=email, status=Booking.Status.HELD, hold_expires_at__gt=now
    ).count()


def name_used_by(user) -> str:
    """The name a signed-in client last booked under, by account or by its address (their
    free call was booked before they had an account), for their next booking's form."""
    latest = (
        Booking.objects.filter(Q(client=user) | Q(client_email__iexact=user.email))
        .order_by("-created_at")
        .first()
    )
    return latest.client_name if latest else ""


class Day(NamedTuple):
    """One date of a week view: its free slots, and whether it is fully booked (it had
    open times within the notice and horizon, and bookings or busy time took them all)."""

    day: date
    slots: list[Interval]
    fully_booked: bool


def slots_by_day(
    *,
    offering: Offering,
    zone: ZoneInfo,
    first_day: date,
    days: int,
    now: datetime,
    exclude: Booking | None = None,
) -> list[Day]:
    """A week view: each of ``days`` dates in the visitor's ``zone`` with its slots."""
    start = datetime.combine(first_day, time(0), tzinfo=zone)
    end = datetime.combine(first_day + timedelta(days=days), time(0), tzinfo=zone)
    free, opened = _open_and_free(
        offering=offering,
        start=start,
        end=end,
        now=now,
        exclude=exclude,
        ignore_busy=False,
        with_open=True,
    )
    grouped: dict[date, list[Interval]] = {first_day + timedelta(days=n): [] for n in range(days)}
    for slot in free:
        grouped[slot.start.astimezone(zone).date()].append(slot)
    open_days = {slot.start.astimezone(zone).date() for slot in opened}
    return [Day(day, slots, not slots and day in open_days) for day, slots in grouped.items()]


def first_available(
    *, offering: Offering, now: datetime, exclude: Booking | None = None
) -> Interval | None:
    """The earliest bookable slot within the horizon, for "next free time" hints."""
    earliest, latest = booking_window(offering, now)
    slots = available_slots(
        offering=offering, start=earliest, end=latest, now=now, exclude=exclude
    )
    return slots[0] if slots else None
