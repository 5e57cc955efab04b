"""Her calendar addresses read over HTTP from a local server, as a worker reads them."""

from datetime import UTC, datetime, timedelta

import pytest

from booking import selectors
from booking.calendars import fetch, imports
from booking.models import BusyBlock, ExternalCalendar
from tests.calendar_server import Feeds
from tests.factories import make_offering, make_practitioner

NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)  # a Monday morning


@pytest.fixture
def practitioner(db):
    practitioner = make_practitioner()
    make_offering(practitioner, min_notice_minutes=0)
    return practitioner


def tuesday_slots(practitioner):
    offering = practitioner.offerings.get()
    start = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    return [
        slot.start.astimezone(practitioner.zone).strftime("%H:%M")
        for slot in selectors.available_slots(
            offering=offering, start=start, end=start + timedelta(hours=8), now=NOW
        )
    ]


def add(practitioner, url, *, now=NOW):
    calendar = ExternalCalendar(practitioner=practitioner, kind="feed", name="Mine", host="x")
    calendar.set_secrets(url=url)
    calendar.save()
    imports.sync(calendar, now)
    calendar.refresh_from_db()
    return calendar


def test_a_feed_closes_exactly_its_busy_time_and_is_asked_again_conditionally(
    calendar_server, practitioner
):
    before = tuesday_slots(practitioner)
    calendar = add(practitioner, calendar_server + "/dentist.ics")

    assert set(before) - set(tuesday_slots(practitioner)) == {"10:00", "10:30"}
    assert calendar.last_success_at == NOW and calendar.busy_count == 1
    assert calendar.secrets == {"url": calendar_server + "/dentist.ics"}
    assert (calendar_server + "/dentist.ics").encode() not in bytes(calendar.credentials)

    assert imports.sync(calendar, NOW + timedelta(minutes=10))
    assert Feeds.seen[-1] == ("/dentist.ics", '"v1"')  # answered 304: nothing rewritten
    assert BusyBlock.objects.filter(calendar=calendar).count() == 1


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/error.ics", "answered 500"),
        ("/garbage.ics", "did not answer with a calendar"),
        ("/huge.ics", "larger than 5 MB"),
        ("/slow.ics", "did not answer in time"),
    ],
)
def test_a_failing_feed_keeps_its_last_good_busy_time_and_says_why(
    calendar_server, practitioner, path, words
):
    calendar = add(practitioner, calendar_server + "/dentist.ics")
    calendar.set_secrets(url=calendar_server + path)
    calendar.save()

    later = NOW + timedelta(minutes=10)
    assert not imports.sync(calendar, later)

    calendar.refresh_from_db()
    assert words in calendar.last_error
    assert calendar.last_success_at == NOW and calendar.failing_since == later
    assert "10:00" not in tuesday_slots(practitioner)


def test_an_address_inside_the_servers_own_network_is_refused(calendar_server, practitioner):
    port = calendar_server.rsplit(":", 1)[1]
    for url in (
        "http://localhost:8000/admin/",
        f"http://[::1]:{port}/dentist.ics",
        "http://10.0.0.7/cal.ics",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
    ):
        with pytest.raises(fetch.FetchRefused):
            fetch.fetch(url)
    assert Feeds.seen == []


def test_a_redirect_to_an_address_inside_the_network_is_refused(calendar_server, practitioner):
    Feeds.routes["/moved.ics"] = (302, {"Location": "http://127.0.0.2:9/cal.ics"}, b"")
    Feeds.routes["/here.ics"] = (302, {"Location": "/dentist.ics"}, b"")

    with pytest.raises(fetch.FetchRefused, match="not a public address"):
        fetch.fetch(calendar_server + "/moved.ics")
    assert fetch.fetch(calendar_server + "/here.ics").status == 200


def test_webcal_is_read_as_https_and_other_schemes_are_refused():
    assert fetch.normalise(" webcal://p.example.org/c.ics ") == "https://p.example.org/c.ics"
    with pytest.raises(fetch.FetchRefused):
        fetch.normalise("ftp://example.org/c.ics")


def test_a_calendar_is_read_again_only_when_its_refresh_time_has_come(
    calendar_server, practitioner
):
    calendar = add(practitioner, calendar_server + "/dentist.ics")
    assert imports.sync_due(NOW + timedelta(minutes=5)) == 0
    assert imports.sync_due(NOW + timedelta(minutes=10)) == 1
    calendar.paused = True
    calendar.save()
    assert imports.sync_due(NOW + timedelta(minutes=30)) == 0


def test_busy_time_newly_over_a_booking_is_told_to_her_once_and_cancels_nothing(
    calendar_server, practitioner, mailoutbox, django_capture_on_commit_callbacks
):
    from booking import effects
    from booking.models import Booking, CalendarConflict, Effect
    from tests.factories import insert_booking

    offering = practitioner.offerings.get()
    booking = insert_booking(offering, datetime(2026, 11, 3, 9, 30, tzinfo=UTC))  # 10:30 Berlin
    with django_capture_on_commit_callbacks(execute=True):
        calendar = add(practitioner, calendar_server + "/dentist.ics")
        Feeds.routes["/dentist.ics"] = (200, {"ETag": '"v2"'}, Feeds.routes["/dentist.ics"][2])
        imports.sync(calendar, NOW + timedelta(minutes=10))  # read again, still over it

    conflict = CalendarConflict.objects.get()
    assert conflict.booking == booking and conflict.resolved_at is None
    email = Effect.objects.get(name="calendars.conflict_email")
    effects.run_effect(email.pk)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [practitioner.email]
    assert "Nothing has been changed or cancelled" in message.body
    assert "Dentist" not in message.body  # her calendar's titles stay in her calendar
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED

    Feeds.routes["/dentist.ics"] = (200, {"ETag": '"v3"'}, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    imports.sync(calendar, NOW + timedelta(minutes=20))
    conflict.refresh_from_db()
    assert conflict.resolved_at == NOW + timedelta(minutes=20)


def test_her_booking_page_marks_the_busy_time_over_it(calendar_server, practitioner, console):
    from booking.models import CalendarConflict
    from tests.factories import insert_booking

    booking = insert_booking(
        practitioner.offerings.get(), datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    )
    add(practitioner, calendar_server + "/dentist.ics")
    assert CalendarConflict.objects.filter(booking=booking).exists()

    page = console.get(f"/console/bookings/{booking.public_id}/").content.decode()
    assert "Your calendar shows you busy then" in page and "“Mine”" in page


def test_a_calendar_failing_for_an_hour_is_told_to_her_once_and_not_after_it_recovers(
    calendar_server, practitioner, mailoutbox, django_capture_on_commit_callbacks
):
    from booking import effects
    from booking.models import Effect

    calendar = add(practitioner, calendar_server + "/dentist.ics")
    calendar.set_secrets(url=calendar_server + "/error.ics")
    calendar.save(update_fields=["credentials"])
    with django_capture_on_commit_callbacks(execute=True):
        assert not imports.sync(calendar, NOW + timedelta(minutes=10))
        assert not imports.sync(calendar, NOW + timedelta(minutes=40))
    assert not Effect.objects.filter(name="calendars.failing_email").exists()

    with django_capture_on_commit_callbacks(execute=True):
        for minutes in (70, 80, 90):
            assert not imports.sync(calendar, NOW + timedelta(minutes=minutes))
    [email] = Effect.objects.filter(name="calendars.failing_email")
    effects.run_effect(email.pk)
    [message] = mailoutbox
    assert message.to == [practitioner.email]
    assert "“Mine” could not be read" in message.subject
    assert "answered 500" in message.body
    assert "still close those times" in message.body

    # Working again before a later failure's email runs: that email has nothing to say.
    calendar.set_secrets(url=calendar_server + "/dentist.ics")
    calendar.save(update_fields=["credentials"])
    assert imports.sync(calendar, NOW + timedelta(minutes=100))
    calendar.set_secrets(url=calendar_server + "/error.ics")
    calendar.save(update_fields=["credentials"])
    imports.sync(calendar, NOW + timedelta(minutes=110))
    imports.sync(calendar, NOW + timedelta(minutes=180))
    later = Effect.objects.filter(name="calendars.failing_email").exclude(pk=email.pk).get()
    calendar.set_secrets(url=calendar_server + "/dentist.ics")
    calendar.save(update_fields=["credentials"])
    assert imports.sync(calendar, NOW + timedelta(minutes=190))
    effects.run_effect(later.pk)
    assert len(mailoutbox) == 1


def test_one_read_over_several_bookings_is_one_email_naming_each(
    calendar_server, practitioner, mailoutbox, django_capture_on_commit_callbacks
):
    from booking.models import CalendarConflict, Effect
    from tests.factories import insert_booking

    offering = practitioner.offerings.get()
    first = insert_booking(offering, datetime(2026, 11, 3, 9, 0, tzinfo=UTC), client_name="Ana")
    second = insert_booking(offering, datetime(2026, 11, 3, 9, 30, tzinfo=UTC), client_name="Bo")
    with django_capture_on_commit_callbacks(execute=True):
        add(practitioner, calendar_server + "/dentist.ics")

    assert {c.booking_id for c in CalendarConflict.objects.all()} == {first.pk, second.pk}
    [effect] = Effect.objects.filter(name="calendars.conflict_email")
    assert effect.booking_id == first.pk
    [message] = mailoutbox
    assert message.subject == "Your calendar is busy during 2 bookings"
    assert "Ana's" in message.body and "Bo's" in message.body
    assert "no client has been told anything" in message.body
