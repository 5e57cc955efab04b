"""The invitation says honestly how long the questionnaire takes, and nothing of its content."""

import email
import io
import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from booking import effects, free_calls
from booking.models import Effect
from intake import assignments, notifications, services
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
def test_an_invitation_that_failed_is_retried_by_itself_and_arrives_once(
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
    assert any("(intake.invitation) failed on attempt 1" in line for line in ours)
    assert not any("robin@example.org" in line for line in ours)  # logged by id only

    smtp_sink.refuse.clear()
    smtp_sink.envelopes.clear()  # the booking's own emails (to the practitioner)
    with time_machine.travel(now + timedelta(minutes=11), tick=False):
        call_command("send_intake_invitations", stdout=io.StringIO())  # its retry is on it
        assert _recipients(smtp_sink) == []
        effects.sweep()  # the back-off has passed: the retries (this and the confirmation)
        effects.sweep()
        call_command("send_intake_invitations", stdout=io.StringIO())
    subjects = sorted(
        email.message_from_bytes(envelope.content)["Subject"] for envelope in smtp_sink.envelopes
    )
    assert _recipients(smtp_sink) == ["robin@example.org"] * 2
    assert [s for s in subjects if "a few optional questions" in s] == [
        "Before your call with Lindqvist Coaching: a few optional questions"
    ]
    assert Assignment.objects.get(pk=assignment.pk).invited_at is not None


def test_the_command_invites_an_assignment_that_never_had_its_invitation(
    assignment, now, django_capture_on_commit_callbacks
):
    Effect.objects.filter(name=notifications.INVITATION).delete()
    Assignment.objects.filter(pk=assignment.pk).update(
        invited_at=None, created_at=now - timedelta(hours=1)
    )
    mail.outbox.clear()
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):  # as it would run, committed
        call_command("send_intake_invitations", stdout=out)
        call_command("send_intake_invitations", stdout=io.StringIO())

    assert [letter.to for letter in mail.outbox] == [[assignment.email]]
    assert "1 invitations not sent yet; 1 of them sent now" in out.getvalue()


def test_invitations_for_cancelled_or_past_bookings_are_not_retried(assignment, now):
    later = now + timedelta(minutes=30)
    Assignment.objects.filter(pk=assignment.pk).update(created_at=now - timedelta(hours=1))
    assert assignments.uninvited(now=later) == [assignment]
    assert assignments.uninvited(now=assignment.booking.start) == []
    assignment.booking.status = "cancelled"
    assignment.booking.save()
    assert assignments.uninvited(now=later) == []


def test_the_invitation_comes_from_the_practice_by_name(assignment, settings):
    settings.DEFAULT_FROM_EMAIL = "Bookings <bookings@example.org>"

    letter = notifications.invitation_message(assignment)

    assert letter.from_email == "Lindqvist Coaching <bookings@example.org>"
