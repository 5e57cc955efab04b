"""Her day and her week: what each booking shows, what is left out, in her zone, and in a
constant number of queries whatever the number of bookings."""

import re
from datetime import UTC, date, datetime, time, timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Booking, BusyBlock, DateOverride, TimeOff
from booking.payments.models import Payment
from console import agenda
from intake.models import Assignment, Response
from tests.factories import insert_booking

pytestmark = pytest.mark.django_db

# NOW (tests/conftest.py) is Wednesday 2 December 2026, 09:00 in Berlin.
TODAY = date(2026, 12, 2)


def at(day: date, hour: int, minute: int = 0, zone: str = "Europe/Berlin") -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def paid(booking: Booking, state=Payment.State.PAID) -> Booking:
    Payment.objects.create(
        booking=booking,
        checkout_session_id=f"cs_{booking.public_id.hex}",
        amount=booking.offering.price,
        currency="EUR",
        state=state,
        created_at=booking.start - timedelta(days=2),
    )
    return booking


def intake(
    booking,
    name,
    *,
    role="client",
    started=False,
    sent=False,
    attention=False,
    alerted=False,
    questionnaire="short",
    earlier=None,
):
    assignment = Assignment.objects.create(
        booking=booking,
        email=f"{name.lower()}@example.org",
        name=name,
        role=role,
        earlier_response=earlier,
    )
    if started or sent:
        Response.objects.create(
            assignment=assignment,
            questionnaire_id=questionnaire,
            questionnaire_version=1,
            needs_attention=attention,
            practitioner_alerted_at=booking.start if alerted else None,
            started_at=booking.start - timedelta(days=1),
            updated_at=booking.start - timedelta(days=1),
            submitted_at=booking.start - timedelta(hours=20) if sent else None,
        )
    return assignment


def page_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def section_of(response, heading_id: str) -> str:
    """The text of the day section labelled ``heading_id``."""
    html = response.content.decode()
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, flags=re.S
    )
    assert match, f"no section for {heading_id}"
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))))


# --- today -----------------------------------------------------------------------------


def test_today_shows_each_session_with_who_what_money_and_intake(
    console, now, assessment, session, couples
):
    call = insert_booking(assessment, at(TODAY, 10), client_name="Lena Hoffmann")
    intake(call, "Lena", sent=True, attention=True)
    before = insert_booking(
        session, at(TODAY - timedelta(days=7), 10), status=Booking.Status.COMPLETED
    )
    full = intake(before, "Sam", sent=True, questionnaire="full").response
    one = paid(insert_booking(session, at(TODAY, 14), client_name="Sam Rivera"))
    intake(one, "Sam", earlier=full)
    two = paid(
        insert_booking(
            couples,
            at(TODAY, 16),
            client_name="Alex Moreau",
            partner_name="Jo Moreau",
            partner_email="jo@example.org",
        )
    )
    intake(two, "Alex", sent=True, questionnaire="full")
    intake(two, "Jo", role="partner", started=True, questionnaire="full")

    page = console.get("/console/")
    assert page.status_code == 200
    today = section_of(page, "day-today")
    assert "10:00–10:30 Lena Free call · Free Intake sent ⚑ needs your attention" in today
    assert "14:00–15:00 Sam Session · Paid Check-in not started" in today
    assert "16:00–17:30 Alex & Jo Couples session · Paid" in today
    assert "Alex: intake sent; Jo: intake started, not sent yet" in today
    assert "Hoffmann" not in today, "first names only"
    html = page.content.decode()
    for booking in (call, one, two):
        assert f'href="/console/bookings/{booking.public_id}/"' in html
    assert "3 sessions today, 2 intakes not sent yet, 1 needs your attention." in page_text(page)


def test_held_cancelled_and_lapsed_bookings(console, now, assessment, session):
    held = insert_booking(
        session,
        at(TODAY, 11),
        status=Booking.Status.HELD,
        hold_expires_at=now + timedelta(minutes=20),
        client_name="Tomás Ruiz",
    )
    paid(held, state=Payment.State.PENDING)
    insert_booking(
        assessment,
        at(TODAY, 14),
        status=Booking.Status.HELD,
        hold_expires_at=now - timedelta(minutes=1),
        client_name="Lapsed Hold",
    )
    insert_booking(
        assessment, at(TODAY, 15), status=Booking.Status.CANCELLED, client_name="Ben Okafor"
    )
    insert_booking(
        assessment, at(TODAY, 16), status=Booking.Status.EXPIRED, client_name="Old Expired"
    )

    today = section_of(console.get("/console/"), "day-today")
    # 08:00 UTC + 20 minutes is 09:20 in Berlin.
    assert "11:00–12:00 Tomás Session · Held for payment until 09:20" in today
    assert "Intake follows the confirmation" in today
    for gone in ("Ben", "Lapsed", "Old"):
        assert gone not in today


def test_completed_and_no_show_sessions_say_so(console, now, assessment):
    insert_booking(assessment, at(TODAY, 6), status=Booking.Status.COMPLETED, client_name="Ann")
    insert_booking(assessment, at(TODAY, 7), status=Booking.Status.NO_SHOW, client_name="Bo")
    today = section_of(console.get("/console/"), "day-today")
    assert "06:00–06:30 Ann Free call · Free · Completed" in today
    assert "07:00–07:30 Bo Free call · Free · Did not come" in today


def test_an_unsent_flag_stays_hidden_until_she_may_be_told(console, now, assessment):
    """The client was told which answers she reads before Send; a mark raised by the others
    must not reach her page before Send either."""
    quiet = insert_booking(assessment, at(TODAY, 10), client_name="Quiet One")
    intake(quiet, "Quiet", started=True, attention=True)
    told = insert_booking(assessment, at(TODAY, 11), client_name="Told Two")
    intake(told, "Told", started=True, attention=True, alerted=True)
    today = section_of(console.get("/console/"), "day-today")
    assert re.search(r"Quiet Free call · Free Intake started, not sent yet (?!⚑)", today)
    assert "Told Free call · Free Intake started, not sent yet ⚑ needs your attention" in today


def test_the_next_six_days_and_kind_empty_days(console, now, assessment, practitioner):
    insert_booking(assessment, at(TODAY + timedelta(days=1), 9, 30), client_name="Priya Nair")
    TimeOff.objects.create(
        practitioner=practitioner, first_day=date(2026, 12, 7), last_day=date(2026, 12, 7)
    )
    page = console.get("/console/")
    assert "09:30–10:00 Priya" in section_of(page, "day-2026-12-03")
    assert "No open hours on this day. Nothing booked." in section_of(page, "day-2026-12-05")
    assert "Time off. Nothing booked." in section_of(page, "day-2026-12-07")
    assert "Nothing booked yet." in section_of(page, "day-2026-12-08")
    assert "day-2026-12-09" not in page.content.decode(), "today and six more days"
    assert "Nothing booked today. A quiet day is yours." in section_of(page, "day-today")
    assert "Nothing booked today." in page_text(page)


def test_the_clients_own_clock_is_given_beside_hers(console, now, assessment):
    insert_booking(
        assessment, at(TODAY, 15), client_name="Hana Sato", client_timezone="America/New_York"
    )
    today = section_of(console.get("/console/"), "day-today")
    assert "09:00 for Hana (America/New_York)" in today


def test_her_own_zone_decides_the_day(console, now, assessment, practitioner):
    practitioner.timezone = "Pacific/Auckland"  # 21:00 on 2 December there
    practitioner.save()
    insert_booking(assessment, at(date(2026, 12, 2), 22, zone="Pacific/Auckland"))
    insert_booking(assessment, at(date(2026, 12, 3), 0, 30, zone="Pacific/Auckland"))
    page = console.get("/console/")
    assert "22:00–22:30" in section_of(page, "day-today")
    assert "00:30–01:00" in section_of(page, "day-2026-12-03")
    assert "Times in your zone, Pacific/Auckland." in page_text(page)


# --- the week --------------------------------------------------------------------------


def test_the_week_places_each_booking_in_its_day_and_rows(console, now, assessment, session):
    insert_booking(assessment, at(date(2026, 12, 1), 10), client_name="Tue Person")
    paid(insert_booking(session, at(date(2026, 12, 3), 14, 30), client_name="Thu Person"))
    insert_booking(assessment, at(date(2026, 12, 8), 10), client_name="Next Week")
    page = console.get("/console/week/")
    assert page.status_code == 200
    html = page.content.decode()
    tuesday = section_of(page, "day-2026-12-01")
    assert "10:00–10:30 Tue" in tuesday
    # A half-hour box shows its start beside the name; the span is read out in full.
    assert '<span class="start-only" aria-hidden="true">10:00</span>'
    assert '<span class="full-span visually-hidden">10:00–10:30' in html
    assert "14:30–15:30 Thu Session · Paid" in section_of(page, "day-2026-12-03")
    assert "Next" not in page_text(page).replace("Next week", "")
    # 08:00 is the grid's first row: 10:00 is row 25, thirty minutes six rows of five.
    assert re.search(r'<li class="booking at-25 span-6[ "]', html)
    assert re.search(r'<li class="booking at-79 span-12[ "]', html)
    # Monday first, today marked.
    assert 'class="week-day is-today"' in html
    assert html.index("day-2026-11-30") < html.index("day-2026-12-06")
    assert "Week of 30 November 2026" in page_text(page)


def test_the_week_links_and_any_day_opens_its_monday(console, now):
    page = console.get("/console/week/?start=2027-01-14")
    text = page_text(page)
    assert "Week of 11 January 2027" in text
    html = page.content.decode()
    links = re.search(r'<nav class="week-links".*?</nav>', html, flags=re.S).group(0)
    assert 'href="/console/week/?start=2027-01-04"' in links
    assert 'href="/console/week/?start=2027-01-18"' in links
    assert 'aria-current="page"' not in links
    assert "is-today" not in html
    this = console.get("/console/week/").content.decode()
    links = re.search(r'<nav class="week-links".*?</nav>', this, flags=re.S).group(0)
    assert 'href="/console/week/" aria-current="page">This week' in links


@pytest.mark.parametrize("start", ["yesterday", "2026-13-01", "0001-01-01", "9999-12-31"])
def test_an_unreadable_start_shows_this_week_and_says_so(console, now, start):
    page = console.get("/console/week/", {"start": start})
    assert page.status_code == 200
    assert "That date could not be read, so this is the current week." in page_text(page)
    assert "Week of 30 November 2026" in page_text(page)


def test_time_off_days_off_and_busy_time_are_shaded_with_a_label(
    console, now, practitioner, assessment
):
    TimeOff.objects.create(
        practitioner=practitioner,
        first_day=date(2026, 11, 30),
        last_day=date(2026, 11, 30),
        note="Family",
    )
    DateOverride.objects.create(practitioner=practitioner, date=date(2026, 12, 4), note="Course")
    BusyBlock.objects.create(practitioner=practitioner, start=at(TODAY, 13), end=at(TODAY, 14, 30))
    BusyBlock.objects.create(
        practitioner=practitioner,
        start=at(date(2026, 12, 3), 11),
        end=at(date(2026, 12, 3), 12),
        source=BusyBlock.Source.FEED,
    )
    page = console.get("/console/week/")
    html = page.content.decode()
    assert "Time off: Family" in section_of(page, "day-2026-11-30")
    assert "Day off: Course" in section_of(page, "day-2026-12-04")
    assert "13:00–14:30 Busy" in section_of(page, "day-2026-12-02")
    assert "11:00–12:00 Busy (from your calendar)" in section_of(page, "day-2026-12-03")
    assert html.count('class="closed-shade') == 2
    # Her hours, 09:00–17:00 on weekdays, lightly marked: rows 13 to 108.
    assert html.count('class="open-hours at-13 span-96"') == 3  # Tue, Wed, Thu


def test_the_grid_reaches_her_earliest_and_latest_hours(console, now, practitioner, assessment):
    insert_booking(assessment, at(date(2026, 12, 1), 19, 30))
    DateOverride.objects.create(
        practitioner=practitioner, date=date(2026, 12, 3), start_time=time(7), end_time=time(9)
    )
    html = console.get("/console/week/").content.decode()
    labels = re.findall(r'class="hour-label[^"]*">(\d\d:00)<', html)
    assert labels[0] == "07:00" and labels[-1] == "19:00"


def test_the_grid_is_never_narrower_than_eight_to_six(console, now):
    html = console.get("/console/week/").content.decode()
    labels = re.findall(r'class="hour-label[^"]*">(\d\d:00)<', html)
    assert labels[0] == "08:00" and labels[-1] == "17:00"


# --- clock changes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "monday", "sunday_hours", "words"),
    [
        ("Europe/Berlin", date(2027, 3, 22), 23, "Clocks go forward: a 23-hour day"),
        ("Europe/Berlin", date(2027, 10, 25), 25, "Clocks go back: a 25-hour day"),
        ("Australia/Sydney", date(2027, 3, 29), 25, "Clocks go back: a 25-hour day"),
        ("Australia/Sydney", date(2027, 9, 27), 23, "Clocks go forward: a 23-hour day"),
    ],
)
def test_a_week_with_a_clock_change_keeps_her_wall_clock(
    console, now, practitioner, assessment, zone, monday, sunday_hours, words
):
    practitioner.timezone = zone
    practitioner.save()
    sunday = monday + timedelta(days=6)
    insert_booking(assessment, at(monday, 9, zone=zone), client_name="Monday Nine")
    insert_booking(assessment, at(sunday, 9, zone=zone), client_name="Sunday Nine")
    insert_booking(assessment, at(sunday, 23, 15, zone=zone), client_name="Sunday Late")
    insert_booking(
        assessment, at(sunday + timedelta(days=1), 0, 15, zone=zone), client_name="Next Early"
    )

    days = agenda.days(practitioner, first=monday, count=7, now=now)
    assert [day.hours_long for day in days] == [24] * 6 + [sunday_hours]
    week_long = days[-1].end.astimezone(UTC) - days[0].start.astimezone(UTC)
    assert week_long == timedelta(hours=6 * 24 + sunday_hours)

    page = console.get("/console/week/", {"start": monday.isoformat()})
    sunday_text = section_of(page, f"day-{sunday.isoformat()}")
    assert words in sunday_text
    assert re.search(r"09:00 \w+–09:30 \w+ Sunday", sunday_text)
    assert re.search(r"23:15 \w+–23:45 \w+ Sunday", sunday_text)
    assert "Next" not in sunday_text
    assert "09:00–09:30 Monday" in section_of(page, f"day-{monday.isoformat()}")
    html = page.content.decode()
    # 09:00 is row 13 of an 08:00 grid on both sides of the change.
    assert len(re.findall(r'<li class="booking at-13 span-6', html)) == 2


def test_the_repeated_hour_shows_both_bookings(console, now, practitioner, assessment):
    """On the night the clocks go back, 02:15 happens twice: each booking keeps its box."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Berlin")
    first = datetime(2027, 10, 31, 2, 15, tzinfo=zone, fold=0).astimezone(UTC)
    second = datetime(2027, 10, 31, 2, 15, tzinfo=zone, fold=1).astimezone(UTC)
    assert second - first == timedelta(hours=1)
    insert_booking(assessment, first, client_name="First Pass")
    insert_booking(assessment, second, client_name="Second Pass")
    text = section_of(console.get("/console/week/?start=2027-10-25"), "day-2027-10-31")
    assert "02:15 CEST–02:45 CEST First" in text
    assert "02:15 CET–02:45 CET Second" in text


# --- queries ---------------------------------------------------------------------------


def _fill_week(first: int, count: int, assessment, session, couples) -> None:
    offerings = [assessment, session, couples]
    for n in range(first, first + count):
        day = TODAY + timedelta(days=n % 5)  # in today's agenda and this week alike
        start = at(day, 0) + timedelta(minutes=120 * (n // 5))
        offering = offerings[n % 3]
        booking = insert_booking(
            offering,
            start,
            email=f"c{n}@example.org",
            client_name=f"Client {n}",
            partner_name="Partner" if offering == couples else "",
        )
        if not offering.is_free:
            paid(booking)
        intake(booking, f"C{n}", started=n % 2 == 0, sent=n % 4 == 0, attention=n % 8 == 0)
        if offering == couples:
            intake(booking, f"P{n}", role="partner", questionnaire="full", started=True)


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/console/", "/console/week/"])
def test_the_number_of_queries_does_not_grow_with_bookings(
    console, now, assessment, session, couples, path
):
    _fill_week(0, 2, assessment, session, couples)
    few = _queries(console, path)
    _fill_week(2, 40, assessment, session, couples)
    assert Booking.objects.count() == 42
    assert _queries(console, path) == few
    assert few <= 14, "her session and factor, then six reads for the page"
