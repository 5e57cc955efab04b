"""Answers are erased, tombstone kept, once the practice's retention period after the
client's last session has passed: not a moment earlier."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from booking.models import Booking
from intake import retention, services
from intake.models import Assignment, Response
from intake.periodic import erase_expired_intake
from tests.factories import insert_booking, make_session_offering

pytestmark = pytest.mark.django_db(transaction=True)

SESSION_START = datetime(2026, 1, 8, 9, 0, tzinfo=UTC)
SESSION_END = SESSION_START + timedelta(hours=1)
RETENTION = timedelta(days=30)


@pytest.fixture
def offering(practitioner):
    practitioner.intake_retention_days = 30
    practitioner.save()
    return make_session_offering(practitioner)


def answered(booking, email="client@example.org") -> Assignment:
    assignment = Assignment.objects.create(booking=booking, email=email, name="Sam")
    services.give_consent(assignment=assignment, now=booking.consented_at)
    services.save_answers(
        assignment=assignment,
        answers={"in_relationship": "yes", "safe_now": "no"},
        now=booking.consented_at,
    )
    return assignment


@pytest.fixture
def completed(offering):
    booking = insert_booking(offering, SESSION_START, status=Booking.Status.COMPLETED)
    return answered(booking)


def response_of(assignment) -> Response:
    return Response.objects.get(assignment=assignment)


def test_the_default_retention_is_a_year(practitioner):
    assert practitioner.intake_retention_days == 365


def test_answers_are_kept_until_the_retention_period_has_passed(completed):
    assert retention.erase_expired(now=SESSION_END + RETENTION) == 0
    assert response_of(completed).answers["safe_now"] == "no"


def test_answers_past_the_retention_period_are_erased_and_a_tombstone_kept(completed):
    moment = SESSION_END + RETENTION + timedelta(microseconds=1)

    assert retention.erase_expired(now=moment) == 1

    response = response_of(completed)
    assert response.erased_at == moment
    assert response.answers_encrypted is None
    assert response.answers == {}
    assert response.needs_attention is False
    assert (response.questionnaire_id, response.questionnaire_version) == ("full", 2)
    assert retention.erase_expired(now=moment + timedelta(days=1)) == 0  # once


def test_a_later_session_with_the_practitioner_restarts_the_period(offering, completed):
    later = insert_booking(offering, SESSION_START + timedelta(days=20))

    assert retention.erase_expired(now=SESSION_END + RETENTION + timedelta(days=1)) == 0
    assert response_of(completed).erased_at is None
    assert retention.erase_expired(now=later.end + RETENTION + timedelta(seconds=1)) == 1


def test_a_confirmed_session_still_ahead_keeps_the_answers(offering, completed):
    insert_booking(offering, SESSION_START + timedelta(days=400))

    assert retention.erase_expired(now=SESSION_END + timedelta(days=300)) == 0


def test_cancelled_bookings_and_other_clients_do_not_count_as_sessions(offering, completed):
    insert_booking(offering, SESSION_START + timedelta(days=20), status=Booking.Status.CANCELLED)
    insert_booking(offering, SESSION_START + timedelta(days=21), email="other@example.org")

    assert retention.erase_expired(now=SESSION_END + RETENTION + timedelta(seconds=1)) == 1


def test_sessions_with_another_practitioner_do_not_count(offering, completed):
    from tests.factories import make_practitioner

    elsewhere = make_session_offering(make_practitioner(name="Someone Else"), slug="other")
    insert_booking(elsewhere, SESSION_START + timedelta(days=20))

    assert retention.erase_expired(now=SESSION_END + RETENTION + timedelta(seconds=1)) == 1


def test_each_practice_keeps_answers_as_long_as_it_says(offering, completed):
    offering.practitioner.intake_retention_days = 90
    offering.practitioner.save()

    assert retention.erase_expired(now=SESSION_END + RETENTION + timedelta(days=1)) == 0
    assert retention.erase_expired(now=SESSION_END + timedelta(days=90, seconds=1)) == 1


def test_both_partners_of_a_couples_session_are_erased_together(offering, completed):
    partner = answered(completed.booking, email="partner@example.org")

    assert retention.erase_expired(now=SESSION_END + RETENTION + timedelta(seconds=1)) == 2
    assert response_of(partner).erased_at is not None


def test_the_command_erases_on_both_sides_of_the_boundary(completed, capsys):
    with time_machine.travel(SESSION_END + RETENTION - timedelta(seconds=1), tick=False):
        call_command("erase_expired_intake")
    assert response_of(completed).erased_at is None
    assert "Erased 0 intake responses" in capsys.readouterr().out

    with time_machine.travel(SESSION_END + RETENTION + timedelta(seconds=1), tick=False):
        call_command("erase_expired_intake")
    assert response_of(completed).erased_at == SESSION_END + RETENTION + timedelta(seconds=1)
    assert "Erased 1 intake responses" in capsys.readouterr().out


def test_the_task_erases_on_both_sides_of_the_boundary(completed):
    with time_machine.travel(SESSION_END + RETENTION, tick=False):
        erase_expired_intake.enqueue()
    assert response_of(completed).erased_at is None

    with time_machine.travel(SESSION_END + RETENTION + timedelta(seconds=1), tick=False):
        result = erase_expired_intake.enqueue()
    assert result.return_value == {"responses": 1, "notes": 0}
    assert response_of(completed).erased_at is not None
