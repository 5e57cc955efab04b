"""The reminder of an intake not yet sent, two days before: to each attendee whose own
questionnaire is still open, never telling one partner anything of the other's, and never
for a booking that moved (its new time gets its own) or was cancelled."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from booking import booking_changes, effects
from booking.models import Effect
from intake import assignments, links, reminders, services
from intake.models import Assignment
from tests.factories import insert_booking, make_couples_offering

pytestmark = pytest.mark.django_db(transaction=True)

BOOKED_AT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
START = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)  # Thursday 10:00 in Berlin
NEW_START = datetime(2026, 12, 11, 13, 0, tzinfo=UTC)  # Friday 14:00


@pytest.fixture
def booking(practitioner):
    offering = make_couples_offering(practitioner, duration_minutes=60, min_notice_minutes=60)
    return insert_booking(
        offering,
        START,
        partner_name="Robin Partner",
        partner_email="robin@example.org",
        partner_timezone="America/New_York",
    )


def assign(booking, at=BOOKED_AT) -> dict[str, Assignment]:
    with time_machine.travel(at, tick=False):
        created = assignments.assign_for_booking(booking_id=booking.pk, now=at)
    return {assignment.role: assignment for assignment in created}


def reminded_at(moment) -> list:
    before = len(mail.outbox)
    with time_machine.travel(moment, tick=False):
        effects.sweep()
    return [m for m in mail.outbox[before:] if "still open" in m.subject]


def test_only_the_attendee_who_has_not_sent_theirs_is_reminded_in_their_zone(booking):
    attendees = assign(booking)
    client = attendees[Assignment.Role.CLIENT]
    with time_machine.travel(BOOKED_AT + timedelta(days=1), tick=False):
        services.give_consent(assignment=client, now=BOOKED_AT + timedelta(days=1))
        services.submit(assignment=client, now=BOOKED_AT + timedelta(days=1))

    assert reminded_at(START - timedelta(hours=48, minutes=1)) == []
    [reminder] = reminded_at(START - timedelta(hours=48))
    partner = attendees[Assignment.Role.PARTNER]
    assert reminder.to == ["robin@example.org"]
    assert reminder.subject == (
        "Before your session with Lindqvist Coaching: your questions are still open"
    )
    assert links.fill_url(partner) in reminder.body
    assert links.fill_url(client) not in reminder.body
    assert "4:00–5:00 AM (New York time)" in reminder.body
    for text in (reminder.body, reminder.alternatives[0][0]):
        assert "Sam" not in text, "nothing is said of the other partner"
    assert reminded_at(START - timedelta(hours=47)) == [], "one reminder, once"


def test_an_intake_sent_after_the_reminder_was_scheduled_is_not_reminded(booking):
    attendees = assign(booking)
    for assignment in attendees.values():
        services.give_consent(assignment=assignment, now=BOOKED_AT)
        services.submit(assignment=assignment, now=BOOKED_AT)
    assert reminded_at(START - timedelta(hours=48)) == []


def test_a_rescheduled_booking_is_reminded_before_its_new_time_only(booking):
    assign(booking)
    with time_machine.travel(BOOKED_AT + timedelta(days=1), tick=False):
        booking_changes.reschedule(booking=booking, new_start=NEW_START, actor="practitioner")
    old = Effect.objects.filter(name=reminders.SEND, key__endswith=":v0")
    assert set(old.values_list("status", flat=True)) == {"void"}

    assert reminded_at(START - timedelta(hours=48)) == []
    assert len(reminded_at(NEW_START - timedelta(hours=48))) == 2


def test_a_cancelled_booking_is_not_reminded(booking):
    assign(booking)
    with time_machine.travel(BOOKED_AT + timedelta(days=1), tick=False):
        booking_changes.cancel(booking=booking, actor="practitioner")
    assert reminded_at(START - timedelta(hours=48)) == []


def test_a_booking_made_two_days_ahead_or_less_gets_no_intake_reminder(booking):
    assign(booking, at=START - timedelta(hours=30))
    assert not Effect.objects.filter(name=reminders.SEND).exists()
