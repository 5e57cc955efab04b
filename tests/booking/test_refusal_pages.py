"""The booking pages say the real reason a time cannot be booked, keep what was typed when
a race is lost, and explain full days, the horizon and cancelled bookings.

Time is frozen at Wednesday 2026-12-02 08:00 UTC; the practitioner works Mon–Fri 09:00–17:00
Berlin time; the assessment call needs 12 hours' notice and can be booked 60 days ahead.
The visitor reads times in New York (UTC-5, the 12-hour clock).
"""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from booking import booking_changes, free_calls, links
from booking.models import Booking, BusyBlock
from booking.selectors import booking_note
from tests.factories import insert_booking, make_offering

SLOT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # Thursday 10:00 Berlin, 4:00 AM New York
SLOT_PARAM = "2026-12-03T09:00:00Z"
LATER_PARAM = "2026-12-03T09:30:00Z"  # 4:30 AM New York, free
NAME = "Dr. Mara Lindqvist"
NOTHING_BOOKED = "Nothing has been booked for you yet."

TYPED = {
    "name": "Ana Sousa",
    "email": "ana@example.org",
    "note": 'Trust after a breakup & "boundaries"',
}


def post_details(client, offering, start=SLOT_PARAM, **data):
    form = {"start": start, "timezone": "America/New_York", "consent": "on"} | TYPED | data
    return client.post(f"/book/{offering.slug}/details/", form)


def book_ana(assessment) -> Booking:
    """Ana's free call at SLOT, booked from New York."""
    return free_calls.book_assessment(
        offering=assessment,
        start=SLOT,
        client_name="Ana",
        client_email="ana@example.org",
        client_timezone="America/New_York",
    )


def text(response) -> str:
    return html.unescape(response.content.decode())


REASONS = [
    pytest.param(
        "2026-12-03T19:00:00Z",
        400,
        "That is not one of the open times",
        f"Thursday 3 December, 2:00 PM (New York time) is not one of the times {NAME} offers.",
        id="outside-hours",
    ),
    pytest.param(
        "2026-12-03T09:10:00Z",
        400,
        "That is not one of the open times",
        f"Thursday 3 December, 4:10 AM (New York time) is not one of the times {NAME} offers.",
        id="off-the-grid",
    ),
    pytest.param(
        "2026-12-05T09:00:00Z",
        400,
        "No times on that day",
        f"Saturday 5 December, 4:00 AM (New York time) falls on a day {NAME} does not work.",
        id="day-off",
    ),
    pytest.param(
        "2026-12-02T15:00:00Z",
        400,
        "That time is too soon",
        "Wednesday 2 December, 10:00 AM (New York time) is too soon: bookings need to be made "
        "at least "
        "12 hours ahead.",
        id="too-soon",
    ),
    pytest.param(
        "2027-02-04T09:00:00Z",
        400,
        "That time is not open yet",
        "Thursday 4 February 2027, 4:00 AM (New York time) is further ahead than you can "
        "book: the furthest "
        "is 60 days ahead.",
        id="beyond-the-horizon",
    ),
    pytest.param(
        "2026-12-01T09:00:00Z",
        400,
        "That time has passed",
        "Tuesday 1 December, 4:00 AM (New York time) is already in the past.",
        id="past",
    ),
]


@pytest.mark.parametrize(("start", "status", "title", "message"), REASONS)
def test_the_form_page_says_why_a_time_cannot_be_booked(
    client, assessment, now, start, status, title, message
):
    response = post_details(client, assessment, start=start)

    page = text(response)
    assert response.status_code == status
    assert f"<h1>{title}</h1>" in page
    assert f"{message} {NOTHING_BOOKED}" in page
    assert "Someone" not in page
    assert not Booking.objects.exists()


@pytest.mark.parametrize(("start", "status", "title", "message"), REASONS)
def test_a_link_to_a_time_that_cannot_be_booked_says_why_before_any_form(
    client, assessment, now, start, status, title, message
):
    response = client.get(f"/book/assessment/details/?start={start}&tz=America/New_York")

    page = text(response)
    assert response.status_code == status
    assert f"<h1>{title}</h1>" in page
    assert message in page
    assert 'name="consent"' not in page


def test_someone_booked_it_only_when_someone_else_did(client, assessment, now):
    insert_booking(assessment, SLOT, email="first@example.org")

    response = post_details(client, assessment)

    page = text(response)
    assert response.status_code == 409
    assert "<h1>That time was just taken</h1>" in page
    assert (
        f"Someone else booked Thursday 3 December, 4:00 AM (New York time) a moment before "
        f"you. {NOTHING_BOOKED}" in page
    )


def test_a_booking_that_only_overlaps_the_time_is_not_said_to_have_booked_it(
    client, practitioner, now
):
    buffered = make_offering(practitioner, buffer_after_minutes=15)
    # Someone's 10:30 call; 10:00 with its 15 minutes after would run into it.
    insert_booking(buffered, SLOT + timedelta(minutes=30), email="first@example.org")

    response = post_details(client, buffered)

    page = text(response)
    assert response.status_code == 409
    assert "<h1>That time was just taken</h1>" in page
    assert (
        "Someone else's booking now overlaps Thursday 3 December, 4:00 AM (New York time), "
        f"so that time can no longer be booked. {NOTHING_BOOKED}" in page
    )
    assert "Someone else booked" not in page


def test_a_full_day_says_it_is_fully_booked_not_taken(client, practitioner, now):
    capped = make_offering(practitioner, daily_cap=1)
    insert_booking(capped, SLOT, email="first@example.org")

    response = post_details(client, capped, start="2026-12-03T13:00:00Z")

    page = text(response)
    assert response.status_code == 409
    assert "<h1>That day is fully booked</h1>" in page
    assert (
        "Thursday 3 December, 8:00 AM (New York time) is on a day that is fully booked: "
        f"{NAME} sees a limited number of people each day." in page
    )
    assert "Someone" not in page


def test_her_busy_time_is_no_ones_booking(client, practitioner, assessment, now):
    BusyBlock.objects.create(practitioner=practitioner, start=SLOT, end=SLOT + timedelta(hours=1))

    response = post_details(client, assessment)

    page = text(response)
    assert response.status_code == 409
    assert "<h1>That time is no longer free</h1>" in page
    assert f"{NAME} is no longer free at Thursday 3 December, 4:00 AM (New York time)." in page
    assert "Someone" not in page


def test_the_race_loser_picks_an_offered_time_and_finds_their_details_filled_in(
    client, assessment, now
):
    insert_booking(assessment, SLOT, email="first@example.org")
    refused = text(post_details(client, assessment))
    assert "What you filled in comes with you to the time you pick." in refused
    assert "Trust after a breakup" not in refused.split("<form")[0]  # not shown, only carried
    assert "?start=" not in refused.split("The nearest free times")[1].split("See all")[0]

    picked = client.post(
        "/book/assessment/details/",
        {"carry": "1", "start": "2026-12-03T09:30:00Z", "tz": "America/New_York"} | TYPED,
    )

    page = text(picked)
    assert picked.status_code == 200
    assert "Thursday 3 December, 4:30–5:00 AM" in page
    assert 'value="Ana Sousa"' in page
    assert 'value="ana@example.org"' in page
    assert 'Trust after a breakup & "boundaries"</textarea>' in page
    assert "This field is required" not in page  # a form to finish, not one with errors
    assert not Booking.objects.filter(client_email="ana@example.org").exists()

    booked = post_details(client, assessment, start="2026-12-03T09:30:00Z")
    assert booked.status_code == 302
    booking = Booking.objects.get(client_email="ana@example.org")
    assert booking_note(booking) == TYPED["note"]


def test_see_all_open_times_keeps_the_details_in_the_session_never_in_the_url(
    client, assessment, now
):
    insert_booking(assessment, SLOT, email="first@example.org")
    refused = text(post_details(client, assessment))
    [link] = re.findall(r'<a href="([^"]+)">See all open times</a>', refused)
    assert link == "/book/assessment/?tz=America/New_York"
    assert client.get(link).status_code == 200
    assert TYPED["note"] not in str(client.session.items())  # encrypted, like a booking note

    # From the week, a time is a plain link: the details wait for it in the session.
    picked = text(client.get(f"/book/assessment/details/?start={LATER_PARAM}&tz=America/New_York"))
    assert "Thursday 3 December, 4:30–5:00 AM" in picked
    assert 'value="Ana Sousa"' in picked
    assert 'value="ana@example.org"' in picked
    assert 'Trust after a breakup & "boundaries"</textarea>' in picked
    assert "This field is required" not in picked

    assert post_details(client, assessment, start=LATER_PARAM).status_code == 302
    assert booking_note(Booking.objects.get(client_email="ana@example.org")) == TYPED["note"]
    # Booked: nothing is kept for a next visit.
    again = text(client.get("/book/assessment/details/?start=2026-12-03T10:00:00Z"))
    assert "Ana Sousa" not in again


def test_kept_details_are_gone_after_an_hour_and_belong_to_one_offering(
    client, practitioner, assessment, now, time_machine
):
    insert_booking(assessment, SLOT, email="first@example.org")
    post_details(client, assessment)
    make_offering(practitioner, slug="other", name="Other call")
    elsewhere = text(client.get(f"/book/other/details/?start={LATER_PARAM}"))
    assert "Ana Sousa" not in elsewhere

    time_machine.move_to(now + timedelta(minutes=59))
    assert "Ana Sousa" in text(client.get(f"/book/assessment/details/?start={LATER_PARAM}"))
    time_machine.move_to(now + timedelta(hours=1, minutes=1))
    later = text(client.get(f"/book/assessment/details/?start={LATER_PARAM}"))
    assert "Ana Sousa" not in later


def test_a_carried_time_that_went_too_is_refused_again_and_keeps_carrying(client, assessment, now):
    insert_booking(assessment, SLOT, email="first@example.org")

    again = client.post(
        "/book/assessment/details/",
        {"carry": "1", "start": SLOT_PARAM, "tz": "America/New_York"} | TYPED,
    )

    page = text(again)
    assert again.status_code == 409
    assert "<h1>That time was just taken</h1>" in page
    assert 'name="note" value="Trust after a breakup & "boundaries""' in page


def test_the_week_says_fully_booked_for_a_day_at_its_cap(client, practitioner, now):
    capped = make_offering(practitioner, daily_cap=1)
    insert_booking(capped, SLOT, email="first@example.org")

    page = text(client.get("/book/assessment/?tz=Europe/Berlin"))

    thursday = page.split('aria-label="Thursday 3 December"')[1].split("</section>")[0]
    assert "Fully booked" in thursday
    saturday = page.split('aria-label="Saturday 5 December"')[1].split("</section>")[0]
    assert "No times" in saturday


def test_the_week_past_the_horizon_says_when_booking_opens_further(client, assessment, now):
    page = text(client.get("/book/assessment/?tz=Europe/Berlin&week=2027-01-29"))

    assert (
        "Times after Sunday 31 January 2027 open day by day: you can book up to 60 days ahead."
        in page
    )
    monday = page.split('aria-label="Monday 1 February 2027"')[1].split("</section>")[0]
    assert "Not open yet" in monday
    assert "Times after" not in text(client.get("/book/assessment/?tz=Europe/Berlin"))


def test_an_old_link_to_a_cancelled_booking_says_it_is_cancelled_and_offers_to_book_again(
    client, assessment, now
):
    booking = book_ana(assessment)
    emailed = links.manage_path(booking)
    booking_changes.cancel(booking=booking, actor="practitioner")

    response = client.get(emailed)

    page = text(response)
    assert response.status_code == 410
    assert "<h1>This call is cancelled</h1>" in page
    assert "It is no longer booked, and nothing more is needed from you." in page
    assert "Thursday 3 December, 4:00–4:30 AM" in page
    assert 'href="/book/assessment/?tz=America/New_York">Book again</a>' in page
    assert "Nothing is wrong" not in page
    assert "Email me the current link" not in page


def test_moving_a_booking_to_a_taken_time_says_so_and_that_it_keeps_its_time(
    client, assessment, now
):
    booking = book_ana(assessment)
    insert_booking(assessment, SLOT + timedelta(hours=1), email="first@example.org")

    response = client.post(
        links.manage_path(booking) + "reschedule/", {"start": "2026-12-03T10:00:00Z"}
    )

    page = text(response)
    assert response.status_code == 409
    assert (
        "Someone else booked Thursday 3 December, 5:00 AM (New York time) a moment before you. "
        "Your call keeps its time, Thursday 3 December, 4:00 AM (New York time)." in page
    )
    booking.refresh_from_db()
    assert booking.start == SLOT


def test_the_consent_tick_comes_along_to_the_time_picked(client, assessment, now):
    insert_booking(assessment, SLOT, email="first@example.org")
    refused = text(post_details(client, assessment))
    assert '<input type="hidden" name="consent" value="on">' in refused

    picked = client.post(
        "/book/assessment/details/",
        {"carry": "1", "start": "2026-12-03T09:30:00Z", "tz": "America/New_York"}
        | TYPED
        | {"consent": "on"},
    )

    [tick] = re.findall(r'<input type="checkbox" name="consent"[^>]*>', text(picked))
    assert " checked" in tick
    assert post_details(client, assessment, start="2026-12-03T09:30:00Z").status_code == 302
