"""The public journey with the Django client: slots → details → confirmed → manage."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from booking import links, services
from booking.models import Booking
from booking.payments.models import HardshipRequest
from booking.selectors import booking_note
from tests.factories import insert_booking, make_session_offering

# Thursday 3 Dec 2026, 10:00 in Berlin = 04:00 in New York.
SLOT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
SLOT_PARAM = "2026-12-03T09:00:00Z"


def details(client, offering, **data):
    form = {
        "start": SLOT_PARAM,
        "timezone": "America/New_York",
        "name": "Ana",
        "email": "ana@example.org",
        "note": "",
        "consent": "on",
    }
    return client.post(f"/book/{offering.slug}/details/", form | data)


def test_home_shows_both_buttons(client, assessment):
    make_session_offering(assessment.practitioner)
    page = client.get("/").content.decode()
    assert "Book a free assessment call" in page
    assert "Have you worked with me before? Book a single session" in page
    assert "Work with Dr. Mara Lindqvist" in page
    assert "Book a couples session" not in page  # none offered


def test_home_links_the_couples_session_when_there_is_one(client, assessment):
    make_session_offering(
        assessment.practitioner, slug="couples_session", kind="couples_session", name="Couples"
    )
    page = client.get("/").content.decode()
    assert 'href="/book/couples_session/">Book a couples session</a>' in page


def test_slots_are_shown_in_the_visitors_zone_and_the_zone_is_remembered(client, assessment, now):
    response = client.get("/book/assessment/?tz=America/New_York")
    page = response.content.decode()
    assert 'aria-label="Thursday 3 December, 4:00 AM"' in page
    assert f"start={SLOT_PARAM}&amp;tz=America/New_York" in page
    assert response.cookies["tz"].value == "America/New_York"

    again = client.get("/book/assessment/").content.decode()
    assert 'aria-label="Thursday 3 December, 4:00 AM"' in again


def test_without_a_zone_the_practitioners_zone_is_used(client, assessment, now):
    page = client.get("/book/assessment/").content.decode()
    assert 'aria-label="Thursday 3 December, 10:00"' in page
    assert (
        'value="Europe/Berlin" selected data-country="Germany" '
        'data-cities="Munich, Hamburg, Frankfurt, Cologne">Berlin — UTC+1, 09:00' in page
    )


def test_an_unknown_zone_falls_back_without_an_error(client, assessment, now):
    response = client.get("/book/assessment/?tz=Mars/Olympus")
    assert response.status_code == 200
    assert 'aria-label="Thursday 3 December, 10:00"' in response.content.decode()


FELL_BACK = "Times are shown in Berlin time — choose your own zone below."


@pytest.mark.parametrize("asked", ["", "Mars/Olympus"])
def test_an_empty_or_unknown_zone_shows_the_practices_and_says_so(client, assessment, now, asked):
    response = client.get("/book/assessment/", {"tz": asked})
    page = response.content.decode()
    assert 'aria-label="Thursday 3 December, 10:00"' in page
    assert FELL_BACK in page
    assert "tz" not in response.cookies  # nothing chosen, nothing remembered


def test_a_zone_that_was_asked_for_needs_no_notice(client, assessment, now):
    assert FELL_BACK not in client.get("/book/assessment/?tz=Europe/Berlin").content.decode()
    assert FELL_BACK not in client.get("/book/assessment/?tz=Asia/Calcutta").content.decode()
    assert FELL_BACK not in client.get("/book/assessment/").content.decode()  # nothing asked


def test_next_week_link_and_no_earlier_than_today(client, assessment, now):
    page = client.get("/book/assessment/?tz=Europe/Berlin").content.decode()
    assert "week=2026-12-09" in page
    assert 'rel="prev"' not in page
    past = client.get("/book/assessment/?tz=Europe/Berlin&week=2020-01-01").content.decode()
    assert "Wed <span>2 Dec</span>" in past


def test_an_empty_week_points_to_the_next_free_time(client, assessment, now):
    from booking.models import TimeOff

    TimeOff.objects.create(
        practitioner=assessment.practitioner,
        first_day=now.date(),
        last_day=now.date() + timedelta(days=12),
    )
    page = client.get("/book/assessment/?tz=Europe/Berlin").content.decode()
    assert "There are no open times this week" in page
    assert "Tuesday 15 December at 09:00" in page


def test_booking_a_slot_confirms_it_and_shows_both_zones(client, assessment, now):
    form_page = client.get(f"/book/assessment/details/?start={SLOT_PARAM}&tz=America/New_York")
    assert "Thursday 3 December, 4:00–4:30 AM" in form_page.content.decode()

    response = details(client, assessment, note="Trust after a breakup")
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == links.manage_path(booking) + "?booked=1"
    page = client.get(response["Location"]).content.decode()
    assert "You're booked" in page
    assert "Thursday 3 December, 4:00–4:30 AM" in page
    assert "Thursday 3 December, 10:00–10:30 for" in page
    assert booking.client_timezone == "America/New_York"
    assert booking_note(booking) == "Trust after a breakup"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"consent": ""}, "Please agree to the privacy notice"),
        ({"email": "not-an-email"}, "Please give an email address we can write to, like"),
        ({"email": ""}, "Please give an email address we can write to."),
        ({"name": ""}, "Please tell us your name."),
    ],
)
def test_bad_details_rerender_with_a_message_and_book_nothing(
    client, assessment, now, data, message
):
    response = details(client, assessment, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Booking.objects.exists()


def test_a_slot_taken_meanwhile_offers_the_nearest_free_times(client, assessment, now):
    insert_booking(assessment, SLOT, email="first@example.org")
    response = details(client, assessment)
    page = response.content.decode()
    assert response.status_code == 409
    assert "That time was just taken" in page
    assert "Thursday 3 December, 4:30 AM" in page  # the next slot, in the visitor's zone
    assert Booking.objects.count() == 1


def test_a_second_open_assessment_is_refused_kindly_and_its_link_sent_again(
    client, assessment, now, django_capture_on_commit_callbacks
):
    details(client, assessment)
    booking = Booking.objects.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # as it would run, committed
        response = details(client, assessment, start="2026-12-04T09:00:00Z")
    page = response.content.decode()
    assert response.status_code == 409
    assert "You already have a call booked" in page
    assert "emailed its details again to a…@example.org" in page
    assert 'name="email"' not in page  # not a form to send again
    assert Booking.objects.count() == 1
    [message] = mail.outbox
    assert message.to == ["ana@example.org"]
    assert links.manage_url(booking) in message.body
    assert "Thursday 3 December" in message.body

    again = details(client, assessment, start="2026-12-04T09:00:00Z").content.decode()
    assert len(mail.outbox) == 1  # once in ten minutes, however often the form is sent
    assert "emailed its details again" not in again
    assert (
        "a few minutes ago, with the link to change its time or cancel it, so we haven't" in again
    )


def test_returning_clients_only_offering_sends_newcomers_to_the_free_call(client, assessment):
    make_session_offering(assessment.practitioner)
    page = client.get("/book/session/").content.decode()
    assert "Book a free assessment call" in page
    assert 'aria-label="' not in page.split("<main")[1].split("Weeks")[0]


def booked(client, assessment):
    details(client, assessment)
    return Booking.objects.get()


def test_reschedule_by_link_moves_the_call_and_voids_the_old_link(client, assessment, now):
    booking = booked(client, assessment)
    old_path = links.manage_path(booking)
    week = client.get(old_path + "reschedule/").content.decode()
    assert "Choose a new time" in week
    assert 'aria-label="Thursday 3 December, 4:00 AM"' not in week  # its own time is no choice
    assert 'aria-current="true">4:00 AM <small>now</small>' in week
    new_start = "2026-12-04T13:00:00Z"
    confirm = client.get(old_path + f"reschedule/?start={new_start}").content.decode()
    assert "Move your call?" in confirm

    response = client.post(old_path + "reschedule/", {"start": new_start})
    booking.refresh_from_db()
    assert booking.start == datetime(2026, 12, 4, 13, 0, tzinfo=UTC)
    assert booking.sequence == 1
    assert response["Location"] == links.manage_path(booking)
    assert "Friday 4 December, 8:00–8:30 AM" in client.get(response["Location"]).content.decode()
    old = client.get(old_path)
    assert old.status_code == 410
    assert "This link is from an earlier email" in old.content.decode()
    assert client.post(old_path + "cancel/").status_code == 410
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_an_old_link_emails_the_current_one_to_the_booking_address_once_in_a_while(
    client, assessment, now, django_capture_on_commit_callbacks
):
    booking = booked(client, assessment)
    old_path = links.manage_path(booking)
    client.post(old_path + "reschedule/", {"start": "2026-12-04T13:00:00Z"})
    booking.refresh_from_db()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # as it would run, committed
        page = client.post(old_path + "send-link/")
    assert page.status_code == 200
    assert "a…@example.org" in page.content.decode()
    [message] = mail.outbox
    assert message.to == [booking.client_email]
    assert message.subject == "Your link for your call with Lindqvist Coaching"
    assert links.manage_url(booking) in message.body
    assert links.manage_url(booking) in message.alternatives[0][0]
    assert "Friday 4 December" in message.body

    again = client.post(old_path + "send-link/")
    assert again.status_code == 200
    assert len(mail.outbox) == 1  # not again within ten minutes
    assert "a few minutes ago, so we haven't sent it again" in again.content.decode()
    assert "on its way" not in again.content.decode()
    # Opened rather than pressed (a pasted link, a reload): back to what the old link
    # shows, the offer to send the current one; nothing sent.
    opened = client.get(old_path + "send-link/")
    assert (opened.status_code, opened["Location"]) == (302, old_path)
    assert "This link is from an earlier email" in client.get(old_path).content.decode()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("action", ["hardship/", "send-link/"])
def test_a_button_only_action_opened_as_a_link_leads_back_to_the_booking_page(
    client, assessment, now, action
):
    booking = booked(client, assessment)
    path = links.manage_path(booking)
    mail.outbox.clear()

    response = client.get(path + action)

    assert (response.status_code, response["Location"]) == (302, path)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Thursday 3 December, 4:00–4:30 AM" in page.content.decode()
    assert mail.outbox == []
    assert not HardshipRequest.objects.exists()


@pytest.mark.parametrize("token", ["0" * 32, "forged"])
def test_a_forged_link_cannot_ask_for_the_current_one(client, assessment, now, token):
    booking = insert_booking(assessment, SLOT)
    mail.outbox.clear()
    assert client.post(f"/booking/{booking.public_id}/{token}/send-link/").status_code == 404
    assert mail.outbox == []


def test_cancel_by_link_frees_the_slot(client, assessment, now):
    booking = booked(client, assessment)
    path = links.manage_path(booking)
    assert "Cancel your call?" in client.get(path + "cancel/").content.decode()

    response = client.post(path + "cancel/")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert "This call is cancelled" in client.get(response["Location"]).content.decode()
    slots = client.get("/book/assessment/?tz=America/New_York").content.decode()
    assert 'aria-label="Thursday 3 December, 4:00 AM"' in slots


def test_after_the_cutoff_the_page_says_whom_to_contact(client, assessment, now):
    booking = insert_booking(assessment, now + timedelta(hours=20))
    path = links.manage_path(booking)
    page = client.get(path).content.decode()
    assert "too close to change online" in page
    assert "Reply to this email and Mara will get back to you." in page
    assert client.post(path + "cancel/").status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


@pytest.mark.parametrize("token", ["0" * 32, "forged", ""])
def test_forged_links_are_refused(client, assessment, now, token):
    booking = insert_booking(assessment, SLOT)
    response = client.get(f"/booking/{booking.public_id}/{token or 'x'}/")
    assert response.status_code == 404
    assert "This link no longer works" in response.content.decode()
    assert client.post(f"/booking/{booking.public_id}/{token or 'x'}/cancel/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_a_link_for_one_booking_does_not_open_another(client, assessment, now):
    mine = insert_booking(assessment, SLOT)
    other = insert_booking(assessment, SLOT + timedelta(hours=2), email="b@example.org")
    response = client.get(f"/booking/{other.public_id}/{links.manage_token(mine)}/")
    assert response.status_code == 404


def test_a_legacy_zone_name_from_the_browser_is_shown_as_the_listed_zone(client, assessment, now):
    response = client.get("/book/assessment/?tz=Asia/Calcutta")
    page = response.content.decode()
    assert (
        'value="Asia/Kolkata" selected data-country="India" '
        'data-cities="Mumbai, Delhi, New Delhi, Bangalore, Bengaluru, Chennai">'
        "Kolkata — UTC+5:30, 13:30" in page
    )
    assert 'aria-label="Thursday 3 December, 2:30 PM"' in page  # 10:00 Berlin
    assert response.cookies["tz"].value == "Asia/Kolkata"


def test_the_manage_page_offers_the_invite_for_the_clients_calendar(client, assessment, now):
    from icalendar import Calendar

    booking = booked(client, assessment)
    path = links.manage_path(booking)
    assert f'href="{path}invite.ics"' in client.get(path).content.decode()
    response = client.get(path + "invite.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="call.ics"'
    calendar = Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "PUBLISH"  # added as it is, no reply asked for
    event = calendar.walk("VEVENT")[0]
    assert event["UID"] == booking.ical_uid
    assert event.decoded("DTSTART") == SLOT
    assert client.get(f"/booking/{booking.public_id}/forged/invite.ics").status_code == 404


def test_without_a_known_zone_the_page_says_why_it_shows_the_practices_times(
    client, assessment, now
):
    hint = "Your browser did not tell us your time zone"
    assert hint in client.get("/book/assessment/").content.decode()
    assert hint not in client.get("/book/assessment/?tz=Asia/Tokyo").content.decode()


def test_a_paid_offering_names_its_price_before_a_time_is_chosen(client, assessment, now):
    make_session_offering(assessment.practitioner, returning_clients_only=False)
    page = client.get("/book/session/").content.decode()
    assert "60 minutes by video, 120.00 EUR." in page
    assert (
        "30 minutes by video, free of charge." in client.get("/book/assessment/").content.decode()
    )


def test_help_texts_are_tied_to_their_fields(client, assessment, now):
    page = client.get(f"/book/assessment/details/?start={SLOT_PARAM}").content.decode()
    described = {
        target
        for targets in re.findall(r'aria-describedby="([^"]+)"', page)
        for target in targets.split()  # a list of ids
    }
    assert described
    for target in described:
        assert f'id="{target}"' in page


def test_the_privacy_notice_shows_the_version_a_booking_records(client, assessment, now):
    page = client.get("/privacy/").content.decode()
    assert f"Version {services.PRIVACY_NOTICE_VERSION}." in page
    assert "Dr. Mara Lindqvist alone" in page
    assert "deleted 365 days after your last session" in page
    details(client, assessment)
    assert Booking.objects.get().privacy_notice_version == services.PRIVACY_NOTICE_VERSION


def error_summary(page: str) -> str:
    """The error summary box of a page, from its opening tag to its end."""
    summary = page[page.index('id="error-summary"') :]
    return summary[: summary.index("</div>")]


def test_a_form_with_errors_leads_with_a_summary_linking_each_field(client, assessment, now):
    response = details(client, assessment, name="", email="not-an-email")
    page = response.content.decode()
    summary = error_summary(page)
    assert '<h2 id="error-summary-title">Two things to fix before we can book this</h2>' in summary
    assert '<a href="#id_name">Please tell us your name.</a>' in summary
    assert '<a href="#id_email">Please give an email address we can write to, like' in summary
    assert "Your name:" not in summary
    assert "Email:" not in summary
    assert 'aria-invalid="true"' in page
    assert Booking.objects.count() == 0


def test_an_empty_form_says_what_to_do_in_plain_words(client, assessment, now):
    response = details(client, assessment, name="", email="", consent="")
    page = response.content.decode()
    summary = error_summary(page)

    assert "Three things to fix before we can book this" in summary
    assert '<a href="#id_name">Please tell us your name.</a>' in summary
    assert '<a href="#id_email">Please give an email address we can write to.</a>' in summary
    consent = "Please agree to the privacy notice so we can book the call."
    assert f'<a href="#id_consent">{consent}</a>' in summary
    assert ".:" not in summary
    assert "This field is required" not in page
    assert not Booking.objects.exists()


def test_one_thing_to_fix_is_counted_as_one(client, assessment, now):
    page = details(client, assessment, consent="").content.decode()

    assert "One thing to fix before we can book this" in page
