import dataclasses
from datetime import timedelta

import pytest

from intake import questionnaires, services
from intake.models import Response
from intake.questionnaires import PREFER_NOT_TO_SAY, lookups
from tests.factories import raw_table_text

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Zebra-Marmalade-7731 is what I never told anyone"


@pytest.fixture
def consented(assignment, now):
    services.give_consent(assignment=assignment, now=now)
    return assignment


def test_answers_need_consent_first(assignment, now):
    with pytest.raises(services.IntakeError) as caught:
        services.save_answers(assignment=assignment, answers={"coming_as": "on_my_own"}, now=now)
    assert caught.value.message == services.CONSENT_REQUIRED


def test_consent_records_the_wording_version_once(assignment, now):
    first = services.give_consent(assignment=assignment, now=now)
    again = services.give_consent(assignment=assignment, now=now + timedelta(minutes=1))
    assert again == first
    assert (first.questionnaire_id, first.questionnaire_version) == ("full", 2)
    assert first.consent_version == "2026-12-full-2"


def test_save_as_you_go_merges_pages_and_resumes(consented, now):
    services.save_answers(
        assignment=consented,
        answers={"what_brings_you": "Us", "coming_as": "as_a_couple"},
        now=now,
    )
    later = now + timedelta(hours=5)
    services.save_answers(
        assignment=consented, answers={"in_relationship": "yes", "money_balance": 2}, now=later
    )
    response = Response.objects.get(assignment=consented)
    assert response.answers == {
        "what_brings_you": "Us",
        "coming_as": "as_a_couple",
        "in_relationship": "yes",
        "money_balance": 2,
    }
    assert (response.started_at, response.updated_at) == (now, later)


def test_none_clears_an_answer_and_a_missing_one_is_skipped(consented, now):
    services.save_answers(
        assignment=consented, answers={"what_brings_you": "Us", "coming_as": "on_my_own"}, now=now
    )
    response = services.save_answers(
        assignment=consented, answers={"what_brings_you": None}, now=now
    )
    assert response.answers == {"coming_as": "on_my_own"}


def test_prefer_not_to_say_is_kept_as_an_answer(consented, now):
    response = services.save_answers(
        assignment=consented,
        answers={"safe_now": PREFER_NOT_TO_SAY, "children": PREFER_NOT_TO_SAY},
        now=now,
    )
    assert response.answers == {"safe_now": PREFER_NOT_TO_SAY, "children": PREFER_NOT_TO_SAY}
    assert not response.needs_attention


def test_an_answer_that_does_not_fit_saves_nothing(consented, now):
    with pytest.raises(services.InvalidAnswers) as caught:
        services.save_answers(
            assignment=consented,
            answers={"what_brings_you": SECRET, "money_balance": 9},
            now=now,
        )
    assert caught.value.errors == {"money_balance": "is not one of the question's options"}
    assert caught.value.message == "Some answers could not be saved: money_balance"
    assert SECRET not in str(caught.value)
    assert Response.objects.get(assignment=consented).answers == {}


def test_unknown_question_ids_are_ignored_and_never_stored(consented, now):
    response = services.save_answers(
        assignment=consented,
        answers={"coming_as": "on_my_own", "injected": SECRET},
        now=now,
    )
    assert response.answers == {"coming_as": "on_my_own"}


def test_an_unsafe_answer_flags_the_response_and_a_change_unflags_it(consented, now):
    response = services.save_answers(
        assignment=consented, answers={"safe_now": "not_sure"}, now=now
    )
    assert (response.needs_attention, response.attention) == (True, {"unsafe": ["safe_now"]})
    response = services.save_answers(assignment=consented, answers={"safe_now": "yes"}, now=now)
    assert (response.needs_attention, response.attention) == (False, {})
    # The questions about someone close count whatever is said about a relationship.
    response = services.save_answers(
        assignment=consented, answers={"afraid_of_someone": "often"}, now=now
    )
    assert response.attention == {"unsafe": ["afraid_of_someone"]}
    response = services.save_answers(
        assignment=consented, answers={"in_relationship": "no"}, now=now
    )
    assert response.attention == {"unsafe": ["afraid_of_someone"]}
    # The reason lives inside the encrypted record; the answers read as they were given.
    response.refresh_from_db()
    assert response.answers == {
        "safe_now": "yes",
        "afraid_of_someone": "often",
        "in_relationship": "no",
    }
    assert response.needs_attention and response.attention == {"unsafe": ["afraid_of_someone"]}


def test_submit_drops_answers_to_questions_that_ended_up_hidden(consented, now):
    services.save_answers(
        assignment=consented,
        answers={"in_relationship": "yes", "living_together": "yes", "coming_as": "on_my_own"},
        now=now,
    )
    # Switching away keeps the hidden answer while filling in, in case they switch back...
    response = services.save_answers(
        assignment=consented, answers={"in_relationship": "no"}, now=now
    )
    assert "living_together" in response.answers
    # ...and submitting keeps only what is shown.
    response = services.submit(assignment=consented, now=now)
    assert response.answers == {"in_relationship": "no", "coming_as": "on_my_own"}
    assert response.submitted_at == now


def test_a_whole_section_can_be_skipped_and_unskipped(consented, now):
    response = services.skip_section(assignment=consented, section_id="experiences", now=now)
    assert response.skipped_sections == ["experiences"]
    response = services.skip_section(
        assignment=consented, section_id="experiences", skip=False, now=now
    )
    assert response.skipped_sections == []
    with pytest.raises(services.IntakeError) as caught:
        services.skip_section(assignment=consented, section_id="nope", now=now)
    assert caught.value.message == "There is no section 'nope' in this questionnaire."


def test_a_response_keeps_the_version_it_started_with(consented, now, monkeypatch):
    services.save_answers(assignment=consented, answers={"coming_as": "on_my_own"}, now=now)
    current = questionnaires.latest("full")
    newer = dataclasses.replace(
        current, version=current.version + 1, sections=current.sections[:1]
    )
    shipped = questionnaires.registry()
    monkeypatch.setattr(lookups, "registry", lambda: {**shipped, newer.key: newer})
    assert questionnaires.latest("full") is newer

    response = services.save_answers(assignment=consented, answers={"money_balance": 4}, now=now)
    assert (response.questionnaire_id, response.questionnaire_version) == current.key
    assert response.answers == {"coming_as": "on_my_own", "money_balance": 4}
    assert services.questionnaire_for(consented) is current


def test_the_database_holds_no_plaintext_answer(consented, now):
    services.save_answers(
        assignment=consented,
        answers={"what_brings_you": SECRET, "money_note": SECRET, "in_relationship": "yes"},
        now=now,
    )
    raw = raw_table_text("intake_response")
    assert "Zebra-Marmalade" not in raw
    assert "money_note" not in raw


def test_erase_deletes_the_answers_and_keeps_a_tombstone(consented, now):
    services.save_answers(assignment=consented, answers={"safe_now": "no"}, now=now)
    services.skip_section(assignment=consented, section_id="experiences", now=now)
    erased_at = now + timedelta(days=1)
    response = services.erase(assignment=consented, now=erased_at)
    response.refresh_from_db()
    assert response.answers_encrypted is None
    assert response.answers == {}
    assert (response.needs_attention, response.skipped_sections) == (False, [])
    assert response.erased_at == erased_at
    assert (response.questionnaire_id, response.questionnaire_version) == ("full", 2)
    with pytest.raises(services.IntakeError) as caught:
        services.save_answers(assignment=consented, answers={"safe_now": "yes"}, now=now)
    assert caught.value.message == services.ERASED
    assert services.erase(assignment=consented, now=now).erased_at == erased_at


def test_an_assessment_gets_the_short_questionnaire(practitioner, now):
    from intake.models import Assignment
    from tests.factories import insert_booking, make_offering

    booking = insert_booking(make_offering(practitioner), now + timedelta(days=2))
    assignment = Assignment.objects.create(booking=booking, email="a@example.org", name="A")
    assert services.questionnaire_for(assignment).id == "short"
