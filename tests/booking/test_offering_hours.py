"""An offering with a week of its own: its slots follow that week, every other offering keeps
her hours, and overrides, time off and bookings of any offering still apply to all.

The practitioner works Mon–Fri 09:00–17:00 in Berlin; NOW is Wednesday 2026-12-02.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booking.hours import set_weekly_hours
from booking.models import AvailabilityRule, DateOverride, TimeOff
from booking.refusals import Unbookable, unbookable_reason
from booking.selectors import available_slots
from booking.slot_reads import schedule_rows
from tests.conftest import NOW
from tests.factories import insert_booking, make_session_offering

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 12, 7)
TUESDAY = date(2026, 12, 8)


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def walls(offering, day) -> list[str]:
    slots = available_slots(
        offering=offering, start=berlin(day, 0), end=berlin(day + timedelta(days=1), 0), now=NOW
    )
    return [f"{slot.start.astimezone(BERLIN):%H:%M}" for slot in slots]


@pytest.fixture
def tuesday_afternoons(assessment):
    """Free calls only on Tuesday afternoons."""
    set_weekly_hours(
        practitioner=assessment.practitioner,
        offering=assessment,
        week={1: [(time(14), time(16))]},
    )
    return assessment


def test_an_offerings_own_week_replaces_her_hours_for_it(tuesday_afternoons):
    assert walls(tuesday_afternoons, MONDAY) == []
    assert walls(tuesday_afternoons, TUESDAY) == ["14:00", "14:30", "15:00", "15:30"]


def test_other_offerings_keep_her_hours(tuesday_afternoons):
    session = make_session_offering(tuesday_afternoons.practitioner)
    her_day = [f"{h:02}:{m:02}" for h in range(9, 17) for m in (0, 30)][:-1]  # 60 minutes
    assert walls(session, MONDAY) == her_day
    assert walls(session, TUESDAY) == her_day


def test_without_its_own_week_an_offering_uses_her_hours_again(tuesday_afternoons):
    set_weekly_hours(
        practitioner=tuesday_afternoons.practitioner, offering=tuesday_afternoons, week={}
    )
    assert walls(tuesday_afternoons, MONDAY)[0] == "09:00"
    assert not AvailabilityRule.objects.filter(offering=tuesday_afternoons).exists()


def test_time_off_and_overrides_apply_to_an_offerings_own_week(tuesday_afternoons):
    practitioner = tuesday_afternoons.practitioner
    TimeOff.objects.create(practitioner=practitioner, first_day=TUESDAY, last_day=TUESDAY)
    assert walls(tuesday_afternoons, TUESDAY) == []
    TimeOff.objects.all().delete()
    DateOverride.objects.create(
        practitioner=practitioner, date=TUESDAY, start_time=time(10), end_time=time(11)
    )
    assert walls(tuesday_afternoons, TUESDAY) == ["10:00", "10:30"]


def test_bookings_of_any_offering_block_an_offerings_own_week(tuesday_afternoons):
    session = make_session_offering(tuesday_afternoons.practitioner)
    insert_booking(session, berlin(TUESDAY, 14))  # an hour's session
    assert walls(tuesday_afternoons, TUESDAY) == ["15:00", "15:30"]


def test_public_slots_follow_the_offerings_own_week(client, tuesday_afternoons, now):
    answer = client.get(
        reverse("api:slots"),
        {"offering": "assessment", "start": "2026-12-07", "end": "2026-12-08"},
    ).json()
    starts = [slot["start"][11:16] for slot in answer["slots"]]
    assert starts == ["14:00", "14:30", "15:00", "15:30"]


def test_a_day_outside_its_own_week_is_a_day_off_for_it(tuesday_afternoons, now):
    assert (
        unbookable_reason(offering=tuesday_afternoons, start=berlin(MONDAY, 10), now=NOW)
        == Unbookable.DAY_OFF
    )


def test_schedule_rows_mark_the_offerings_own_rules(tuesday_afternoons):
    practitioner = tuesday_afternoons.practitioner
    rows = list(schedule_rows(practitioner.pk, MONDAY, MONDAY, offering_id=tuesday_afternoons.pk))
    assert (3, 1, None, None, time(14), time(16)) in rows
    assert (0, 0, None, None, time(9), time(17)) in rows
    general_only = list(schedule_rows(practitioner.pk, MONDAY, MONDAY))
    assert {row[0] for row in general_only} == {0}


def test_another_offerings_own_week_is_not_read(tuesday_afternoons):
    session = make_session_offering(tuesday_afternoons.practitioner)
    rows = list(schedule_rows(session.practitioner.pk, MONDAY, MONDAY, offering_id=session.pk))
    assert {row[0] for row in rows} == {0}


def test_an_own_week_costs_no_extra_query(assessment, tuesday_afternoons):
    session = make_session_offering(assessment.practitioner)
    counts = []
    for offering in (session, tuesday_afternoons):
        with CaptureQueriesContext(connection) as queries:
            available_slots(
                offering=offering,
                start=berlin(MONDAY, 0),
                end=berlin(MONDAY, 0) + timedelta(days=14),
                now=NOW,
            )
        counts.append(len(queries))
    assert counts[0] == counts[1] == 3  # the schedule, her bookings, her busy blocks
