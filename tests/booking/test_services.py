from datetime import UTC, datetime, timedelta

import pytest

from booking import free_calls, refusals, selectors, services
from booking.models import Booking, BookingEvent
from tests.factories import insert_booking

THURSDAY_10_BERLIN = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def book(offering, start, email="ana@example.org", **kwargs):
    return free_calls.book_assessment(
        offering=offering,
        start=start,
        client_name="Ana",
        client_email=email,
        client_timezone="America/New_York",
        **kwargs,
    )


def test_booking_a_free_slot_confirms_it_and_logs_who_did_it(assessment, now):
    booking = book(assessment, THURSDAY_10_BERLIN, note="Trust after a breakup")

    assert booking.status == Booking.Status.CONFIRMED
    assert booking.end - booking.start == timedelta(minutes=30)
    assert list(booking.events.values_list("kind", "actor")) == [
        (BookingEvent.Kind.CREATED, "client")
    ]


def test_a_booked_slot_disappears_at_once(assessment, now):
    book(assessment, THURSDAY_10_BERLIN)
    day = selectors.available_slots(
        offering=assessment,
        start=THURSDAY_10_BERLIN - timedelta(hours=2),
        end=THURSDAY_10_BERLIN + timedelta(hours=2),
        now=now,
    )
    assert THURSDAY_10_BERLIN not in [slot.start for slot in day]
    assert THURSDAY_10_BERLIN + timedelta(minutes=30) in [slot.start for slot in day]


def test_the_same_slot_cannot_be_booked_twice(assessment, now):
    book(assessment, THURSDAY_10_BERLIN)
    with pytest.raises(services.SlotUnavailable) as refusal:
        book(assessment, THURSDAY_10_BERLIN, email="other@example.org")
    assert refusal.value.reason == refusals.Unbookable.TAKEN
    assert Booking.objects.count() == 1


def test_one_open_assessment_per_email_address_whatever_its_case(assessment, now):
    book(assessment, THURSDAY_10_BERLIN, email="Ana@Example.org")
    with pytest.raises(services.AlreadyBooked, match="already have a free assessment"):
        book(assessment, THURSDAY_10_BERLIN + timedelta(days=1), email="ana@example.ORG")


def test_a_past_assessment_does_not_stop_a_new_one(assessment, now):
    insert_booking(assessment, now - timedelta(days=7), email="ana@example.org")
    assert book(assessment, THURSDAY_10_BERLIN).status == Booking.Status.CONFIRMED


def test_an_expired_hold_does_not_block_and_is_marked_expired(assessment, now):
    stale = insert_booking(
        assessment,
        THURSDAY_10_BERLIN,
        status=Booking.Status.HELD,
        hold_expires_at=now - timedelta(minutes=1),
        email="slow@example.org",
    )
    book(assessment, THURSDAY_10_BERLIN)
    stale.refresh_from_db()
    assert stale.status == Booking.Status.EXPIRED
