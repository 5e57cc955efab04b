"""Slots read from the database: rules, overrides, time off, busy blocks and bookings.

The practitioner fixture works Mon–Fri 09:00–17:00 in Berlin; the assessment is 30 minutes
on a 30-minute grid with 12 hours' notice and a 60-day horizon. NOW is Wednesday
2026-12-02 09:00 in Berlin.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Booking, BusyBlock, DateOverride, TimeOff
from booking.selectors import available_slots, is_bookable
from practice.models import Offering
from tests.conftest import NOW
from tests.factories import insert_booking, make_offering, make_practitioner, make_session_offering

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY = date(2026, 12, 2)
THURSDAY = date(2026, 12, 3)
FRIDAY = date(2026, 12, 4)
SATURDAY = date(2026, 12, 5)
ALL_DAY = [f"{h:02}:{m:02}" for h in range(9, 17) for m in (0, 30)]


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def day_slots(offering, day, *, now=NOW, exclude=None):
    return available_slots(
        offering=offering,
        start=berlin(day, 0),
        end=berlin(day + timedelta(days=1), 0),
        now=now,
        exclude=exclude,
    )


def walls(slots) -> list[str]:
    return [f"{slot.start.astimezone(BERLIN):%H:%M}" for slot in slots]


def all_day_but(*missing: str) -> list[str]:
    return [wall for wall in ALL_DAY if wall not in missing]


def test_weekly_rules_give_her_hours_in_her_zone(assessment):
    slots = day_slots(assessment, THURSDAY)

    assert walls(slots) == ALL_DAY
    assert slots[0].start == berlin(THURSDAY, 9)
    assert day_slots(assessment, SATURDAY) == []


def test_an_override_without_times_closes_that_date_only(practitioner, assessment):
    DateOverride.objects.create(practitioner=practitioner, date=THURSDAY, note="Training")

    assert day_slots(assessment, THURSDAY) == []
    assert walls(day_slots(assessment, FRIDAY)) == ALL_DAY


def test_override_windows_replace_the_weekly_hours_for_that_date(practitioner, assessment):
    for start, end in ((time(14), time(15)), (time(10), time(11))):
        DateOverride.objects.create(
            practitioner=practitioner, date=THURSDAY, start_time=start, end_time=end
        )

    assert walls(day_slots(assessment, THURSDAY)) == ["10:00", "10:30", "14:00", "14:30"]
    assert walls(day_slots(assessment, FRIDAY)) == ALL_DAY


def test_an_override_opens_a_day_without_weekly_hours(practitioner, assessment):
    DateOverride.objects.create(
        practitioner=practitioner, date=SATURDAY, start_time=time(10), end_time=time(12)
    )

    assert walls(day_slots(assessment, SATURDAY)) == ["10:00", "10:30", "11:00", "11:30"]


def test_time_off_closes_every_day_of_its_range_both_ends_included(practitioner, assessment):
    TimeOff.objects.create(
        practitioner=practitioner, first_day=THURSDAY, last_day=date(2026, 12, 7)
    )

    assert day_slots(assessment, THURSDAY) == []
    assert day_slots(assessment, FRIDAY) == []
    assert day_slots(assessment, date(2026, 12, 7)) == []
    assert walls(day_slots(assessment, date(2026, 12, 8))) == ALL_DAY


def test_time_off_that_began_before_the_range_still_closes_it(practitioner, assessment):
    TimeOff.objects.create(
        practitioner=practitioner, first_day=date(2026, 11, 20), last_day=THURSDAY
    )

    assert day_slots(assessment, THURSDAY) == []
    assert walls(day_slots(assessment, FRIDAY)) == ALL_DAY


def test_a_busy_block_hides_the_slots_it_overlaps_and_only_those(practitioner, assessment):
    BusyBlock.objects.create(
        practitioner=practitioner, start=berlin(THURSDAY, 10, 15), end=berlin(THURSDAY, 11)
    )

    assert walls(day_slots(assessment, THURSDAY)) == all_day_but("10:00", "10:30")


def test_a_busy_block_from_the_evening_before_reaches_into_the_morning(practitioner, assessment):
    BusyBlock.objects.create(
        practitioner=practitioner, start=berlin(WEDNESDAY, 20), end=berlin(THURSDAY, 9, 30)
    )

    assert walls(day_slots(assessment, THURSDAY)) == all_day_but("09:00")


def test_busy_time_just_before_midnight_reaches_a_buffer_after_midnight(db):
    practitioner = make_practitioner(hours=((time(0), time(2)),))
    offering = make_offering(practitioner, buffer_before_minutes=15)
    BusyBlock.objects.create(
        practitioner=practitioner, start=berlin(WEDNESDAY, 23), end=berlin(WEDNESDAY, 23, 50)
    )

    # 00:00 would need 23:45–00:00 free.
    assert walls(day_slots(offering, THURSDAY)) == ["00:30", "01:00", "01:30"]


def test_a_confirmed_booking_blocks_its_blocked_span_and_the_offerings_buffers(
    practitioner, assessment
):
    session = make_session_offering(practitioner)
    insert_booking(session, berlin(THURSDAY, 10))  # 10:00–11:00, no buffers
    Offering.objects.filter(pk=assessment.pk).update(buffer_after_minutes=15)
    assessment.refresh_from_db()

    # 09:30 would end at 10:00 but keeps 15 minutes after it.
    assert walls(day_slots(assessment, THURSDAY)) == all_day_but("09:30", "10:00", "10:30")


def test_a_booking_with_buffers_keeps_its_buffers_from_the_next_booking(practitioner, db):
    offering = make_offering(
        practitioner, buffer_before_minutes=15, buffer_after_minutes=15, slot_step_minutes=15
    )
    insert_booking(offering, berlin(THURSDAY, 10))  # blocks 09:45–10:45

    found = walls(day_slots(offering, THURSDAY))

    assert found[:2] == ["09:00", "11:00"]  # blocking 08:45–09:45 and 10:45–11:45


def test_an_unexpired_hold_blocks_and_an_expired_one_does_not(assessment):
    held = Booking.Status.HELD
    insert_booking(
        assessment, berlin(THURSDAY, 10), status=held, hold_expires_at=NOW + timedelta(minutes=10)
    )
    insert_booking(
        assessment, berlin(THURSDAY, 11), status=held, hold_expires_at=NOW - timedelta(minutes=1)
    )
    insert_booking(assessment, berlin(THURSDAY, 12), status=held, hold_expires_at=NOW)

    assert walls(day_slots(assessment, THURSDAY)) == all_day_but("10:00")


def test_a_hold_frees_its_slot_the_moment_it_expires_with_no_job_run(assessment):
    expiry = NOW + timedelta(minutes=10)
    insert_booking(
        assessment, berlin(THURSDAY, 10), status=Booking.Status.HELD, hold_expires_at=expiry
    )

    assert "10:00" not in walls(day_slots(assessment, THURSDAY, now=expiry - timedelta(seconds=1)))
    assert "10:00" in walls(day_slots(assessment, THURSDAY, now=expiry))


@pytest.mark.parametrize("status", [Booking.Status.CANCELLED, Booking.Status.EXPIRED])
def test_cancelled_and_expired_bookings_neither_block_nor_count(practitioner, status):
    capped = make_offering(practitioner, daily_cap=1)
    insert_booking(capped, berlin(THURSDAY, 10), status=status)

    assert walls(day_slots(capped, THURSDAY)) == ALL_DAY


TOOK_PLACE = [Booking.Status.COMPLETED, Booking.Status.NO_SHOW]


@pytest.mark.parametrize("status", TOOK_PLACE)
def test_a_session_that_took_place_still_counts_toward_that_days_cap(practitioner, status):
    capped = make_offering(practitioner, daily_cap=1, min_notice_minutes=0)
    insert_booking(capped, berlin(WEDNESDAY, 9), status=status)
    now = berlin(WEDNESDAY, 9, 40)

    assert day_slots(capped, WEDNESDAY, now=now) == []
    assert walls(day_slots(capped, THURSDAY, now=now)) == ALL_DAY


@pytest.mark.parametrize("status", TOOK_PLACE)
def test_a_session_marked_as_it_starts_keeps_the_rest_of_its_time(practitioner, status):
    # mark_attendance accepts a booking as soon as it has started.
    insert_booking(make_session_offering(practitioner), berlin(WEDNESDAY, 10), status=status)
    offering = make_offering(practitioner, min_notice_minutes=0)

    found = walls(day_slots(offering, WEDNESDAY, now=berlin(WEDNESDAY, 10, 5)))

    assert found[0] == "11:00"


def test_the_daily_cap_counts_this_offering_on_her_local_day(db):
    practitioner = make_practitioner(hours=((time(0), time(2)), (time(9), time(17))))
    capped = make_offering(practitioner, daily_cap=1, min_notice_minutes=0)
    session = make_session_offering(practitioner)
    # 00:30 on Thursday in Berlin is 23:30 on Wednesday in UTC.
    insert_booking(capped, berlin(THURSDAY, 0, 30))
    insert_booking(session, berlin(FRIDAY, 10))
    insert_booking(capped, berlin(FRIDAY, 12), status=Booking.Status.CANCELLED)

    assert day_slots(capped, THURSDAY) == []
    assert walls(day_slots(capped, WEDNESDAY)) == ALL_DAY
    friday = walls(day_slots(capped, FRIDAY))
    assert "00:00" in friday
    assert "10:00" not in friday
    assert "12:00" in friday


def test_a_day_below_its_cap_keeps_its_free_slots(practitioner):
    capped = make_offering(practitioner, daily_cap=2)
    insert_booking(capped, berlin(THURSDAY, 10))

    assert walls(day_slots(capped, THURSDAY)) == all_day_but("10:00")


def test_another_practitioners_bookings_neither_block_nor_count(assessment):
    other = make_practitioner(name="Jo Other", email="jo@example.org")
    theirs = make_offering(other, slug="other-assessment")
    insert_booking(theirs, berlin(THURSDAY, 10))
    BusyBlock.objects.create(
        practitioner=other, start=berlin(THURSDAY, 9), end=berlin(THURSDAY, 17)
    )
    Offering.objects.filter(pk=assessment.pk).update(daily_cap=1)
    assessment.refresh_from_db()

    assert walls(day_slots(assessment, THURSDAY)) == ALL_DAY


def test_exclude_leaves_one_booking_out_of_busy_time_and_the_cap(practitioner):
    capped = make_offering(practitioner, daily_cap=1)
    booking = insert_booking(capped, berlin(THURSDAY, 10))

    assert day_slots(capped, THURSDAY) == []
    assert walls(day_slots(capped, THURSDAY, exclude=booking)) == ALL_DAY


def test_notice_and_horizon_come_from_the_offering(practitioner):
    offering = make_offering(practitioner, min_notice_minutes=90, horizon_days=2)

    # Notice: at 09:00 on Wednesday the earliest start is 10:30.
    assert walls(day_slots(offering, WEDNESDAY))[0] == "10:30"
    # Horizon: two days from Wednesday 09:00 ends as Friday's first slot would start.
    assert walls(day_slots(offering, THURSDAY)) == ALL_DAY
    assert day_slots(offering, FRIDAY) == []


def test_is_bookable_accepts_only_free_starts_on_the_grid(practitioner, assessment):
    BusyBlock.objects.create(
        practitioner=practitioner, start=berlin(THURSDAY, 11), end=berlin(THURSDAY, 12)
    )

    assert is_bookable(offering=assessment, start=berlin(THURSDAY, 10), now=NOW)
    assert not is_bookable(offering=assessment, start=berlin(THURSDAY, 10, 15), now=NOW)
    assert not is_bookable(offering=assessment, start=berlin(THURSDAY, 11), now=NOW)
    assert not is_bookable(offering=assessment, start=berlin(SATURDAY, 10), now=NOW)


def test_is_bookable_sees_busy_time_that_begins_after_the_start_it_checks(practitioner):
    offering = make_offering(practitioner, buffer_before_minutes=15)
    BusyBlock.objects.create(
        practitioner=practitioner, start=berlin(THURSDAY, 10, 15), end=berlin(THURSDAY, 10, 45)
    )
    BusyBlock.objects.create(
        practitioner=practitioner, start=berlin(THURSDAY, 13), end=berlin(THURSDAY, 13, 50)
    )

    assert not is_bookable(offering=offering, start=berlin(THURSDAY, 10), now=NOW)
    # 14:00 needs its 15 minutes before; busy time ends at 13:50.
    assert not is_bookable(offering=offering, start=berlin(THURSDAY, 14), now=NOW)
    assert is_bookable(offering=offering, start=berlin(THURSDAY, 14, 30), now=NOW)


def test_is_bookable_counts_the_whole_day_against_the_cap(practitioner):
    capped = make_offering(practitioner, daily_cap=1)
    insert_booking(capped, berlin(THURSDAY, 16))

    assert not is_bookable(offering=capped, start=berlin(THURSDAY, 9), now=NOW)
    assert is_bookable(offering=capped, start=berlin(FRIDAY, 9), now=NOW)


def test_her_hours_read_from_the_database_stay_put_across_spring_forward(assessment):
    now = datetime(2027, 3, 24, 8, 0, tzinfo=UTC)
    friday, monday = date(2027, 3, 26), date(2027, 3, 29)  # Berlin springs forward on 03-28

    before, after = day_slots(assessment, friday, now=now), day_slots(assessment, monday, now=now)

    assert walls(before) == walls(after) == ALL_DAY
    assert before[0].start == datetime(2027, 3, 26, 8, 0, tzinfo=UTC)
    assert after[0].start == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)


def test_the_number_of_queries_is_the_same_for_one_day_and_sixty_days(practitioner, assessment):
    for n in range(100):  # one every 14 hours: sixty days' worth
        insert_booking(assessment, berlin(THURSDAY, 10) + timedelta(hours=14 * n))
    for n in range(10):
        BusyBlock.objects.create(
            practitioner=practitioner,
            start=berlin(THURSDAY, 13) + timedelta(days=5 * n),
            end=berlin(THURSDAY, 14) + timedelta(days=5 * n),
        )
        DateOverride.objects.create(
            practitioner=practitioner,
            date=FRIDAY + timedelta(days=6 * n),
            start_time=time(8),
            end_time=time(12),
        )
    TimeOff.objects.create(
        practitioner=practitioner, first_day=date(2026, 12, 24), last_day=date(2027, 1, 1)
    )

    counts = []
    for days in (1, 60):
        offering = Offering.objects.get(pk=assessment.pk)
        with CaptureQueriesContext(connection) as queries:
            slots = available_slots(
                offering=offering,
                start=berlin(THURSDAY, 0),
                end=berlin(THURSDAY, 0) + timedelta(days=days),
                now=NOW,
            )
        assert slots
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 6
