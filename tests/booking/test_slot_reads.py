"""The slot search's own SQL reads back exactly what the ORM wrote, on either database."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from booking.intervals import instant, micros
from booking.models import AvailabilityRule, Booking, BusyBlock, DateOverride, TimeOff
from booking.slot_reads import block_rows, booking_rows, schedule_rows
from tests.factories import insert_booking

pytestmark = pytest.mark.django_db

CEST = timezone(timedelta(hours=2))
WIDE = {
    "start": datetime(2026, 1, 1, tzinfo=UTC),
    "end": datetime(2028, 1, 1, tzinfo=UTC),
    "now": datetime(2026, 3, 1, tzinfo=UTC),
}


def test_instants_read_back_are_the_instants_stored(practitioner):
    stored = [
        datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 10, 25, 2, 30, tzinfo=CEST),  # given in CEST, the night clocks go back
        datetime(2027, 1, 1, 0, 0, tzinfo=UTC),
    ]
    for moment in stored:
        BusyBlock.objects.create(
            practitioner=practitioner, start=moment, end=moment + timedelta(minutes=15)
        )
    span = {"start": WIDE["start"], "end": WIDE["end"]}
    rows = sorted(block_rows(practitioner.pk, **span))
    assert [(instant(start), instant(end)) for start, end in rows] == [
        (moment, moment + timedelta(minutes=15)) for moment in stored
    ]
    assert booking_rows(practitioner.pk, **WIDE) == []


def test_busy_blocks_are_read_within_the_range_half_open(practitioner):
    ten = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    for hours in (0, 1, 2):
        BusyBlock.objects.create(
            practitioner=practitioner,
            start=ten + timedelta(hours=hours),
            end=ten + timedelta(hours=hours, minutes=30),
        )
    # From the end of the first block to the start of the last: only the middle one meets it.
    between = {"start": ten + timedelta(minutes=30), "end": ten + timedelta(hours=2)}
    assert [instant(start) for start, _ in block_rows(practitioner.pk, **between)] == [
        ten + timedelta(hours=1)
    ]


def test_a_moved_busy_block_is_read_where_it_now_is(practitioner):
    ten = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    block = BusyBlock.objects.create(
        practitioner=practitioner, start=ten, end=ten + timedelta(minutes=30)
    )
    # The stored integers follow the instants on every write, a queryset update included.
    BusyBlock.objects.filter(pk=block.pk).update(
        start=ten + timedelta(days=1), end=ten + timedelta(days=1, hours=1)
    )
    span = {"start": WIDE["start"], "end": WIDE["end"]}
    assert [
        (instant(start), instant(end)) for start, end in block_rows(practitioner.pk, **span)
    ] == [(ten + timedelta(days=1), ten + timedelta(days=1, hours=1))]


def test_bookings_read_with_their_offering_span_and_start(assessment):
    assessment.buffer_before_minutes = 10
    assessment.save()
    start = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    insert_booking(assessment, start)
    [(offering_id, blocked_start, blocked_end, read_start, expires)] = booking_rows(
        assessment.practitioner.pk, **WIDE
    )
    assert offering_id == assessment.pk
    assert (instant(blocked_start), instant(blocked_end)) == (
        start - timedelta(minutes=10),
        start + assessment.duration,
    )
    assert instant(read_start) == start
    assert expires is None


def test_only_time_that_is_kept_is_read(assessment):
    now = WIDE["now"]
    day = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    kept = {
        insert_booking(assessment, day, status=status).pk
        for day, status in (
            (day, Booking.Status.CONFIRMED),
            (day + timedelta(hours=1), Booking.Status.COMPLETED),
            (day + timedelta(hours=2), Booking.Status.NO_SHOW),
        )
    }
    held = insert_booking(
        assessment,
        day + timedelta(hours=3),
        status=Booking.Status.HELD,
        hold_expires_at=now + timedelta(seconds=1),
        email="held@example.org",
    )
    for hours, status in ((4, Booking.Status.CANCELLED), (5, Booking.Status.EXPIRED)):
        insert_booking(assessment, day + timedelta(hours=hours), status=status)
    insert_booking(  # a hold whose expiry has passed, whatever its status still says
        assessment,
        day + timedelta(hours=6),
        status=Booking.Status.HELD,
        hold_expires_at=now,
        email="late@example.org",
    )
    rows = booking_rows(assessment.practitioner.pk, **WIDE)
    assert {instant(row[3]) for row in rows} == set(
        Booking.objects.filter(pk__in=kept | {held.pk}).values_list("start", flat=True)
    )
    # A hold says until when it blocks; nothing else does.
    assert {instant(row[3]): row[4] for row in rows if row[4] is not None} == {
        held.start: micros(held.hold_expires_at)
    }


def test_a_booking_can_be_left_out_and_the_range_is_half_open(assessment):
    start = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    first = insert_booking(assessment, start)
    second = insert_booking(assessment, start + timedelta(hours=2), email="b@example.org")
    pk = assessment.practitioner.pk
    rows = booking_rows(pk, **WIDE, exclude_id=first.pk)
    assert [instant(row[3]) for row in rows] == [second.start]
    touching = {**WIDE, "start": first.end, "end": second.start}  # between the two, exactly
    assert list(booking_rows(pk, **touching)) == []


def test_schedule_rows_read_rules_overrides_and_time_off(practitioner):
    AvailabilityRule.objects.all().delete()
    AvailabilityRule.objects.create(
        practitioner=practitioner, weekday=2, start_time=time(9), end_time=time(12, 30, 15)
    )
    DateOverride.objects.create(
        practitioner=practitioner, date=date(2026, 12, 5), start_time=time(10), end_time=time(11)
    )
    DateOverride.objects.create(practitioner=practitioner, date=date(2026, 12, 6))  # a day off
    DateOverride.objects.create(practitioner=practitioner, date=date(2027, 2, 1))  # too late
    TimeOff.objects.create(
        practitioner=practitioner, first_day=date(2026, 11, 30), last_day=date(2026, 12, 1)
    )
    TimeOff.objects.create(
        practitioner=practitioner, first_day=date(2026, 11, 1), last_day=date(2026, 11, 30)
    )  # ends the day before the range
    rows = sorted(
        schedule_rows(practitioner.pk, date(2026, 12, 1), date(2026, 12, 31)),
        key=lambda row: (row[0], row[2] or date.min),
    )
    assert rows == [
        (0, 2, None, None, time(9), time(12, 30, 15)),
        (1, None, date(2026, 12, 5), None, time(10), time(11)),
        (1, None, date(2026, 12, 6), None, None, None),
        (2, None, date(2026, 11, 30), date(2026, 12, 1), None, None),
    ]
