"""Her CalDAV calendar against a real Radicale server: connected from the server's address,
her bookings written, moved and taken away by the worker's effects, her own events read as
busy time (ours never), a server that is down then back getting each change once, and her
password kept encrypted."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar, Event

from booking import booking_changes, effects, free_calls
from booking.calendars import fetch, imports, services
from booking.models import BusyBlock, Effect, ExternalCalendar
from tests.caldav_server import PASSWORD, USERNAME
from tests.factories import insert_booking, raw_table_text

pytestmark = pytest.mark.django_db

THURSDAY_10_BERLIN = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
DENTIST = datetime(2026, 12, 4, 13, 0, tzinfo=UTC)  # Friday 14:00 in Berlin


def dentist() -> bytes:
    calendar = Calendar.new(prodid="-//Her phone//EN")
    calendar.add_component(
        Event.new(
            uid="dentist-1@phone",
            summary="Dentist",
            start=DENTIST,
            end=DENTIST + timedelta(hours=1),
            stamp=DENTIST,
        )
    )
    return calendar.to_ical()


@pytest.fixture
def work(radicale):
    """Her "Work" calendar on the server, with a dentist appointment in it."""
    url = radicale.make_calendar("Work")
    radicale.add_event(url, dentist())
    return url


def connect(practitioner, radicale, *, push=True, url=None) -> ExternalCalendar:
    return services.add_caldav(
        practitioner,
        name="",
        url=url or radicale.url,
        username=USERNAME,
        password=PASSWORD,
        push_bookings=push,
    )


def book(assessment, start=THURSDAY_10_BERLIN):
    return free_calls.book_assessment(
        offering=assessment,
        start=start,
        client_name="Ana Sousa",
        client_email="ana@example.org",
        client_timezone="America/New_York",
        note="what I wrote",
    )


def ours(radicale, url) -> list:
    return [event for event in radicale.events(url) if str(event["UID"]).endswith("@practice")]


def test_connecting_finds_her_calendar_reads_its_busy_time_and_hides_the_password(
    practitioner, radicale, work, now
):
    radicale.make_calendar("Family")
    calendar = connect(practitioner, radicale, url=work)

    assert calendar.name == "Work" and calendar.host == "127.0.0.1"
    assert calendar.secrets["calendar_url"] == work
    [block] = BusyBlock.objects.filter(calendar=calendar)
    assert (block.start, block.end) == (DENTIST, DENTIST + timedelta(hours=1))
    stored = raw_table_text("booking_externalcalendar")
    assert PASSWORD not in stored and USERNAME not in stored and "127.0.0.1:" not in stored


def test_a_wrong_password_or_a_private_address_saves_nothing(
    practitioner, radicale, work, settings, now
):
    with pytest.raises(fetch.FetchRefused, match="did not accept that user name"):
        services.add_caldav(
            practitioner,
            name="",
            url=radicale.url,
            username=USERNAME,
            password="wrong",
            push_bookings=True,
        )
    settings.CALENDAR_FETCH_ALLOWED_HOSTS = []
    with pytest.raises(fetch.FetchRefused, match="not a public address"):
        connect(practitioner, radicale)
    assert not ExternalCalendar.objects.exists()


@pytest.mark.parametrize("path", ["/garbage.ics", "/dentist.ics", "/nowhere/"])
def test_an_address_that_is_not_a_caldav_server_is_refused_in_words(
    practitioner, calendar_server, path, now
):
    with pytest.raises(fetch.FetchRefused, match="could not use|no calendar"):
        services.add_caldav(
            practitioner,
            name="",
            url=calendar_server + path,
            username=USERNAME,
            password=PASSWORD,
            push_bookings=True,
        )
    assert not ExternalCalendar.objects.exists()


def test_a_booking_is_written_moved_and_taken_away(
    practitioner, assessment, radicale, work, now, django_capture_on_commit_callbacks
):
    connect(practitioner, radicale, url=work)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(assessment)
    [event] = ours(radicale, work)
    assert str(event["UID"]) == booking.ical_uid
    assert str(event["SUMMARY"]) == "Ana · Free assessment call"
    assert event.start == THURSDAY_10_BERLIN
    # Written as her own event: a server must never invite her client.
    assert "ATTENDEE" not in event and "ORGANIZER" not in event
    assert "what I wrote" not in event.to_ical().decode()

    later = THURSDAY_10_BERLIN + timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_changes.reschedule(booking=booking, new_start=later, now=now)
    [event] = ours(radicale, work)
    assert event.start == later and event.sequence == 1

    with django_capture_on_commit_callbacks(execute=True):
        booking_changes.cancel(booking=booking, now=now)
    assert ours(radicale, work) == []
    assert [str(e["UID"]) for e in radicale.events(work)] == ["dentist-1@phone"]


def test_bookings_already_ahead_are_written_when_she_connects(
    practitioner, assessment, radicale, work, now, django_capture_on_commit_callbacks
):
    ahead = insert_booking(assessment, THURSDAY_10_BERLIN, client_name="Robin Vale")
    insert_booking(assessment, now - timedelta(days=3), status="completed")
    with django_capture_on_commit_callbacks(execute=True):
        connect(practitioner, radicale, url=work)
    assert [str(event["UID"]) for event in ours(radicale, work)] == [ahead.ical_uid]


def test_our_own_events_are_never_read_back_as_busy_time(
    practitioner, assessment, radicale, work, now, django_capture_on_commit_callbacks
):
    calendar = connect(practitioner, radicale, url=work)
    with django_capture_on_commit_callbacks(execute=True):
        book(assessment)
    assert len(ours(radicale, work)) == 1
    assert imports.sync(calendar)
    assert [block.external_uid for block in BusyBlock.objects.all()] == ["dentist-1@phone"]


def test_a_server_down_then_back_gets_the_change_once(
    practitioner, assessment, radicale, work, now, django_capture_on_commit_callbacks
):
    calendar = connect(practitioner, radicale, url=work)
    radicale.stop()
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(assessment)
    push = Effect.objects.get(name="calendars.push", booking=booking)
    assert push.status == Effect.Status.PENDING and push.attempts == 1
    assert push.last_error  # the class of the failure, for her "not sent" page

    # Busy time is kept while the server is away.
    assert not imports.sync(calendar)
    calendar.refresh_from_db()
    assert "could not be reached" in calendar.last_error
    assert BusyBlock.objects.filter(calendar=calendar).count() == 1

    radicale.start()
    Effect.objects.filter(pk=push.pk).update(due_at=now)
    effects.run_effect(push.pk)
    effects.run_effect(push.pk)  # a second delivery of the same task changes nothing
    [event] = ours(radicale, work)
    assert str(event["UID"]) == booking.ical_uid
    push.refresh_from_db()
    assert push.status == Effect.Status.DONE


def test_a_paused_calendar_is_not_written_and_gets_up_to_date_when_resumed(
    practitioner, assessment, radicale, work, now, django_capture_on_commit_callbacks
):
    calendar = connect(practitioner, radicale, url=work)
    services.pause(calendar)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(assessment)
    assert ours(radicale, work) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.resume(calendar)
    assert [str(event["UID"]) for event in ours(radicale, work)] == [booking.ical_uid]


def test_she_chooses_another_of_her_calendars(
    practitioner, assessment, radicale, work, now, django_capture_on_commit_callbacks
):
    family = radicale.make_calendar("Family")
    calendar = connect(practitioner, radicale, url=work)
    assert not services.choose_caldav_calendar(calendar, "http://example.org/elsewhere/")
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(assessment)
        assert services.choose_caldav_calendar(calendar, family)
    assert [str(event["UID"]) for event in ours(radicale, family)] == [booking.ical_uid]
    assert not BusyBlock.objects.filter(calendar=calendar).exists()  # Family has no dentist


def test_other_titles_reach_the_events_already_written_once_each(
    practitioner, assessment, radicale, work, now, django_capture_on_commit_callbacks
):
    from booking.models import Effect
    from practice.models import Practitioner

    family = radicale.make_calendar("Family")
    connect(practitioner, radicale, url=work)
    connect(practitioner, radicale, url=family)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(assessment)
        services.set_feed_detail(practitioner, Practitioner.FeedDetail.BUSY)
    for calendar in (work, family):
        [event] = ours(radicale, calendar)
        assert str(event["SUMMARY"]) == "Busy"
    # One write per booking however many of her calendars take them.
    assert Effect.objects.filter(name="calendars.push", booking=booking).count() == 2
