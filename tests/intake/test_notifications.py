"""The invitation says honestly how long the questionnaire takes, and nothing of its content."""

import pytest

from intake import notifications, services
from intake.models import Assignment
from intake.questionnaires import load
from tests.factories import booking_emails

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

    assert load("short", 1).estimated_minutes == 3
    assert all("takes about 3 minutes" in body for body in bodies(letter))


def test_the_subject_stays_discreet_and_recognisable(assignment):
    letter = notifications.invitation_message(assignment)

    assert (
        letter.subject == "Before your session with Lindqvist Coaching: a few optional questions"
    )
    assert booking_emails([letter]) == []
