"""A confirmed booking asks its client, once, to fill the offering's questionnaire."""

import pytest
from django.core import mail

from booking import booking_changes, free_calls
from intake import notifications
from intake.models import Assignment
from tests.factories import assign_intake_again
from tests.payments.fixtures import THURSDAY_10_BERLIN, press

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "My partner reads my email, please be careful"


def book_free(offering, **fields):
    return free_calls.book_assessment(
        offering=offering,
        start=THURSDAY_10_BERLIN,
        client_name="Robin Client",
        client_email="robin@example.org",
        client_timezone="Europe/Berlin",
        **({"note": NOTE} | fields),
    )


def intake_emails():
    subjects = {
        notifications.INVITATION_SUBJECT.format(meeting=meeting, practice="Lindqvist Coaching")
        for meeting in ("call", "session")
    }
    return [message for message in mail.outbox if message.subject in subjects]


def test_confirming_a_free_call_assigns_and_emails_one_private_link(assessment, now):
    booking = book_free(assessment)

    assignment = Assignment.objects.get()
    assert (assignment.booking, assignment.email, assignment.name, assignment.role) == (
        booking,
        "robin@example.org",
        "Robin Client",
        Assignment.Role.CLIENT,
    )
    [letter] = intake_emails()
    assert letter.to == ["robin@example.org"]
    assert letter.subject == "Before your call with Lindqvist Coaching: a few optional questions"
    link = f"http://testserver/intake/{assignment.token}/"
    html = letter.alternatives[0][0]
    for body in (letter.body, html):
        assert link in body
        assert NOTE not in body
        assert "safe" not in body.lower()  # no question of the questionnaire
    assert len(mail.outbox) == 3  # the two confirmations, then the invitation


def test_repeated_confirmation_neither_duplicates_nor_emails_again(assessment, now):
    booking = book_free(assessment)

    assign_intake_again(booking)
    assign_intake_again(booking)

    assert Assignment.objects.count() == 1
    assert len(intake_emails()) == 1


def test_a_cancelled_booking_is_not_assigned(assessment, now):
    booking = book_free(assessment)
    Assignment.objects.all().delete()
    booking_changes.cancel(booking=booking, actor="client")

    assign_intake_again(booking)

    assert not Assignment.objects.exists()


def test_without_encryption_keys_no_one_is_asked(assessment, now, settings):
    settings.INTAKE_ENCRYPTION_KEYS = []

    book_free(assessment, note="")  # a note would need a key too

    assert not Assignment.objects.exists()
    assert intake_emails() == []


def test_a_paid_session_is_assigned_when_its_payment_confirms(hold, standin, deliver, now):
    booking, payment, url = hold()
    assert press(url).status_code == 303
    assert not Assignment.objects.exists()  # held, not paid yet
    [completed] = standin.take_outbox()

    deliver(completed)
    deliver(completed)

    assignment = Assignment.objects.get()
    assert (assignment.booking_id, assignment.email) == (booking.pk, "ana@example.org")
    [letter] = intake_emails()
    assert assignment.token in letter.body
    assert letter.subject == (
        "Before your session with Lindqvist Coaching: a few optional questions"
    )
