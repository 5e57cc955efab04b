"""Her private feed, read as her calendar app reads it: the invite's UID and sequence, the
title she chose, cancelled bookings kept as CANCELLED, 304 while nothing changed, a rotated
address dead at once, nothing of the note or intake, and a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from booking import booking_changes, free_calls
from booking.calendars import ics, services
from booking.models import Booking
from intake import services as intake_services
from intake.models import Assignment
from practice.models import Practitioner
from tests.factories import insert_booking, make_practitioner, make_session_offering

pytestmark = pytest.mark.django_db

NOTE = "my partner controls the money"
ANSWER = "he reads my messages"


def feed_path(practitioner) -> str:
    return reverse("booking:calendar_feed", kwargs={"token": practitioner.feed_token})


def events(response) -> dict:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return {event.uid: event for event in Calendar.from_ical(response.content).events}


@pytest.fixture
def booked(assessment, now):
    return free_calls.book_assessment(
        offering=assessment,
        start=now + timedelta(days=1, hours=1),
        client_name="Ana Sousa",
        client_email="ana@example.org",
        client_timezone="America/New_York",
        note=NOTE,
    )


def test_a_booking_is_the_invites_event_with_her_titles_links_and_no_people(
    client, practitioner, booked
):
    [event] = events(client.get(feed_path(practitioner))).values()
    invite = Calendar.from_ical(ics.booking_invite(booked, reader=ics.PRACTITIONER))
    [invited] = invite.events

    assert event.uid == invited.uid == booked.ical_uid
    assert event.sequence == invited.sequence == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event.start == booked.start and event.end == booked.end
    assert str(event["SUMMARY"]) == "Ana · Free assessment call"
    description = str(event["DESCRIPTION"])
    assert f"/console/bookings/{booked.public_id}/" in description
    # A feed address can be passed on: it names nobody's address.
    assert "ATTENDEE" not in event and "ORGANIZER" not in event
    assert b"ana@example.org" not in client.get(feed_path(practitioner)).content


def test_the_feed_has_no_method_and_her_practice_as_its_name(client, practitioner, booked):
    calendar = Calendar.from_ical(client.get(feed_path(practitioner)).content)
    assert "METHOD" not in calendar
    assert calendar.calendar_name == f"{practitioner.practice_name} bookings"


@pytest.mark.parametrize(
    ("detail", "title"),
    [
        (Practitioner.FeedDetail.NAMES, "Ana · Free assessment call"),
        (Practitioner.FeedDetail.OFFERING, "Free assessment call"),
        (Practitioner.FeedDetail.BUSY, "Busy"),
    ],
)
def test_the_title_says_only_what_she_chose(client, practitioner, booked, detail, title):
    services.set_feed_detail(practitioner, detail)
    [event] = events(client.get(feed_path(practitioner))).values()
    assert str(event["SUMMARY"]) == title
    if detail != Practitioner.FeedDetail.NAMES:
        assert b"Ana" not in client.get(feed_path(practitioner)).content


def test_a_moved_then_cancelled_booking_follows_with_its_sequence(
    client, practitioner, booked, now
):
    later = booked.start + timedelta(days=1)
    booked = booking_changes.reschedule(booking=booked, new_start=later, now=now)
    [event] = events(client.get(feed_path(practitioner))).values()
    assert event.start == later and event.sequence == 1

    booking_changes.cancel(booking=booked, now=now)
    [event] = events(client.get(feed_path(practitioner))).values()
    assert event["STATUS"] == "CANCELLED"
    assert event.sequence == 2


def test_only_her_shown_bookings_of_the_last_month_and_ahead(
    client, practitioner, assessment, now
):
    kept = insert_booking(assessment, now + timedelta(days=40))
    recent = insert_booking(assessment, now - timedelta(days=20), status=Booking.Status.COMPLETED)
    insert_booking(assessment, now - timedelta(days=45), status=Booking.Status.COMPLETED)
    insert_booking(
        assessment,
        now + timedelta(days=2),
        status=Booking.Status.HELD,
        hold_expires_at=now + timedelta(minutes=10),
    )
    insert_booking(assessment, now + timedelta(days=3), status=Booking.Status.EXPIRED)
    other = make_session_offering(make_practitioner(name="Other", email="o@example.org"))
    insert_booking(other, now + timedelta(days=4))

    assert set(events(client.get(feed_path(practitioner)))) == {kept.ical_uid, recent.ical_uid}


def test_no_note_and_no_intake_answer_leaves_through_it(client, practitioner, booked, now):
    assignment = Assignment.objects.create(
        booking=booked, email=booked.client_email, name=booked.client_name
    )
    intake_services.give_consent(assignment=assignment, now=now)
    intake_services.save_answers(
        assignment=assignment, answers={"what_brings_you": ANSWER}, now=now
    )
    intake_services.submit(assignment=assignment, now=now)

    body = client.get(feed_path(practitioner)).content.decode()
    unfolded = body.replace("\r\n ", "")
    assert NOTE not in unfolded and ANSWER not in unfolded


def test_an_unchanged_feed_answers_304_and_a_change_gives_the_new_one(
    client, practitioner, booked, now
):
    first = client.get(feed_path(practitioner))
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified and first["Cache-Control"] == "private, no-cache"

    again = client.get(feed_path(practitioner), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    since = client.get(feed_path(practitioner), HTTP_IF_MODIFIED_SINCE=modified)
    assert since.status_code == 304

    booking_changes.reschedule(
        booking=booked, new_start=booked.start + timedelta(hours=2), now=now
    )
    changed = client.get(feed_path(practitioner), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    [event] = events(changed).values()
    assert event.sequence == 1


def test_a_renamed_offering_or_another_title_detail_changes_the_etag(
    client, practitioner, assessment, booked
):
    etag = client.get(feed_path(practitioner))["ETag"]
    assessment.name = "Getting to know each other"
    assessment.save()
    renamed = client.get(feed_path(practitioner), HTTP_IF_NONE_MATCH=etag)
    assert renamed.status_code == 200
    assert "Getting to know each other" in renamed.content.decode()
    assert "Getting to know each other" in client.get(feed_path(practitioner)).content.decode()

    services.set_feed_detail(practitioner, Practitioner.FeedDetail.BUSY)
    busy = client.get(feed_path(practitioner), HTTP_IF_NONE_MATCH=renamed["ETag"])
    assert busy.status_code == 200

    practitioner.practice_name = "Mara Lindqvist Coaching"
    practitioner.save()
    named = Calendar.from_ical(client.get(feed_path(practitioner)).content)
    assert named.calendar_name == "Mara Lindqvist Coaching bookings"


def test_a_new_address_voids_the_old_one_at_once(client, practitioner, booked):
    old = feed_path(practitioner)
    assert client.get(old).status_code == 200
    services.rotate_feed_token(practitioner)

    gone = client.get(old)
    assert gone.status_code == 404
    assert b"Ana" not in gone.content
    assert client.get(feed_path(practitioner)).status_code == 200


@pytest.mark.parametrize("token", ["nothing", "a" * 43, "../../etc/passwd"])
def test_a_wrong_address_is_a_plain_404(client, practitioner, booked, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_only_reads_are_answered(client, practitioner):
    assert client.post(feed_path(practitioner)).status_code == 405
    assert client.head(feed_path(practitioner)).status_code == 200


def test_the_queries_do_not_grow_with_the_bookings(client, practitioner, assessment, now):
    def queries(**headers) -> tuple[int, object]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(feed_path(practitioner), **headers)
        return len(captured), response

    insert_booking(assessment, now + timedelta(days=1))
    one, _ = queries()
    for day in range(2, 30):
        insert_booking(assessment, now + timedelta(days=day))
    many, response = queries()
    assert many == one
    kept, again = queries()  # the same feed again, kept under its ETag: not built twice
    assert kept < one and again.content == response.content
    unchanged, not_modified = queries(HTTP_IF_NONE_MATCH=response["ETag"])
    assert not_modified.status_code == 304
    assert unchanged == 3  # her, one aggregate over her bookings, her offerings
