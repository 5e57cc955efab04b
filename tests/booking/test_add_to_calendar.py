""" "Add to Google Calendar" and "Outlook.com": the event at the reader's own time, the same
neutral title and description as the invite, on the page after booking and in the emails;
nothing to add once cancelled, and a partner's links never carry the client's key."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from booking import booking_changes, links
from booking.calendars import add_links, ics
from booking.emails import changes as change_emails
from tests.factories import insert_booking, make_couples_offering, make_session_offering

pytestmark = pytest.mark.django_db

WINTER = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # 04:00 in New York (UTC-5)
SUMMER = datetime(2027, 7, 1, 14, 0, tzinfo=UTC)  # 10:00 in New York (UTC-4)


def query(url: str) -> dict[str, str]:
    return {key: value for key, [value] in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def session(practitioner):
    return make_session_offering(practitioner, video_link="https://video.example.org/mara")


def booked(session, start=WINTER, **fields):
    return insert_booking(
        session, start, client_name="Ana Sousa", client_timezone="America/New_York", **fields
    )


def test_google_gets_the_utc_times_and_the_clients_zone(session, now):
    booking = booked(session)
    url = add_links.google_url(booking, reader=ics.CLIENT, zone="America/New_York")
    assert url.startswith("https://calendar.google.com/calendar/render?")
    got = query(url)
    assert got["action"] == "TEMPLATE"
    assert got["dates"] == "20261203T090000Z/20261203T100000Z"
    assert got["ctz"] == "America/New_York"
    assert got["text"] == "Session with Lindqvist Coaching"
    assert got["details"] == (
        f"Join the call: https://video.example.org/mara\n"
        f"Reschedule or cancel: {links.manage_url(booking)}"
    )


@pytest.mark.parametrize(
    ("start", "wall"),
    [(WINTER, "2026-12-03T04:00:00-05:00"), (SUMMER, "2027-07-01T10:00:00-04:00")],
    ids=["winter", "summer"],
)
def test_outlook_gets_the_clients_wall_clock_on_either_side_of_dst(session, now, start, wall):
    booking = booked(session, start)
    got = query(add_links.outlook_url(booking, reader=ics.CLIENT, zone="America/New_York"))
    assert got["startdt"] == wall
    assert datetime.fromisoformat(got["enddt"]) == start + timedelta(hours=1)
    assert got["rru"] == "addevent"
    assert got["subject"] == "Session with Lindqvist Coaching"


def test_a_partners_links_are_at_their_time_without_the_clients_key(practitioner, now):
    booking = insert_booking(
        make_couples_offering(practitioner),
        WINTER,
        partner_name="Robin Partnerson",
        partner_email="robin@example.org",
        partner_timezone="Australia/Sydney",
    )
    email = change_emails.partner_message(booking, change=change_emails.CONFIRMED)
    [(page, _)] = email.alternatives
    assert "Google Calendar" in page and "Outlook.com" in page
    assert "ctz=Australia%2FSydney" in email.body
    assert "startdt=2026-12-03T20%3A00%3A00%2B11%3A00" in email.body
    assert links.manage_token(booking) not in email.body + page


def test_the_clients_email_offers_all_three_and_its_cancellation_none(session, now):
    booking = booked(session)
    email = change_emails.client_message(booking, change=change_emails.CONFIRMED, now=now)
    [(page, _)] = email.alternatives
    for part in (email.body, page):
        assert "https://calendar.google.com/calendar/render?" in part
        assert "https://outlook.live.com/calendar/0/action/compose?" in part
        assert links.manage_url(booking) + "invite.ics" in part

    booking_changes.cancel(booking=booking, now=now)
    booking.refresh_from_db()
    cancelled = change_emails.client_message(booking, change=change_emails.CANCELLED, now=now)
    [(page, _)] = cancelled.alternatives
    assert "calendar.google.com" not in cancelled.body + page
    assert "outlook.live.com" not in cancelled.body + page


def test_the_page_after_booking_offers_all_three(client, session, now):
    booking = booked(session)
    page = client.get(links.manage_path(booking)).content.decode()
    assert "Add it to your calendar" in page
    assert "https://calendar.google.com/calendar/render?" in page
    assert "https://outlook.live.com/calendar/0/action/compose?" in page
    assert f'href="{links.manage_path(booking)}invite.ics"' in page
    assert client.get(links.manage_path(booking) + "invite.ics").status_code == 200
