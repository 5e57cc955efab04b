from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from booking import booking_changes, free_calls, links
from booking.calendars import ics

THURSDAY_10_BERLIN = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
NOTE = "my partner controls money"


def book(offering, start=THURSDAY_10_BERLIN, **kwargs):
    return free_calls.book_assessment(
        offering=offering,
        start=start,
        client_name="Ana Sousa",
        client_email="ana@example.org",
        client_timezone="America/New_York",
        note=NOTE,
        **kwargs,
    )


def parse(data: bytes):
    calendar = Calendar.from_ical(data)
    [event] = calendar.events
    return calendar, event


def raw_lines(data: bytes) -> list[str]:
    return data.decode().replace("\r\n ", "").split("\r\n")


def test_a_confirmed_booking_is_a_request_with_its_time_in_utc(assessment, now):
    booking = book(assessment)
    data = ics.booking_invite(booking, reader=ics.CLIENT)
    calendar, event = parse(data)

    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == ics.PRODID
    assert event["STATUS"] == "CONFIRMED"
    assert event.uid == booking.ical_uid
    assert event.sequence == 0
    assert event.start == THURSDAY_10_BERLIN
    assert event.end == THURSDAY_10_BERLIN + timedelta(minutes=30)
    assert event.start.utcoffset() == timedelta(0)
    # Never floating, never a TZID a client must resolve.
    assert "DTSTART:20261203T090000Z" in raw_lines(data)
    assert "DTEND:20261203T093000Z" in raw_lines(data)
    assert not any("TZID" in line for line in raw_lines(data))
    assert event.DTSTAMP.utcoffset() == timedelta(0)


def test_the_practitioner_organises_and_the_client_attends(assessment, now):
    booking = book(assessment)
    _, event = parse(ics.booking_invite(booking, reader=ics.PRACTITIONER))

    assert str(event["ORGANIZER"]) == "mailto:mara@example.org"
    assert event["ORGANIZER"].params["CN"] == "Lindqvist Coaching"
    [attendee] = event.attendees
    assert str(attendee) == "mailto:ana@example.org"
    assert attendee.params["CN"] == "Ana Sousa"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"


@pytest.mark.parametrize(
    ("reader", "title"),
    [
        (ics.CLIENT, "Call with Lindqvist Coaching"),
        (ics.PRACTITIONER, "Ana · Free assessment call"),
    ],
)
def test_the_summary_names_the_practice_or_for_her_the_client_and_the_note_is_nowhere(
    assessment, now, reader, title
):
    booking = book(assessment)
    data = ics.booking_invite(booking, reader=reader)
    _, event = parse(data)

    assert event["SUMMARY"] == title
    assert event["CLASS"] == "PRIVATE"
    unfolded = data.decode().replace("\r\n ", "")
    assert NOTE not in unfolded
    assert "partner" not in unfolded
    if reader == ics.CLIENT:
        assert "assessment" not in unfolded.lower()


def test_the_video_link_is_the_location_and_url(assessment, now):
    booking = book(assessment)
    _, event = parse(ics.booking_invite(booking, reader=ics.PRACTITIONER))

    assert event["LOCATION"] == "https://video.example.org/mara"
    assert event["URL"] == "https://video.example.org/mara"
    assert "https://video.example.org/mara" in event["DESCRIPTION"]


def test_without_a_video_link_there_is_no_location(assessment, now):
    assessment.video_link = ""
    assessment.save()
    booking = book(assessment)
    _, event = parse(ics.booking_invite(booking, reader=ics.PRACTITIONER))

    assert "LOCATION" not in event
    assert "URL" not in event


def test_only_the_clients_copy_carries_the_private_manage_link(assessment, now):
    booking = book(assessment)
    _, client_event = parse(ics.booking_invite(booking, reader=ics.CLIENT))
    _, practitioner_event = parse(ics.booking_invite(booking, reader=ics.PRACTITIONER))

    assert links.manage_url(booking) in client_event["DESCRIPTION"]
    assert "/booking/" not in practitioner_event["DESCRIPTION"]


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence(assessment, now):
    booking = book(assessment)
    _, before = parse(ics.booking_invite(booking, reader=ics.CLIENT))
    moved = booking_changes.reschedule(
        booking=booking, new_start=THURSDAY_10_BERLIN + timedelta(hours=2)
    )
    calendar, after = parse(ics.booking_invite(moved, reader=ics.CLIENT))

    assert calendar["METHOD"] == "REQUEST"
    assert after.uid == before.uid == booking.ical_uid
    assert after.sequence > before.sequence
    assert after.start == THURSDAY_10_BERLIN + timedelta(hours=2)


def test_a_cancellation_cancels_the_same_event(assessment, now):
    booking = book(assessment)
    cancelled = booking_changes.cancel(booking=booking)
    calendar, event = parse(ics.booking_invite(cancelled, reader=ics.CLIENT))

    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event.uid == booking.ical_uid
    assert event.sequence == 1
    # The voided manage link is not handed out again.
    assert "/booking/" not in event.get("DESCRIPTION", "")


def test_the_event_alone_can_go_into_another_calendar(assessment, now):
    booking = book(assessment)
    feed = ics.calendar(ics.booking_event(booking, reader=ics.PRACTITIONER))
    calendar, event = parse(feed.to_ical())

    assert "METHOD" not in calendar
    assert event.uid == booking.ical_uid
