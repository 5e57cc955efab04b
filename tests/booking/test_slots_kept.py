"""Kept slot answers (booking.slot_search): a repeated read costs one query, and no change of
any kind is ever answered from a stale copy.

These tests commit (``transaction=True``), as a web process does: the slots version is
changed by the database at commit, and only reads outside a transaction use kept answers.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar, Event

from booking import booking_changes, selectors, slot_search
from booking.calendars import imports
from booking.models import (
    AvailabilityRule,
    Booking,
    BusyBlock,
    DateOverride,
    ExternalCalendar,
    TimeOff,
)
from tests.calendar_server import Feeds
from tests.conftest import NOW
from tests.factories import insert_booking, make_offering, make_practitioner

pytestmark = pytest.mark.django_db(transaction=True)

THURSDAY = date(2026, 12, 3)  # NOW is the Wednesday before, 09:00 in Berlin
THURSDAY_10 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
QUERY = {"offering": "assessment", "start": "2026-12-03", "end": "2026-12-03"}


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def read(client) -> list[str]:
    answer = client.get("/api/v1/slots", QUERY | {"timezone": "Europe/Berlin"})
    assert answer.status_code == 200
    return [slot["start"][11:16] for slot in answer.json()["slots"]]


def afresh(client) -> list[str]:
    slot_search.KEPT.clear()
    return read(client)


def book_through_the_api(client, assessment, clock):
    body = {
        "offering": "assessment",
        "start": "2026-12-03T10:00:00+01:00",
        "name": "Ana",
        "email": "ana@example.org",
        "timezone": "Europe/Berlin",
        "consent": True,
    }
    assert client.post("/api/v1/bookings", body, content_type="application/json").status_code in (
        201,
        202,
    )


def cancel_a_booking(client, assessment, clock):
    booking = Booking.objects.get()
    booking_changes.cancel(booking=booking, actor="practitioner")


def move_a_booking_in_bulk(client, assessment, clock):
    later = timedelta(hours=3)
    Booking.objects.update(
        start=THURSDAY_10 + later,
        end=THURSDAY_10 + later + assessment.duration,
        blocked_start=THURSDAY_10 + later,
        blocked_end=THURSDAY_10 + later + assessment.duration,
    )


def let_a_hold_expire(client, assessment, clock):
    clock.move_to(NOW + timedelta(minutes=20))  # no write at all: the hold simply ends


def let_the_notice_pass_the_morning(client, assessment, clock):
    clock.move_to(datetime(2026, 12, 2, 23, 0, tzinfo=UTC))  # notice now ends 12:00 Thursday


def import_busy_time(client, assessment, clock):
    event = Event.new(
        uid="dentist", start=THURSDAY_10, end=THURSDAY_10 + timedelta(hours=1), summary="Dentist"
    )
    Feeds.routes["/thursday.ics"] = (200, {}, Calendar.new(subcomponents=[event]).to_ical())
    calendar = ExternalCalendar(
        practitioner=assessment.practitioner, kind="feed", name="Mine", host="x"
    )
    calendar.set_secrets(url=clock.server + "/thursday.ics")
    calendar.save()
    assert imports.sync(calendar, NOW)


def remove_busy_time(client, assessment, clock):
    BusyBlock.objects.all().delete()


def move_busy_time_in_bulk(client, assessment, clock):
    later = THURSDAY_10 + timedelta(hours=3)  # its stored integers follow; her version changes
    BusyBlock.objects.update(start=later, end=later + timedelta(hours=1))


def enter_busy_time_in_the_admin(client, assessment, clock):
    staff = Client()
    staff.force_login(
        get_user_model().objects.create_superuser("admin", "admin@example.org", "unused-pw")
    )
    answer = staff.post(
        reverse("admin:booking_busyblock_add"),
        {
            "practitioner": assessment.practitioner.pk,
            "start_0": "2026-12-03",  # in her zone, as the admin shows her
            "start_1": "10:00",
            "end_0": "2026-12-03",
            "end_1": "11:00",
            "source": BusyBlock.Source.MANUAL,
            "external_uid": "",
        },
    )
    assert answer.status_code == 302, answer.content.decode()
    assert BusyBlock.objects.get().start == THURSDAY_10


def shorten_her_hours(client, assessment, clock):
    AvailabilityRule.objects.update(end_time=time(12))


def take_the_day_off(client, assessment, clock):
    DateOverride.objects.create(practitioner=assessment.practitioner, date=THURSDAY)


def take_time_off(client, assessment, clock):
    TimeOff.objects.create(
        practitioner=assessment.practitioner, first_day=THURSDAY, last_day=THURSDAY
    )


def lengthen_the_offering(client, assessment, clock):
    assessment.duration_minutes = 90
    assessment.save()


def move_her_zone(client, assessment, clock):
    practitioner = assessment.practitioner
    practitioner.timezone = "Europe/Lisbon"
    practitioner.save()


def a_booking_at_ten(assessment, **fields):
    insert_booking(assessment, THURSDAY_10, **fields)


def a_hold_at_ten(assessment):
    a_booking_at_ten(
        assessment, status=Booking.Status.HELD, hold_expires_at=NOW + timedelta(minutes=10)
    )


def busy_at_ten(assessment):
    BusyBlock.objects.create(
        practitioner=assessment.practitioner,
        start=THURSDAY_10,
        end=THURSDAY_10 + timedelta(hours=1),
    )


CHANGES = [
    (book_through_the_api, None),
    (cancel_a_booking, a_booking_at_ten),
    (move_a_booking_in_bulk, a_booking_at_ten),
    (let_a_hold_expire, a_hold_at_ten),
    (let_the_notice_pass_the_morning, None),
    (import_busy_time, None),
    (remove_busy_time, busy_at_ten),
    (move_busy_time_in_bulk, busy_at_ten),
    (enter_busy_time_in_the_admin, None),
    (shorten_her_hours, None),
    (take_the_day_off, None),
    (take_time_off, None),
    (lengthen_the_offering, None),
    (move_her_zone, None),
]


@pytest.mark.parametrize(("change", "before_it"), CHANGES, ids=[c.__name__ for c, _ in CHANGES])
def test_no_change_is_ever_answered_from_a_kept_copy(
    client, assessment, clock, calendar_server, change, before_it
):
    clock.server = calendar_server
    if before_it is not None:
        before_it(assessment)
    before = read(client)
    with CaptureQueriesContext(connection) as kept_read:
        assert read(client) == before
    assert len(kept_read.captured_queries) == 1  # her slots version; the rest was kept

    change(client, assessment, clock)

    after = read(client)
    assert after != before  # the change shows
    assert after == afresh(client)  # exactly as a search from nothing finds it


def test_a_repeated_week_page_reads_only_her_slots_version(client, assessment, clock):
    page = "/book/assessment/?week=2026-12-03&tz=Europe/Berlin"
    first = client.get(page)
    with CaptureQueriesContext(connection) as again:
        second = client.get(page)
    assert second.status_code == first.status_code == 200
    assert second.content.count(b'class="slot"') == first.content.count(b'class="slot"') > 0
    slot_reads = [q["sql"] for q in again.captured_queries if "booking_slotsversion" in q["sql"]]
    assert len(slot_reads) == 1
    assert not [q for q in again.captured_queries if "booking_busyblock" in q["sql"]]


def test_inside_a_transaction_a_search_sees_its_own_writes(assessment, clock):
    offering = selectors.offering_to_read("assessment")
    start = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    window = {"start": start, "end": start + timedelta(hours=8), "now": NOW}
    assert THURSDAY_10 in {s.start for s in selectors.available_slots(offering=offering, **window)}
    with transaction.atomic():
        a_booking_at_ten(assessment)
        offering = selectors.offering_to_read("assessment")
        found = {slot.start for slot in selectors.available_slots(offering=offering, **window)}
        assert THURSDAY_10 not in found
        transaction.set_rollback(True)


# Every table the slot search reads, with the events whose triggers change her version.
WATCHED = {
    "booking_booking",
    "booking_busyblock",
    "booking_availabilityrule",
    "booking_dateoverride",
    "booking_timeoff",
    "practice_offering",
    "practice_practitioner",
}


def test_every_table_a_slot_search_reads_changes_her_version():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'slots_version%'"
            )
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
                " AND name LIKE 'slots_version%'"
            )
        tables = {row[0] for row in cursor.fetchall()}
    # A later migration that rebuilds one of these tables (SQLite copies a table to alter
    # it) drops its triggers with it: this is where that shows.
    assert tables == WATCHED


@pytest.mark.parametrize(
    "change",
    [{"is_active": False}, {"slug": "first-call"}],
    ids=["the offering closed", "the offering renamed"],
)
def test_a_kept_offering_is_not_found_once_its_name_no_longer_finds_it(
    client, assessment, clock, change
):
    read(client)
    read(client)  # kept
    for field, value in change.items():
        setattr(assessment, field, value)
    assessment.save()
    answer = client.get("/api/v1/slots", QUERY)
    assert answer.status_code == 404


def test_the_offerings_list_is_kept_until_an_offering_or_a_practitioner_changes(
    client, assessment, clock
):
    def names():
        listed = client.get("/api/v1/offerings").json()["offerings"]
        return [offering["name"] for offering in listed]

    assert names() == ["Free assessment call"]
    with CaptureQueriesContext(connection) as kept_read:
        assert names() == ["Free assessment call"]
    assert len(kept_read.captured_queries) == 1

    assessment.name = "Free first call"
    assessment.save()
    assert names() == ["Free first call"]

    other = make_practitioner(email="noor@example.org")
    make_offering(other, slug="noor", name="Noor's first call")
    assert sorted(names()) == ["Free first call", "Noor's first call"]
