"""Her hours in the console: the week saved as she typed it or not at all, dates with other
hours and time off, each offering's own week, her settings, and a preview that is exactly
the public slots.

The practitioner works Mon–Fri 09:00–17:00 in Berlin; NOW is Wednesday 2026-12-02 09:00.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from booking.hours import (
    ENDS_BEFORE_START,
    OFF_GRID,
    OVERLAPS,
    RANGE_TOO_LONG,
    HoursError,
    set_weekly_hours,
    weekly_hours,
)
from booking.models import AvailabilityRule, DateOverride, TimeOff
from booking.selectors import available_slots
from console.hours_forms import BOTH_TIMES, FIRST_DAY_OFF_MISSING, PICK_A_DAY, UNTIL_BEFORE
from console.hours_preview import PREVIEW_DAYS, preview, rules_in_words
from practice.models import Practitioner
from tests.conftest import NOW
from tests.factories import insert_booking, make_session_offering

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
HOURS = reverse("console:hours")
CALENDAR = reverse("console:hours_calendar")
SETTINGS = reverse("console:hours_settings")


def rules(practitioner, offering=None) -> dict:
    return {day: ranges for day, ranges in weekly_hours(practitioner, offering).items() if ranges}


def week_post(week: dict, **extra) -> dict:
    """The week form as a browser sends it: every day's rows, times as typed."""
    data = {}
    for day in range(7):
        ranges = week.get(day, [])
        data[f"rows-{day}"] = str(len(ranges) + 2)
        for row, (start, end) in enumerate(ranges):
            data[f"d{day}-{row}-start"], data[f"d{day}-{row}-end"] = start, end
    return data | extra


WORKWEEK = {day: [("09:00", "17:00")] for day in range(5)}


# The week


def test_the_page_shows_her_week_and_closed_days(console, assessment, now):
    page = console.get(HOURS).content.decode()
    assert 'value="09:00"' in page and 'value="17:00"' in page
    assert page.count('<span class="closed">closed</span>') == 2  # Saturday and Sunday
    assert "Booked at least 12 hours ahead, up to 60 days ahead" in page


def test_saving_adds_and_removes_ranges(console, practitioner, assessment, now):
    week = dict(WORKWEEK)
    week[0] = [("09:00", "12:00"), ("14:00", "18:30")]  # Monday: a second range
    week[4] = []  # Friday: closed
    week[5] = [("10:00", "13:00")]  # Saturday: opened
    answer = console.post(HOURS, week_post(week), follow=True)

    assert "Your hours are saved" in answer.content.decode()
    saved = rules(practitioner)
    assert saved[0] == [(time(9), time(12)), (time(14), time(18, 30))]
    assert 4 not in saved
    assert saved[5] == [(time(10), time(13))]


def test_copying_a_day_fills_the_others_and_saves_nothing(console, practitioner, now):
    week = WORKWEEK | {0: [("08:00", "11:00")]}
    data = week_post(week, action="copy", copy_from="0", copy_to=["2", "5"])
    page = console.post(HOURS, data).content.decode()

    assert "Wednesday, Saturday now have Monday's times" in page
    assert "Nothing is saved yet" in page
    assert rules(practitioner)[0] == [(time(9), time(17))]  # unchanged until saved
    # The form came back with the copies in place of what those days had.
    assert page.count('value="08:00"') == 3
    assert page.count('value="09:00"') == 3  # Tuesday, Thursday, Friday kept theirs


def test_copying_then_saving_replaces_the_copied_days(console, practitioner, now):
    week = WORKWEEK | {0: [("08:00", "11:00")], 2: [("08:00", "11:00")]}
    console.post(HOURS, week_post(week))
    saved = rules(practitioner)
    assert saved[2] == saved[0] == [(time(8), time(11))]


def test_copy_without_a_day_ticked_says_so(console, practitioner, now):
    page = console.post(HOURS, week_post(WORKWEEK, action="copy", copy_from="0")).content
    assert PICK_A_DAY in page.decode()


@pytest.mark.parametrize(
    ("monday", "message"),
    [
        ([("12:00", "09:00")], ENDS_BEFORE_START),
        ([("09:00", "12:00"), ("11:00", "13:00")], OVERLAPS),
        ([("09:03", "12:00")], OFF_GRID),
        ([("09:00", "")], BOTH_TIMES),
        ([("nine", "12:00")], "Please enter a time like 09:00."),
    ],
)
def test_invalid_hours_change_nothing_and_say_why(console, practitioner, monday, message, now):
    before = list(AvailabilityRule.objects.values_list("weekday", "start_time", "end_time"))
    week = WORKWEEK | {0: monday, 3: [("10:00", "11:00")]}
    answer = console.post(HOURS, week_post(week))

    assert answer.status_code == 200
    page = answer.content.decode()
    assert message in page
    assert "to fix before we can save this" in page
    after = list(AvailabilityRule.objects.values_list("weekday", "start_time", "end_time"))
    assert after == before  # Thursday's change was not saved either


def test_the_service_refuses_a_bad_week_whole(practitioner):
    with pytest.raises(HoursError):
        set_weekly_hours(
            practitioner=practitioner,
            week={0: [(time(9), time(10))], 1: [(time(11), time(10))]},
        )
    assert rules(practitioner)[0] == [(time(9), time(17))]


# Offerings' own weeks


def test_an_offering_uses_her_hours_until_given_its_own(console, assessment, now):
    page = console.get(HOURS, {"week": "assessment"}).content.decode()
    assert "Free assessment call uses your hours." in page
    assert 'name="d0-0-start"' not in page
    starting = console.get(HOURS, {"week": "assessment", "own": "1"}).content.decode()
    assert 'value="09:00"' in starting  # a copy of hers to start from


def test_an_offerings_own_week_changes_its_public_slots_only(
    console, practitioner, assessment, client, now
):
    session = make_session_offering(practitioner)
    tuesday_afternoon = {1: [("14:00", "16:00")]}
    answer = console.post(HOURS + "?week=assessment", week_post(tuesday_afternoon), follow=True)
    assert "Free assessment call has its own hours now" in answer.content.decode()
    assert rules(practitioner) == {day: [(time(9), time(17))] for day in range(5)}

    def public_days(slug):
        found = client.get(
            reverse("api:slots"), {"offering": slug, "start": "2026-12-07", "end": "2026-12-13"}
        ).json()["slots"]
        return {slot["start"][:10] for slot in found}

    assert public_days("assessment") == {"2026-12-08"}
    assert public_days(session.slug) == {f"2026-12-{d:02}" for d in range(7, 12)}

    console.post(HOURS + "?week=assessment", {"action": "use_general"})
    assert public_days("assessment") == {f"2026-12-{d:02}" for d in range(7, 12)}


def test_an_unknown_offering_week_is_not_found(console, assessment):
    assert console.get(HOURS, {"week": "nope"}).status_code == 404


# The preview


def preview_set(offering, now):
    today = now.astimezone(BERLIN).date()
    return {
        slot.start
        for item in preview(offering=offering, first_day=today, now=now)
        for stretch in item.stretches
        for slot in stretch.slots
    }


def public_set(offering, now):
    today = now.astimezone(BERLIN).date()
    return {
        slot.start
        for slot in available_slots(
            offering=offering,
            start=datetime.combine(today, time(0), tzinfo=BERLIN),
            end=datetime.combine(today + timedelta(days=PREVIEW_DAYS), time(0), tzinfo=BERLIN),
            now=now,
        )
    }


def test_the_preview_is_the_public_slots(console, practitioner, assessment, now):
    session = make_session_offering(practitioner, buffer_after_minutes=15, daily_cap=2)
    insert_booking(session, datetime(2026, 12, 3, 10, tzinfo=BERLIN))
    TimeOff.objects.create(
        practitioner=practitioner, first_day=date(2026, 12, 10), last_day=date(2026, 12, 11)
    )
    DateOverride.objects.create(
        practitioner=practitioner, date=date(2026, 12, 12), start_time=time(10), end_time=time(12)
    )
    for offering in (assessment, session):
        assert preview_set(offering, NOW) == public_set(offering, NOW)
        assert preview_set(offering, NOW)


def test_the_preview_over_the_dst_change_is_the_public_slots(practitioner, assessment):
    berlin_march = datetime(2026, 3, 25, 8, tzinfo=UTC)  # the clocks go forward on the 29th
    with time_machine.travel(berlin_march):
        shown = preview_set(assessment, berlin_march)
        assert shown == public_set(assessment, berlin_march)
    mondays = sorted(s for s in shown if s.astimezone(BERLIN).date() == date(2026, 3, 30))
    assert mondays[0] == datetime(2026, 3, 30, 7, tzinfo=UTC)  # 09:00 in summer time
    assert mondays[0].astimezone(BERLIN).hour == 9


def test_the_page_shows_the_preview_in_ranges(console, assessment, now):
    page = console.get(HOURS).content.decode()
    assert "09:00–17:00 (16 times)" in page
    assert "Thursday 3 December" in page


def test_after_saving_the_preview_shows_the_new_hours(console, assessment, now):
    week = WORKWEEK | {3: [("10:00", "12:00")]}
    page = console.post(HOURS, week_post(week), follow=True).content.decode()
    assert "10:00–12:00 (4 times)" in page


def test_rules_in_words(assessment):
    assessment.buffer_after_minutes = 15
    assessment.daily_cap = 3
    assert rules_in_words(assessment) == (
        "Booked at least 12 hours ahead, up to 60 days ahead, 15 minutes free after each, "
        "at most 3 a day"
    )


# Dates and time off


def test_a_closed_date_and_other_hours(console, practitioner, assessment, now):
    console.post(
        CALENDAR,
        {"action": "date", "date-first_day": "2026-12-10", "date-closed": "1"},
    )
    console.post(
        CALENDAR,
        {
            "action": "date",
            "date-first_day": "2026-12-12",
            "date-last_day": "2026-12-13",
            "date-closed": "0",
            "date-start_1": "10:00",
            "date-end_1": "12:00",
            "date-note": "Weekend workshop",
        },
    )
    rows = list(DateOverride.objects.values_list("date", "start_time", "end_time"))
    assert rows == [
        (date(2026, 12, 10), None, None),
        (date(2026, 12, 12), time(10), time(12)),
        (date(2026, 12, 13), time(10), time(12)),
    ]
    page = console.get(CALENDAR, {"month": "2026-12"}).content.decode()
    assert "Thursday 10 December</strong>: Closed" in page
    assert "Saturday 12 December</strong>: 10:00–12:00" in page

    console.post(CALENDAR, {"action": "remove_date", "day": "2026-12-10"})
    assert not DateOverride.objects.filter(date=date(2026, 12, 10)).exists()


def test_a_bad_date_changes_nothing(console, practitioner, now):
    page = console.post(
        CALENDAR,
        {
            "action": "date",
            "date-first_day": "2026-12-12",
            "date-closed": "0",
            "date-start_1": "12:00",
            "date-end_1": "10:00",
        },
    ).content.decode()
    assert ENDS_BEFORE_START in page
    assert not DateOverride.objects.exists()


def test_time_off_warns_of_sessions_that_stay_booked(console, practitioner, assessment, now):
    booking = insert_booking(
        assessment, datetime(2026, 12, 15, 10, tzinfo=BERLIN), client_name="Sam Client"
    )
    answer = console.post(
        CALENDAR,
        {
            "action": "off",
            "off-first_day": "2026-12-14",
            "off-last_day": "2026-12-18",
            "off-note": "Holiday",
        },
        follow=True,
    )
    page = answer.content.decode()
    assert "You have 1 session in this time:" in page
    assert "Tuesday 15 December, 10:00: Sam, Free assessment call" in page
    assert "It stays booked; move or cancel it from its page." in page
    assert reverse("console:booking", args=[booking.public_id]) in page
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert TimeOff.objects.get().note == "Holiday"


def test_time_off_can_be_changed_and_removed(console, practitioner, now):
    off = TimeOff.objects.create(
        practitioner=practitioner, first_day=date(2026, 12, 20), last_day=date(2026, 12, 22)
    )
    console.post(
        CALENDAR + f"?edit_off={off.pk}",
        {"action": "off", "off-first_day": "2026-12-21", "off-last_day": "2026-12-31"},
    )
    off.refresh_from_db()
    assert (off.first_day, off.last_day) == (date(2026, 12, 21), date(2026, 12, 31))
    console.post(CALENDAR, {"action": "remove_off", "time_off": str(off.pk)})
    assert not TimeOff.objects.exists()


def test_time_off_ending_before_it_starts_is_refused(console, practitioner, now):
    page = console.post(
        CALENDAR,
        {"action": "off", "off-first_day": "2026-12-21", "off-last_day": "2026-12-20"},
    ).content.decode()
    assert UNTIL_BEFORE in page
    assert not TimeOff.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"action": "off", "off-first_day": "2026-12-21", "off-last_day": "2028-01-05"},
        {"action": "date", "date-first_day": "2026-12-21", "date-last_day": "2028-01-05"},
    ],
    ids=["time off", "other hours"],
)
def test_more_than_a_year_at_once_is_refused_on_the_page(console, practitioner, fields, now):
    answer = console.post(CALENDAR, fields | {"date-closed": "1"})

    assert answer.status_code == 200
    assert RANGE_TOO_LONG in answer.content.decode()
    assert not TimeOff.objects.exists() and not DateOverride.objects.exists()


def test_a_single_day_off_needs_no_last_day(console, practitioner, now):
    booking = insert_booking(
        make_session_offering(practitioner),
        datetime(2026, 12, 11, 11, 30, tzinfo=BERLIN),
        client_name="Noor Haddad",
    )
    page = console.post(
        CALENDAR, {"action": "off", "off-first_day": "2026-12-11"}, follow=True
    ).content.decode()
    off = TimeOff.objects.get()
    assert (off.first_day, off.last_day) == (date(2026, 12, 11), date(2026, 12, 11))
    assert "Until (optional, for several days)" in page
    assert "Your time off is saved. 1 session is booked in it and stays booked" in page
    assert "Friday 11 December, 11:30: Noor, Single session" in page
    assert reverse("console:booking", args=[booking.public_id]) in page


def test_time_off_errors_name_the_field(console, practitioner, now):
    page = console.post(CALENDAR, {"action": "off", "off-first_day": ""}).content.decode()
    assert FIRST_DAY_OFF_MISSING in page
    assert "This field is required." not in page
    assert not TimeOff.objects.exists()


def test_other_hours_on_a_booked_date_list_its_sessions(console, practitioner, assessment, now):
    booking = insert_booking(
        assessment, datetime(2026, 12, 11, 11, 30, tzinfo=BERLIN), client_name="Noor Haddad"
    )
    page = console.post(
        CALENDAR,
        {
            "action": "date",
            "date-first_day": "2026-12-11",
            "date-closed": "0",
            "date-start_1": "14:00",
            "date-end_1": "16:00",
        },
        follow=True,
    ).content.decode()
    assert "1 session is booked in it and stays booked" in page
    assert "You have 1 session in this time:" in page
    assert reverse("console:booking", args=[booking.public_id]) in page


def test_past_dates_are_hidden_unless_asked_for(console, practitioner, now):
    DateOverride.objects.create(practitioner=practitioner, date=date(2026, 11, 20))
    DateOverride.objects.create(practitioner=practitioner, date=date(2026, 12, 20))
    page = console.get(CALENDAR).content.decode()
    assert "Sunday 20 December" in page and "Friday 20 November" not in page
    assert "Friday 20 November" in console.get(CALENDAR, {"past": "1"}).content.decode()


def test_the_month_moves_back_and_forth(console, practitioner, now):
    page = console.get(CALENDAR, {"month": "2027-01"}).content.decode()
    assert "January 2027" in page
    assert "?month=2026-12" in page and "?month=2027-02" in page


# Settings


def settings_post(**changes) -> dict:
    return {
        "timezone": "Europe/Berlin",
        "manage_cutoff_0": "24",
        "manage_cutoff_1": "hours",
        "contact_note": "Reply to this email.",
        "intake_retention_days": "365",
        "checkin_within_days": "180",
    } | changes


def test_a_new_zone_keeps_the_wall_clock_hours_and_the_bookings_moment(
    console, practitioner, assessment, now
):
    booking = insert_booking(assessment, datetime(2026, 12, 8, 10, tzinfo=BERLIN))
    page = console.post(SETTINGS, settings_post(timezone="Europe/Lisbon"), follow=True)
    assert "Your weekly hours keep their times" in page.content.decode()
    practitioner.refresh_from_db()
    assert practitioner.timezone == "Europe/Lisbon"
    assert rules(practitioner)[0] == [(time(9), time(17))]
    booking.refresh_from_db()
    assert booking.start == datetime(2026, 12, 8, 9, tzinfo=UTC)  # 10:00 Berlin, 09:00 Lisbon
    monday = available_slots(
        offering=assessment,
        start=datetime(2026, 12, 7, tzinfo=UTC),
        end=datetime(2026, 12, 8, tzinfo=UTC),
        now=NOW,
    )
    assert monday[0].start == datetime(2026, 12, 7, 9, tzinfo=UTC)  # 09:00 in Lisbon


def test_the_cutoff_round_trips_in_words(console, practitioner, now):
    console.post(SETTINGS, settings_post(manage_cutoff_0="2", manage_cutoff_1="days"))
    practitioner.refresh_from_db()
    assert practitioner.manage_cutoff == timedelta(days=2)
    page = console.get(SETTINGS).content.decode()
    assert 'name="manage_cutoff_0" value="2"' in page
    assert '<option value="days" selected>' in page
    assert "Clients can move or cancel by themselves until" in page


def test_bad_settings_change_nothing(console, practitioner, now):
    page = console.post(
        SETTINGS, settings_post(timezone="Mars/Olympus", intake_retention_days="0")
    ).content.decode()
    assert "to fix before we can save this" in page
    assert Practitioner.objects.get().timezone == "Europe/Berlin"
    assert Practitioner.objects.get().intake_retention_days == 365


def test_only_she_reaches_her_hours(client, practitioner):
    for url in (HOURS, CALENDAR, SETTINGS):
        assert client.get(url).status_code == 302  # to sign in


def test_editing_a_date_starts_from_what_it_has(console, practitioner, now):
    DateOverride.objects.create(
        practitioner=practitioner,
        date=date(2026, 12, 12),
        start_time=time(10),
        end_time=time(12),
        note="Workshop",
    )
    page = console.get(CALENDAR, {"edit_date": "2026-12-12"}).content.decode()
    assert 'name="date-first_day" value="2026-12-12"' in page
    assert 'name="date-start_1" value="10:00"' in page
    assert 'value="Workshop"' in page
