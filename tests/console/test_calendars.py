"""Her calendars page: test an address, add it, pause, resume, remove; bad input changes
nothing; the address is never shown back."""

import pytest

from booking.models import BusyBlock, ExternalCalendar
from tests.factories import make_practitioner

pytestmark = pytest.mark.django_db

URL = "/console/hours/calendars/"


def test_she_tests_then_adds_a_calendar_and_sees_it_read(console, practitioner, calendar_server):
    address = calendar_server + "/dentist.ics"
    tested = console.post(URL, {"url": address, "name": "Personal", "test": ""})
    assert tested.status_code == 200
    assert ExternalCalendar.objects.count() == 0
    # The busy time lies in the past of the real clock, so nothing is in the next 30 days.
    assert "That address works" in tested.content.decode()

    added = console.post(URL, {"url": address, "name": "Personal", "add": ""}, follow=True)
    page = added.content.decode()
    assert "Added “Personal”" in page
    assert "Personal" in page and "127.0.0.1" in page
    assert address not in page  # kept encrypted, not shown again
    assert ExternalCalendar.objects.get().last_success_at is not None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "Paste the calendar"),
        ("ftp://example.org/c.ics", "should begin with https://"),
        ("http://10.1.2.3/c.ics", "not a public address"),
    ],
)
def test_an_address_that_cannot_be_read_is_refused_and_nothing_is_added(console, url, words):
    response = console.post(URL, {"url": url, "add": ""})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert ExternalCalendar.objects.count() == 0


def test_pausing_opens_its_times_and_resuming_reads_it_again(
    console, practitioner, calendar_server
):
    console.post(URL, {"url": calendar_server + "/dentist.ics", "name": "Personal", "add": ""})
    calendar = ExternalCalendar.objects.get()
    BusyBlock.objects.create(
        practitioner=practitioner,
        calendar=calendar,
        source="feed",
        start="2027-01-05T09:00Z",
        end="2027-01-05T10:00Z",
    )

    console.post(f"{URL}{calendar.pk}/pause/")
    calendar.refresh_from_db()
    assert calendar.paused and not calendar.busy_blocks.exists()
    assert "Paused" in console.get(URL).content.decode()

    console.post(f"{URL}{calendar.pk}/pause/")
    calendar.refresh_from_db()
    assert not calendar.paused and calendar.last_error == ""

    console.post(f"{URL}{calendar.pk}/remove/")
    assert not ExternalCalendar.objects.exists() and not BusyBlock.objects.exists()


def test_a_failing_calendar_shows_its_error_and_when_it_last_worked(
    console, practitioner, calendar_server
):
    console.post(URL, {"url": calendar_server + "/dentist.ics", "name": "Personal", "add": ""})
    calendar = ExternalCalendar.objects.get()
    calendar.set_secrets(url=calendar_server + "/error.ics")
    calendar.save()

    console.post(f"{URL}{calendar.pk}/read/")
    page = console.get(URL).content.decode()
    assert "could not be read" in page and "answered 500" in page
    assert "still close those times" in page


def test_another_practitioners_calendar_is_not_hers_to_touch(console):
    other = make_practitioner(email="other@example.org")
    calendar = ExternalCalendar(practitioner=other, kind="feed", name="Theirs", host="x")
    calendar.set_secrets(url="https://example.org/c.ics")
    calendar.save()
    assert console.post(f"{URL}{calendar.pk}/remove/").status_code == 404
    assert ExternalCalendar.objects.filter(pk=calendar.pk).exists()


def test_she_chooses_how_often_her_calendars_are_read(console, practitioner):
    console.post(f"{URL}refresh-every/", {"minutes": "30"})
    practitioner.refresh_from_db()
    assert practitioner.calendar_refresh_minutes == 30


def test_her_feed_address_is_on_the_page_and_a_new_one_voids_it(console, practitioner, client):
    old = f"/calendar/{practitioner.feed_token}.ics"
    page = console.get(URL).content.decode()
    assert f"http://testserver{old}" in page
    assert f"webcal://testserver{old}" in page

    console.post("/console/hours/calendars/feed/new-address/")
    practitioner.refresh_from_db()
    assert old not in console.get(URL).content.decode()
    assert client.get(old).status_code == 404
    assert client.get(f"/calendar/{practitioner.feed_token}.ics").status_code == 200


def test_a_title_detail_that_is_not_offered_changes_nothing(console, practitioner):
    console.post("/console/hours/calendars/feed/detail/", {"detail": "everything"})
    practitioner.refresh_from_db()
    assert practitioner.feed_detail == "names"
    console.post("/console/hours/calendars/feed/detail/", {"detail": "offering"})
    practitioner.refresh_from_db()
    assert practitioner.feed_detail == "offering"


def test_she_connects_a_caldav_calendar_and_chooses_another_of_hers(
    console, practitioner, radicale
):
    from tests.caldav_server import PASSWORD, USERNAME

    work = radicale.make_calendar("Work")
    family = radicale.make_calendar("Family")
    form = {
        "caldav-url": work,
        "caldav-username": USERNAME,
        "caldav-password": PASSWORD,
        "caldav-push_bookings": "on",
    }
    page = console.post(URL + "caldav/", form, follow=True).content.decode()
    assert "Connected “Work”: it has 0 busy times in the next 30 days" in page
    assert "Your bookings ahead are being written into it." in page
    assert "your bookings are written into it" in page
    assert PASSWORD not in page and work not in page.replace(f'value="{work}"', "")
    calendar = ExternalCalendar.objects.get()
    assert calendar.kind == "caldav" and calendar.push_bookings

    console.post(f"{URL}{calendar.pk}/calendar/", {"calendar_url": family})
    calendar.refresh_from_db()
    assert calendar.secrets["calendar_url"] == family
    console.post(f"{URL}{calendar.pk}/calendar/", {"calendar_url": "http://example.org/x/"})
    calendar.refresh_from_db()
    assert calendar.secrets["calendar_url"] == family

    removed = console.post(f"{URL}{calendar.pk}/remove/", follow=True).content.decode()
    assert "The bookings already written into it stay there" in removed
    assert not ExternalCalendar.objects.exists()


def test_a_caldav_server_that_refuses_her_says_why_and_keeps_nothing(console, radicale):
    from tests.caldav_server import USERNAME

    form = {"caldav-url": radicale.url, "caldav-username": USERNAME, "caldav-password": "no"}
    response = console.post(URL + "caldav/", form)
    assert response.status_code == 400
    page = response.content.decode()
    assert "did not accept that user name and password" in page
    assert 'value="no"' not in page  # the password is typed again, never sent back
    assert not ExternalCalendar.objects.exists()
    assert console.post(URL + "caldav/", {}).status_code == 400
