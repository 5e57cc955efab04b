"""The client's download of their own answers, by their private link only."""

import json

import pytest
from django.urls import reverse

from intake import services
from intake.models import AccessLog, Assignment
from intake.questionnaires import PREFER_NOT_TO_SAY

pytestmark = pytest.mark.django_db

CLIENT_SECRET = "Client-Heron-5521 is what brings me"
PARTNER_SECRET = "Partner-Otter-8830 is what brings me"


def fill(assignment, now, answers, *, skip=()):
    services.give_consent(assignment=assignment, now=now)
    services.save_answers(assignment=assignment, answers=answers, now=now)
    for section_id in skip:
        services.skip_section(assignment=assignment, section_id=section_id, now=now)
    return assignment


@pytest.fixture
def couple(assignment, booking, now):
    partner = Assignment.objects.create(
        booking=booking,
        email="robin@example.org",
        name="Robin Partner",
        role=Assignment.Role.PARTNER,
    )
    fill(
        assignment,
        now,
        {
            "what_brings_you": CLIENT_SECRET,
            "hoped_for_change": PREFER_NOT_TO_SAY,
            "in_relationship": "yes",
            "money_balance": 2,
        },
        skip=["experiences"],
    )
    fill(partner, now, {"what_brings_you": PARTNER_SECRET, "safe_now": "no"})
    return assignment, partner


def json_url(assignment):
    return reverse("intake:export_json", kwargs={"token": assignment.token})


def page_url(assignment):
    return reverse("intake:export", kwargs={"token": assignment.token})


def test_the_json_holds_the_questionnaire_and_labelled_answers(client, couple):
    download = client.get(json_url(couple[0]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/json; charset=utf-8"
    assert download["Content-Disposition"] == 'attachment; filename="my-intake-answers.json"'
    assert "no-store" in download["Cache-Control"]
    data = json.loads(download.content)
    assert data["questionnaire"] == {
        "id": "full",
        "version": 2,
        "title": data["questionnaire"]["title"],
    }
    sections = {section["id"]: section for section in data["sections"]}
    first = sections["what_brings_you"]["questions"]
    assert first[0] == {
        "id": "what_brings_you",
        "label": "What brings you here right now?",
        "answer": CLIENT_SECRET,
        "answer_text": CLIENT_SECRET,
        "prefer_not_to_say": False,
    }
    assert first[1]["id"] == "hoped_for_change"
    assert first[1]["answer"] == PREFER_NOT_TO_SAY
    assert first[1]["answer_text"] == "I'd rather not say"
    money = sections["money"]["questions"][0]
    assert (money["id"], money["answer"], money["answer_text"]) == ("money_balance", 2, "2 of 5")
    assert sections["experiences"] == {
        "id": "experiences",
        "title": "Past experiences",
        "skipped": True,
        "questions": [],
    }


def test_a_partners_export_never_holds_the_other_partners_answers(client, couple):
    client_side, partner = couple
    for url in (json_url(partner), page_url(partner)):
        body = client.get(url).content.decode()
        assert PARTNER_SECRET in body
        assert CLIENT_SECRET not in body
        assert "Sam Client" not in body
    for url in (json_url(client_side), page_url(client_side)):
        body = client.get(url).content.decode()
        assert CLIENT_SECRET in body
        assert PARTNER_SECRET not in body
        assert "Robin" not in body and "safe_now" not in body


def test_the_readable_page_lists_the_answers_and_links_the_file(client, couple):
    page = client.get(page_url(couple[0]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "What brings you here right now?" in html and CLIENT_SECRET in html
    assert "You skipped this part." in html
    assert json_url(couple[0]) in html


def test_the_clients_own_export_is_not_an_access_log_read(client, couple):
    client.get(json_url(couple[0]))
    client.get(page_url(couple[0]))
    assert not AccessLog.objects.exists()


def test_an_unknown_token_gets_404(client, couple):
    assert client.get(reverse("intake:export_json", kwargs={"token": "nope"})).status_code == 404
    assert client.get(reverse("intake:export", kwargs={"token": "nope"})).status_code == 404


def test_before_any_answer_the_export_is_empty(client, assignment):
    data = json.loads(client.get(json_url(assignment)).content)
    assert data["sections"] == []


def test_after_erasure_there_is_nothing_to_export(client, couple, now):
    services.erase(assignment=couple[0], now=now)
    assert CLIENT_SECRET not in client.get(json_url(couple[0])).content.decode()
