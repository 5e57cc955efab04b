"""Honest about who sees what: the safety part says the practitioner reads it as soon as it is
saved, and the code does exactly that, no more, no less."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from booking.models import Booking
from intake import questionnaires, services
from intake.models import AccessLog, Response
from tests.intake.test_review import fill, review_url

pytestmark = pytest.mark.django_db

NOTE = (
    "I can read each answer in this part as soon as it is saved, before you press Send, so "
    "that I can look out for your safety. No one else can. If you are coming as a couple, "
    "your partner never sees your answers here and is never told that you gave them."
)
UNSENT_SECRET = "Heron-2291 is what brings me"
SAFETY_SECRET = "Otter-7713 about my safety"


def page_of(assignment, section_id: str) -> str:
    url = reverse("intake:section", kwargs={"token": assignment.token, "section_id": section_id})
    page = Client().get(url)
    assert page.status_code == 200
    return page.content.decode()


def test_the_safety_page_shows_who_sees_its_answers_as_a_note_of_its_own(assignment, now):
    services.give_consent(assignment=assignment, now=now)
    html = page_of(assignment, "safety")
    note = html[
        html.index('<div class="notice who-sees"') : html.index("</div>", html.index("who-sees"))
    ]
    assert f"<strong>Who sees these answers:</strong> {escape(NOTE)}" in note
    # Said once, in the note, not again in the intro above it.
    assert html.count("as soon as it is saved") == 1
    assert "I ask everyone these questions, whatever your situation." in html
    assert html.index("who-sees") < html.index('name="shown"')
    assert "who-sees" not in page_of(assignment, "what_brings_you")


def test_the_practitioner_reads_an_unsent_safety_part_and_nothing_else(
    client, practitioner_user, assignment, now
):
    fill(
        assignment,
        now,
        {"what_brings_you": UNSENT_SECRET, "safety_note": SAFETY_SECRET, "who_is_it": ["group"]},
        submit=False,
    )
    client.force_login(practitioner_user)
    html = client.get(review_url(assignment.booking)).content.decode()
    assert "Safety answers, not sent yet" in html
    assert SAFETY_SECRET in html and "People in a group I belong to" in html
    assert UNSENT_SECRET not in html
    assert "Started, not sent yet" in html
    assert AccessLog.objects.filter(response__assignment=assignment).count() == 1


def test_a_version_1_response_keeps_its_safety_part_unread_until_sent(
    client, practitioner_user, assignment, now
):
    """Version 1 never told anyone that she reads it early, so she sees its flag only."""
    Response.objects.create(
        assignment=assignment,
        questionnaire_id="full",
        questionnaire_version=1,
        started_at=now,
        updated_at=now,
    )
    fill(assignment, now, {"safe_now": "no", "safety_note": SAFETY_SECRET}, submit=False)
    assert not questionnaires.load("full", 1).read_before_send
    client.force_login(practitioner_user)
    html = client.get(review_url(assignment.booking)).content.decode()
    assert SAFETY_SECRET not in html and "Safety answers, not sent yet" not in html
    assert "Sam Client answered that they may not be safe" in html


def test_the_clients_review_says_which_part_she_reads_before_send(
    client, practitioner, assignment, now
):
    fill(assignment, now, {"what_brings_you": UNSENT_SECRET}, submit=False)
    url = reverse("intake:review", kwargs={"token": assignment.token})
    html = client.get(url).content.decode()
    assert (
        f"Only you and {practitioner.name} can read them. She reads them once you "
        "send them, except “Your safety right now”, which she can read as soon as it is saved. "
        "Change anything you like before sending."
    ) in html
    services.submit(assignment=assignment, now=now)
    html = client.get(url).content.decode()
    assert "You sent them already, so she sees any change as soon as you save it." in html


def test_the_support_box_does_not_say_that_nobody_is_told(practitioner, assignment, now):
    fill(assignment, now, {"safe_now": "no"}, submit=False)
    html = page_of(assignment, "safety")
    assert (
        f"Only you see this message. Apart from {practitioner.name}, nobody is told what you "
        "answered, and the country you choose stays on this device."
    ) in html


def test_a_cancelled_meetings_pages_say_the_answers_are_still_readable(
    practitioner, assignment, now
):
    fill(assignment, now, {"what_brings_you": UNSENT_SECRET})
    assignment.booking.status = Booking.Status.CANCELLED
    assignment.booking.save()
    html = page_of(assignment, "what_brings_you")
    assert (
        f"Anything you gave is still here, and {practitioner.name} can read it as before" in html
    )
    assert "for you alone" not in html


def test_the_thanks_page_says_a_later_change_is_seen_when_saved(
    client, practitioner, assignment, now
):
    fill(assignment, now, {"what_brings_you": UNSENT_SECRET})
    html = client.get(
        reverse("intake:thanks", kwargs={"token": assignment.token})
    ).content.decode()
    assert (
        "you can come back by the same link and change your answers; "
        f"{practitioner.name} sees a change as soon as you save it."
    ) in html
    assert "then send them again" not in html
