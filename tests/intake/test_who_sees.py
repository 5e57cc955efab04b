"""Honest about who sees what: the safety part says the practitioner reads it as soon as it is
saved, and the code does exactly that, no more, no less."""

import dataclasses

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from booking.models import Booking
from intake import questionnaires, services
from intake.models import AccessLog, Response
from intake.questionnaires import QuestionnaireError, lookups, parse
from intake.questionnaires.loading import WHO_SEES_IN_INTRO, WHO_SEES_LEAD_TWICE
from tests.console.support import sign_in_with_factor
from tests.intake.test_questionnaires import with_question
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
    sign_in_with_factor(client, practitioner_user)
    html = client.get(review_url(assignment.booking)).content.decode()
    assert "Safety answers, not sent yet" in html
    assert SAFETY_SECRET in html and "People in a group I belong to" in html
    assert UNSENT_SECRET not in html
    assert "Started, not sent yet" in html
    assert AccessLog.objects.filter(response__assignment=assignment).count() == 1


def test_a_version_1_response_keeps_its_safety_part_and_flag_unseen_until_sent(
    client, practitioner_user, assignment, now
):
    """Version 1 told the client that she reads everything once sent, so before Send she
    sees neither its answers nor the flag they raise; after Send she sees the flag."""
    Response.objects.create(
        assignment=assignment,
        questionnaire_id="full",
        questionnaire_version=1,
        started_at=now,
        updated_at=now,
    )
    fill(assignment, now, {"safe_now": "no", "safety_note": SAFETY_SECRET}, submit=False)
    assert not questionnaires.load("full", 1).read_before_send
    sign_in_with_factor(client, practitioner_user)
    html = client.get(review_url(assignment.booking)).content.decode()
    assert SAFETY_SECRET not in html and "Safety answers, not sent yet" not in html
    assert "may not be safe" not in html

    services.submit(assignment=assignment, now=now)
    html = client.get(review_url(assignment.booking)).content.decode()
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
    html = Client().get(reverse("intake:start", kwargs={"token": assignment.token})).content
    assert (
        f"What you gave is still here, and {practitioner.name} can read it as before"
        in html.decode()
    )
    assert "for you alone" not in html.decode()


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


def with_notes_swapped(monkeypatch):
    """Full v2 with its safety part's note moved into the intro's prose (no key), and a
    ``who_sees`` key on "What brings you" instead, whose intro says nothing of the kind."""
    shipped = questionnaires.registry()
    full = shipped[("full", 2)]
    sections = tuple(
        dataclasses.replace(
            section, intro=section.intro + "\n\nWho sees these answers: " + NOTE, who_sees=""
        )
        if section.id == "safety"
        else dataclasses.replace(section, who_sees="I read this part as soon as it is saved.")
        if section.id == "what_brings_you"
        else section
        for section in full.sections
    )
    swapped = dataclasses.replace(full, sections=sections)
    monkeypatch.setattr(lookups, "registry", lambda: {**shipped, swapped.key: swapped})
    return swapped


def test_the_early_read_follows_the_key_not_the_words(
    client, practitioner_user, assignment, now, monkeypatch
):
    swapped = with_notes_swapped(monkeypatch)
    assert [section.id for section in swapped.read_before_send] == ["what_brings_you"]
    fill(
        assignment,
        now,
        {"what_brings_you": UNSENT_SECRET, "safety_note": SAFETY_SECRET},
        submit=False,
    )
    sign_in_with_factor(client, practitioner_user)
    html = client.get(review_url(assignment.booking)).content.decode()
    assert UNSENT_SECRET in html
    assert SAFETY_SECRET not in html


def test_the_note_is_shown_where_the_key_is_and_only_there(assignment, now, monkeypatch):
    with_notes_swapped(monkeypatch)
    services.give_consent(assignment=assignment, now=now)
    html = page_of(assignment, "what_brings_you")
    assert (
        '<div class="notice who-sees" id="who-sees"><p><strong>Who sees these answers:</strong> '
        "I read this part as soon as it is saved.</p></div>"
    ) in html
    assert "who-sees" not in page_of(assignment, "safety")


def test_a_who_sees_key_marks_its_section_read_before_send():
    questionnaire = parse(
        with_question(
            """
            who_sees = "I read this part as soon as it is saved."

            [[sections.questions]]
            id = "later"
            type = "yes_no"
            label = "Later?"
            """
        ),
        "full-v1.toml",
    )
    assert [section.id for section in questionnaire.read_before_send] == ["second"]
    assert questionnaire.sections[1].who_sees == "I read this part as soon as it is saved."
    assert not questionnaire.sections[0].read_before_send


@pytest.mark.parametrize(
    ("section_keys", "message"),
    [
        (
            'intro = """\nHello.\n\nWho sees these answers: I read it at once.\n"""',
            f"full-v1.toml: sections[1].intro: {WHO_SEES_IN_INTRO}",
        ),
        (
            'who_sees = "Who sees these answers: I read it at once."',
            f"full-v1.toml: sections[1].who_sees: {WHO_SEES_LEAD_TWICE}",
        ),
        ("who_sees = true", "full-v1.toml: sections[1]: 'who_sees' should be a non-empty text"),
        ('who_sees = "  "', "full-v1.toml: sections[1]: 'who_sees' should be a non-empty text"),
    ],
    ids=["words-in-intro", "lead-twice", "boolean", "blank"],
)
def test_a_who_sees_note_is_a_text_of_its_own_and_nowhere_else(section_keys, message):
    text = with_question(
        section_keys
        + """

        [[sections.questions]]
        id = "later"
        type = "yes_no"
        label = "Later?"
        """
    )
    with pytest.raises(QuestionnaireError) as caught:
        parse(text, "full-v1.toml")
    assert str(caught.value) == message
