"""The invitation says honestly how long the questionnaire takes, and nothing of its content."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command

from booking import free_calls
from intake import notifications, services
from intake.models import Assignment
from intake.questionnaires import latest
from tests.factories import booking_emails, make_offering

pytestmark = pytest.mark.django_db


def bodies(letter) -> list[str]:
    return [letter.body, letter.alternatives[0][0]]


def test_the_invitation_says_how_long_answering_everything_takes(assignment):
    questionnaire = services.questionnaire_for(assignment)
    assert questionnaire.estimated_minutes == 25  # the full one, for a session

    letter = notifications.invitation_message(assignment)

    for body in bodies(letter):
        assert "Answering all of them takes about 25 minutes" in body
        assert "a few optional questions" not in body
        assert "optional" in body and "come back later by the same link" in body
        for section in questionnaire.sections:  # no question, nor a part's title
            assert section.title not in body
            assert all(question.label not in body for question in section.questions)


def test_a_short_questionnaire_is_told_as_short(assessment, assignment):
    booking = assignment.booking
    booking.offering = assessment
    booking.save()

    letter = notifications.invitation_message(Assignment.objects.get(pk=assignment.pk))

    assert latest("short").estimated_minutes == 5
    assert all("takes about 5 minutes" in body for body in bodies(letter))


def test_the_subject_stays_discreet_and_recognisable(assignment):
    letter = notifications.invitation_message(assignment)

    assert (
        letter.subject == "Before your session with Lindqvist Coaching: a few optional questions"
    )
    assert booking_emails([letter]) == []


def _recipients(sink) -> list[str]:
    return [rcpt for envelope in sink.envelopes for rcpt in envelope.rcpt_tos]


@pytest.mark.django_db(transaction=True)
def test_an_invitation_that_failed_is_sent_by_the_retry_command_once(
    practitioner, now, smtp_sink, caplog
):
    caplog.set_level(logging.DEBUG)
    smtp_sink.refuse.add("robin@example.org")  # the mail server says no, this once
    booking = free_calls.book_assessment(
        offering=make_offering(practitioner),
        start=now.replace(hour=9) + timedelta(days=1),
        client_name="Robin",
        client_email="robin@example.org",
        client_timezone="Europe/Berlin",
    )
    assignment = Assignment.objects.get(booking=booking)
    assert assignment.invited_at is None
    formatter = logging.Formatter()
    ours = [
        formatter.format(r) for r in caplog.records if r.name != "mail.log"
    ]  # not the server's
    assert any("not sent" in line for line in ours)
    assert not any("robin@example.org" in line for line in ours)  # logged by id only

    smtp_sink.refuse.clear()
    smtp_sink.envelopes.clear()  # the booking's own emails (to the practitioner)
    call_command("send_intake_invitations")  # too soon: the confirmation's task goes first
    assert _recipients(smtp_sink) == []

    with time_machine.travel(now + timedelta(minutes=11), tick=False):
        call_command("send_intake_invitations")
        call_command("send_intake_invitations")  # and only once
    assert _recipients(smtp_sink) == ["robin@example.org"]
    assert Assignment.objects.get(pk=assignment.pk).invited_at is not None


def test_invitations_for_cancelled_or_past_bookings_are_not_retried(assignment, now):
    later = now + timedelta(minutes=30)
    Assignment.objects.filter(pk=assignment.pk).update(created_at=now - timedelta(hours=1))
    assert services.uninvited(now=later) == [assignment]
    assert services.uninvited(now=assignment.booking.start) == []
    assignment.booking.status = "cancelled"
    assignment.booking.save()
    assert services.uninvited(now=later) == []


def test_the_invitation_comes_from_the_practice_by_name(assignment, settings):
    settings.DEFAULT_FROM_EMAIL = "Bookings <bookings@example.org>"

    letter = notifications.invitation_message(assignment)

    assert letter.from_email == "Lindqvist Coaching <bookings@example.org>"
