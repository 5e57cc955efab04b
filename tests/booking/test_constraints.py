"""The database's own rule against double booking (PostgreSQL's exclusion constraint).

Rows are written straight to the table (tests.factories.insert_booking), past every service
check, to show that the database alone refuses two blocking bookings of one practitioner
whose blocked spans overlap, and refuses nothing else.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from booking.models import Booking
from tests.factories import insert_booking, make_offering, make_practitioner
from tests.postgres import postgres_only

pytestmark = [
    *postgres_only(
        "SQLite has no exclusion constraint; there the rule is the IMMEDIATE write "
        "transaction around check and insert, which tests/booking/test_races.py covers"
    ),
]

CONSTRAINT = "booking_no_overlapping_blocking"
# Thursday 3 December 2026 in Berlin (UTC+1).
NINE = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
TEN = NINE + timedelta(hours=1)
BLOCKING = [Booking.Status.HELD, Booking.Status.CONFIRMED]
NOT_BLOCKING = [
    Booking.Status.CANCELLED,
    Booking.Status.EXPIRED,
    Booking.Status.COMPLETED,
    Booking.Status.NO_SHOW,
]
HOLD_EXPIRY = NINE - timedelta(hours=12)


def insert(offering, start, status=Booking.Status.CONFIRMED, **fields) -> Booking:
    if status == Booking.Status.HELD:
        fields.setdefault("hold_expires_at", HOLD_EXPIRY)
    return insert_booking(offering, start, status=status, **fields)


def assert_refused(offering, start, status=Booking.Status.CONFIRMED, **fields) -> None:
    with pytest.raises(IntegrityError, match=CONSTRAINT), transaction.atomic():
        insert(offering, start, status=status, **fields)


@pytest.fixture
def hour(practitioner):
    return make_offering(practitioner, slug="hour", name="Hour", duration_minutes=60)


@pytest.fixture
def buffered_hour(practitioner):
    """A 60-minute offering that keeps 15 minutes free after each meeting."""
    return make_offering(
        practitioner,
        slug="buffered-hour",
        name="Buffered hour",
        duration_minutes=60,
        buffer_after_minutes=15,
    )


@pytest.mark.parametrize("first", BLOCKING)
@pytest.mark.parametrize("second", BLOCKING)
def test_two_overlapping_blocking_bookings_are_refused(hour, first, second):
    insert(hour, NINE, status=first)

    assert_refused(hour, NINE + timedelta(minutes=30), status=second, email="b@example.org")
    assert_refused(hour, NINE, status=second, email="b@example.org")

    assert Booking.objects.count() == 1


def test_bookings_of_different_offerings_overlapping_are_refused(hour, assessment):
    insert(hour, NINE)

    assert_refused(assessment, NINE + timedelta(minutes=15), email="b@example.org")


def test_a_buffer_after_blocks_although_the_meetings_only_touch(buffered_hour, hour):
    insert(buffered_hour, NINE)  # meets 09:00–10:00, blocks 09:00–10:15

    assert_refused(hour, TEN, email="b@example.org")
    insert(hour, TEN + timedelta(minutes=15), email="c@example.org")


def test_a_buffer_before_blocks_although_the_meetings_only_touch(practitioner, hour):
    prepared = make_offering(
        practitioner, slug="prepared", name="Prepared", buffer_before_minutes=20
    )
    insert(hour, NINE)

    assert_refused(prepared, TEN, email="b@example.org")  # blocks from 09:40
    insert(prepared, TEN + timedelta(minutes=20), email="c@example.org")


def test_touching_blocked_spans_do_not_conflict(hour):
    insert(hour, NINE)  # [09:00, 10:00)
    insert(hour, TEN, email="b@example.org")  # [10:00, 11:00)
    insert(hour, NINE - timedelta(hours=1), email="c@example.org")  # [08:00, 09:00)

    assert Booking.objects.filter(status=Booking.Status.CONFIRMED).count() == 3


@pytest.mark.parametrize("status", NOT_BLOCKING)
def test_bookings_that_no_longer_block_do_not_conflict(hour, status):
    insert(hour, NINE, status=status)
    insert(hour, NINE, email="b@example.org")  # after the one that does not block
    insert(hour, NINE + timedelta(minutes=30), status=status, email="c@example.org")

    assert Booking.objects.filter(status__in=BLOCKING).count() == 1


@pytest.mark.parametrize("status", NOT_BLOCKING)
def test_bringing_a_booking_back_to_blocking_over_another_is_refused(hour, status):
    old = insert(hour, NINE, status=status)
    insert(hour, NINE, email="b@example.org")

    old.status = Booking.Status.CONFIRMED
    with pytest.raises(IntegrityError, match=CONSTRAINT), transaction.atomic():
        old.save(update_fields=["status"])


def test_moving_a_booking_onto_another_is_refused(hour):
    moving = insert(hour, NINE)
    insert(hour, TEN, email="b@example.org")

    moving.blocked_start, moving.blocked_end = TEN, TEN + timedelta(hours=1)
    moving.start, moving.end = moving.blocked_start, moving.blocked_end
    with pytest.raises(IntegrityError, match=CONSTRAINT), transaction.atomic():
        moving.save()


def test_a_held_booking_blocks_in_the_database_until_it_is_marked_expired(hour):
    """The constraint cannot see the clock: a hold past its expiry still conflicts until a
    service marks it expired (booking.services.expire_stale_holds does so in the same
    transaction before inserting)."""
    stale = insert(
        hour, NINE, status=Booking.Status.HELD, hold_expires_at=NINE - timedelta(days=1)
    )

    assert_refused(hour, NINE, email="b@example.org")

    stale.status = Booking.Status.EXPIRED
    stale.save(update_fields=["status"])
    insert(hour, NINE, email="b@example.org")


def test_different_practitioners_do_not_conflict(hour):
    colleague = make_practitioner(name="Dr. Jonas Berg", email="jonas@example.org")
    colleagues_hour = make_offering(colleague, slug="jonas-hour", duration_minutes=60)

    insert(hour, NINE)
    insert(colleagues_hour, NINE, email="b@example.org")

    assert Booking.objects.filter(start=NINE).count() == 2
