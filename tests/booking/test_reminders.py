"""Reminders before a session: when they go out (across clock changes on either side), to
whom, in whose zone, what they say and what they keep out, and that a reschedule, a
cancellation or the client's own choice is honoured. The clock is moved with time-machine
and the due rows are run the way the worker runs them (``effects.sweep``)."""

from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from booking import booking_changes, effects, links, reminders, services
from booking.models import BookingEvent, Effect
from practice.models import Offering
from tests.console.test_offerings import NEW, form_data
from tests.factories import insert_booking, make_couples_offering, make_offering

pytestmark = pytest.mark.django_db(transaction=True)

BERLIN, NEW_YORK, SYDNEY = "Europe/Berlin", "America/New_York", "Australia/Sydney"
DESCRIPTION = "Working with grief after a loss"
NOTE = "My brother died in March and I cannot sleep"


@pytest.fixture
def offering(practitioner):
    return make_offering(practitioner, description=DESCRIPTION, min_notice_minutes=60)


@pytest.fixture
def couples(practitioner):
    return make_couples_offering(practitioner, duration_minutes=60, description=DESCRIPTION)


def book(offering, start, *, at, **fields):
    """A booking confirmed at ``at``, its change recorded as the services record it."""
    with time_machine.travel(at, tick=False):
        booking = insert_booking(offering, start, **fields)
        effects.record(booking, BookingEvent.Kind.CONFIRMED, actor="client")
    mail.outbox.clear()
    return booking


def sent_at(moment) -> list:
    """The reminders that go out when the worker runs at ``moment``."""
    before = len(mail.outbox)
    with time_machine.travel(moment, tick=False):
        effects.sweep()
    return [m for m in mail.outbox[before:] if m.subject.startswith("Reminder:")]


def due(booking) -> dict:
    rows = Effect.objects.filter(booking=booking, name=reminders.SEND, status="pending")
    return {(row.args["recipient"], row.args["hours"]): row.due_at for row in rows}


def test_a_monday_session_after_the_spring_change_is_reminded_24_real_hours_before(offering):
    start = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # Monday 10:00 in Berlin, CEST since Sunday
    booking = book(offering, start, at=datetime(2026, 3, 20, 12, 0, tzinfo=UTC))

    assert due(booking) == {
        ("client", 24): datetime(2026, 3, 29, 8, 0, tzinfo=UTC),
        ("client", 2): datetime(2026, 3, 30, 6, 0, tzinfo=UTC),
    }
    assert sent_at(datetime(2026, 3, 29, 7, 59, tzinfo=UTC)) == []
    [reminder] = sent_at(datetime(2026, 3, 29, 8, 0, tzinfo=UTC))
    assert reminder.subject == "Reminder: your call tomorrow at 10:00"
    assert reminder.to == ["client@example.org"]
    [reminder] = sent_at(datetime(2026, 3, 30, 6, 0, tzinfo=UTC))
    assert reminder.subject == "Reminder: your call today at 10:00"
    assert sent_at(datetime(2026, 3, 30, 7, 0, tzinfo=UTC)) == []


def test_a_new_york_sunday_after_the_autumn_change_is_reminded_24_real_hours_before(offering):
    """New York falls back on Sunday 1 November 2026 (Berlin did a week earlier): the day
    before a Sunday 10:00 AM call is 25 hours long, and the reminder counts real hours, so
    it comes at 11:00 AM on the Saturday and still says "tomorrow at 10:00 AM"."""
    start = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)  # 10:00 AM EST, 16:00 in Berlin
    booking = book(offering, start, at=start - timedelta(days=7), client_timezone=NEW_YORK)

    assert due(booking)[("client", 24)] == datetime(2026, 10, 31, 15, 0, tzinfo=UTC)
    assert sent_at(datetime(2026, 10, 31, 14, 59, tzinfo=UTC)) == []  # 10:59 AM EDT
    [reminder] = sent_at(datetime(2026, 10, 31, 15, 0, tzinfo=UTC))
    assert reminder.subject == "Reminder: your call tomorrow at 10:00 AM"
    assert "10:00–10:30 AM (New York time)" in reminder.body


@pytest.mark.parametrize(
    "start",
    [
        datetime(2026, 3, 16, 9, 0, tzinfo=UTC),  # New York on summer time, Berlin not yet
        datetime(2026, 10, 29, 9, 0, tzinfo=UTC),  # Berlin back on winter time, New York not
    ],
    ids=["march", "october"],
)
def test_between_the_two_changes_a_new_york_client_reads_their_own_clock(offering, start):
    booking = book(offering, start, at=start - timedelta(days=5), client_timezone=NEW_YORK)
    assert due(booking)[("client", 2)] == start - timedelta(hours=2)

    assert len(sent_at(start - timedelta(hours=24))) == 1
    [reminder] = sent_at(start - timedelta(hours=2))
    assert reminder.subject == "Reminder: your call today at 5:00 AM"
    body = reminder.body
    assert "5:00–5:30 AM (New York time)" in body
    assert "10:00" not in body


def test_a_couples_partner_in_sydney_gets_their_own_in_their_zone(couples):
    # Monday 10:00 in Berlin (CEST) is 6 PM in Sydney, which left summer time on Sunday.
    start = datetime(2026, 4, 6, 8, 0, tzinfo=UTC)
    booking = book(
        couples,
        start,
        at=datetime(2026, 3, 25, 12, 0, tzinfo=UTC),
        partner_name="Kim Partner",
        partner_email="kim@example.org",
        partner_timezone=SYDNEY,
    )
    assert set(due(booking)) == {("client", 24), ("client", 2), ("partner", 24), ("partner", 2)}

    sent = {m.to[0]: m for m in sent_at(start - timedelta(hours=24))}
    assert set(sent) == {"client@example.org", "kim@example.org"}
    partner = sent["kim@example.org"]
    assert partner.subject == "Reminder: your session tomorrow at 6:00 PM"
    assert "Hi Kim Partner" in partner.body
    assert "6:00–7:00 PM (Sydney time)" in partner.body
    assert links.manage_url(booking) not in partner.body, "the manage link is the client's key"
    assert "10:00–11:00 (Berlin time)" in sent["client@example.org"].body


def test_the_reminder_says_when_how_to_join_and_how_to_stop_and_nothing_private(offering):
    start = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    booking = book(
        offering,
        start,
        at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC),
        note_encrypted=services.encrypted_note(NOTE),
    )
    [reminder] = sent_at(start - timedelta(hours=24))
    html = reminder.alternatives[0][0]
    for text in (reminder.body, html):
        assert "https://video.example.org/mara" in text
        assert links.manage_url(booking) in text
        assert "Thursday 10 December, 10:00–10:30 (Berlin time)" in text
        assert "Rather not get these reminders?" in text
        assert DESCRIPTION not in text
        assert NOTE not in text
        assert offering.name not in text
    assert links.manage_url(booking) + "#reminders" in reminder.body
    assert DESCRIPTION not in reminder.subject and offering.name not in reminder.subject


def test_a_reschedule_voids_the_old_reminders_and_only_the_new_ones_go_out(offering):
    old_start = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)  # Thursday 10:00 in Berlin
    new_start = datetime(2026, 12, 11, 13, 0, tzinfo=UTC)  # Friday 14:00
    booking = book(offering, old_start, at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 12, 3, 8, 0, tzinfo=UTC), tick=False):
        booking_changes.reschedule(booking=booking, new_start=new_start)
    old = Effect.objects.filter(booking=booking, name=reminders.SEND, key__endswith=":v0")
    assert set(old.values_list("status", flat=True)) == {"void"}
    assert due(booking) == {
        ("client", 24): new_start - timedelta(hours=24),
        ("client", 2): new_start - timedelta(hours=2),
    }

    assert sent_at(old_start - timedelta(hours=24)) == []
    assert sent_at(old_start - timedelta(hours=2)) == []
    [reminder] = sent_at(new_start - timedelta(hours=24))
    assert reminder.subject == "Reminder: your call tomorrow at 14:00"
    assert sent_at(new_start - timedelta(hours=24)) == [], "a second run sends nothing again"
    assert len(sent_at(new_start - timedelta(hours=2))) == 1


def test_a_worker_down_through_the_first_reminder_sends_only_the_closer_one(offering):
    start = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    book(offering, start, at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
    [reminder] = sent_at(start - timedelta(hours=1))
    assert reminder.subject == "Reminder: your call today at 10:00"
    assert sent_at(start - timedelta(minutes=30)) == []


def test_a_cancelled_booking_is_never_reminded(offering):
    start = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    booking = book(offering, start, at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 12, 3, 8, 0, tzinfo=UTC), tick=False):
        booking_changes.cancel(booking=booking, actor="practitioner")
    assert due(booking) == {}
    assert sent_at(start - timedelta(hours=24)) == []
    assert sent_at(start - timedelta(hours=2)) == []


def test_a_reminder_whose_time_has_passed_is_not_sent_late(offering):
    start = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    booking = book(offering, start, at=start - timedelta(hours=3))
    assert set(due(booking)) == {("client", 2)}


def manage(client, booking, **params):
    return client.get(links.manage_path(booking), params)


def test_the_page_after_booking_says_which_reminders_and_links_to_the_choice(client, offering):
    start = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    booking = book(offering, start, at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 12, 2, 8, 0, tzinfo=UTC)):
        page = unescape(manage(client, booking, booked="1").content.decode())
    assert "We'll email you a reminder 24 hours and 2 hours before." in page
    assert '<a href="#reminders">Change this</a>' in page
    assert 'id="reminders"' in page


@pytest.mark.parametrize(
    ("post", "said", "sent_hours"),
    [
        ({"hours": ["2"]}, "Saved: we'll email you a reminder 2 hours before.", [2]),
        ({"hours": ["24", "2"], "none": "1"}, "Saved: we won't email you reminders", []),
        ({}, "Saved: we won't email you reminders for this call.", []),
    ],
    ids=["only-2h", "none-button", "nothing-ticked"],
)
def test_the_clients_choice_is_honoured_from_then_on(client, offering, post, said, sent_hours):
    start = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    booking = book(offering, start, at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
    path = reverse(
        "booking:reminders",
        kwargs={"public_id": booking.public_id, "token": links.manage_token(booking)},
    )
    with time_machine.travel(datetime(2026, 12, 3, 8, 0, tzinfo=UTC)):
        response = client.post(path, post, follow=True)
    assert said in unescape(response.content.decode())

    sent = {hours: sent_at(start - timedelta(hours=hours)) for hours in (24, 2)}
    assert [hours for hours, found in sent.items() if found] == sent_hours


def test_the_console_offering_form_sets_the_reminders_and_says_them_back(console, practitioner):
    page = console.get(NEW).content.decode()
    assert "Each attendee is emailed a reminder 24 hours and 2 hours before." in page

    response = console.post(NEW, form_data(reminder_hours=["48", "1"], preview="1"))
    assert "Each attendee is emailed a reminder 2 days and 1 hour before." in (
        response.content.decode()
    )
    console.post(NEW, form_data(reminder_hours=["48", "1"]))
    assert Offering.objects.get(name="Intensive session").reminder_hours == [48, 1]
