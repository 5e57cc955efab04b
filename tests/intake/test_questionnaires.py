import textwrap

import pytest

from intake import questionnaires, selectors
from intake.questionnaires import (
    LEAN_NEEDS_MORE_POWER,
    PREFER_NOT_TO_SAY,
    QUESTION_TYPES,
    QuestionnaireError,
    UnknownQuestionnaire,
    load_directory,
    parse,
    registry,
)

HEAD = """
id = "full"
version = 1
title = "Before we meet"
offering_kinds = ["session"]
estimated_minutes = 5

[consent]
version = "c1"
text = "I agree."

[[sections]]
id = "first"
title = "First"

[[sections.questions]]
id = "in_relationship"
type = "single_choice"
label = "Are you in a relationship?"
options = [{ value = "yes", label = "Yes" }, { value = "no", label = "No" }]
"""


def with_question(body: str) -> str:
    return HEAD + '\n[[sections]]\nid = "second"\ntitle = "Second"\n' + textwrap.dedent(body)


def test_the_default_questionnaires_load_and_serve_their_offering_kinds():
    full = questionnaires.load("full", 2)
    short = questionnaires.latest("short")
    assert questionnaires.for_offering_kind("session") is full
    assert questionnaires.for_offering_kind("couples_session") is full
    assert questionnaires.for_offering_kind("assessment") is short
    assert short.estimated_minutes <= 5
    assert {q.type for s in full.sections for q in s.questions} == set(QUESTION_TYPES)
    assert full.consent.version and short.consent.version


def test_the_free_call_asks_the_agreed_safety_part_word_for_word():
    """Fear of, control by and harm from someone close are asked of everyone, before a free
    call too: the short questionnaire's safety part is the full one's, note included."""
    short = questionnaires.for_offering_kind("assessment")
    assert short.key == ("short", 2)
    [safety] = [section for section in short.sections if section.id == "safety"]
    [agreed] = [s for s in questionnaires.load("full", 2).sections if s.id == "safety"]
    assert safety == agreed
    assert short.read_before_send == (safety,)
    assert short.consent.version != questionnaires.load("short", 1).consent.version
    assert "I read the safety ones as soon as they are saved" in short.intro
    # Answers already begun keep their version's words.
    assert [q.id for q in questionnaires.load("short", 1).sections[-1].questions] == ["safe_now"]


def test_the_full_questionnaire_covers_the_five_power_dimensions_and_safety():
    full = questionnaires.latest("full")
    for dimension in (
        "money",
        "emotional_labour",
        "social_capital",
        "age_health",
        "communication",
    ):
        types = [full.question(f"{dimension}_{part}").type for part in ("balance", "lean", "note")]
        assert types == ["scale", "lean", "text"]
    assert full.question("safe_now").unsafe_values == ("no", "not_sure")
    sensitive = [s.id for s in full.sections if s.content_note]
    assert sensitive == ["experiences"]


# Which answer means "the person answering holds more power here", by each question's words.
LEAN_DIRECTIONS = {
    "money_lean": "me",  # towards whom?
    "emotional_labour_lean": "partner",  # who carries more of it? (more care work, less power)
    "social_capital_lean": "me",  # whose view tends to count for more?
    "age_health_lean": "me",  # who has more say or more room?
    "communication_lean": "me",  # who tends to be heard more?
}


@pytest.mark.parametrize("key", sorted(questionnaires.registry()), ids=str)
def test_each_lean_question_says_which_answer_holds_more_power(key):
    questionnaire = questionnaires.registry()[key]
    leans = {
        q.id: q.more_power for s in questionnaire.sections for q in s.questions if q.type == "lean"
    }
    assert leans == (LEAN_DIRECTIONS if questionnaire.id == "full" else {})


def _in_use() -> list:
    """The newest version of each questionnaire: what new assignments are given."""
    return [questionnaires.latest(qid) for qid in sorted({qid for qid, _v in registry()})]


def _every_other_answer(questionnaire) -> list[dict]:
    """No answers at all, then each answer (and "I'd rather not say") to each choice question
    outside the safety part, one at a time."""
    safety = {q.id for s in questionnaire.sections if s.id == "safety" for q in s.questions}
    variants = [{}]
    for section in questionnaire.sections:
        for question in section.questions:
            if question.id in safety or question.type == "text":
                continue
            for value in (*question.values, PREFER_NOT_TO_SAY):
                variants.append(
                    {question.id: [value] if question.type == "multiple_choice" else value}
                )
    return variants


@pytest.mark.parametrize("questionnaire", _in_use(), ids=lambda q: f"{q.id}-v{q.version}")
def test_every_safety_question_is_asked_whatever_else_is_answered_or_skipped(questionnaire):
    [safety] = [s for s in questionnaire.sections if s.id == "safety"]
    for answers in _every_other_answer(questionnaire):
        assert safety in selectors.shown_sections(questionnaire, answers), answers
        shown = selectors.shown_questions(questionnaire, safety, answers)
        assert shown == list(safety.questions), answers


def test_the_full_questionnaire_asks_about_harm_from_anyone_close():
    full = questionnaires.latest("full")
    [safety] = [s for s in full.sections if s.id == "safety"]
    assert [q.id for q in safety.questions] == [
        "safe_now",
        "afraid_of_someone",
        "controlled",
        "hurt_or_threatened",
        "who_is_it",
        "safety_note",
    ]
    assert full.question("who_is_it").values == (
        "partner",
        "ex_partner",
        "family",
        "group",
        "someone_else",
    )
    assert full.unsafe_question_ids({"afraid_of_someone": "sometimes"}) == ["afraid_of_someone"]


def test_an_unknown_questionnaire_is_a_lookup_error():
    with pytest.raises(UnknownQuestionnaire, match="'full' v9"):
        questionnaires.load("full", 9)
    assert questionnaires.for_offering_kind("workshop") is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            """
            [[sections.questions]]
            id = "calm"
            type = "scale"
            label = "How calm?"
            """,
            "full-v1.toml: sections[1].questions[0]: 'scale' needs 'high_label' and 'low_label'",
        ),
        (
            """
            [[sections.questions]]
            id = "note"
            type = "text"
            label = "A note"
            max_length = 100
            required = true
            """,
            "full-v1.toml: sections[1].questions[0]: "
            "'required' is not allowed: every question can be skipped",
        ),
        (
            """
            [[sections.questions]]
            id = "in_relationship"
            type = "yes_no"
            label = "Again?"
            """,
            "full-v1.toml: sections[1].questions[0]: question id 'in_relationship' appears twice",
        ),
        (
            """
            [[sections.questions]]
            id = "how_long"
            type = "lean"
            label = "Which way?"
            more_power = "me"
            show_if = { question = "in_relationship", in = ["maybe"] }
            """,
            "full-v1.toml: sections[1].questions[0].show_if: 'maybe' is not a value of "
            "'in_relationship'",
        ),
        (
            """
            [[sections.questions]]
            id = "how_long"
            type = "lean"
            label = "Which way?"
            more_power = "me"
            show_if = { question = "later", in = ["yes"] }

            [[sections.questions]]
            id = "later"
            type = "yes_no"
            label = "Later?"
            """,
            "full-v1.toml: sections[1].questions[0].show_if: 'later' is not an earlier question",
        ),
        (
            """
            [[sections.questions]]
            id = "who_decides"
            type = "lean"
            label = "Who decides more?"
            """,
            "full-v1.toml: sections[1].questions[0]: "
            + LEAN_NEEDS_MORE_POWER.format(question="who_decides"),
        ),
        (
            """
            [[sections.questions]]
            id = "who_decides"
            type = "lean"
            label = "Who decides more?"
            more_power = "balanced"
            """,
            "full-v1.toml: sections[1].questions[0]: "
            + LEAN_NEEDS_MORE_POWER.format(question="who_decides"),
        ),
        (
            """
            [[sections.questions]]
            id = "pick"
            type = "single_choice"
            label = "Pick"
            options = [{ value = "a", label = "A" }, { value = "prefer_not_to_say", label = "-" }]
            """,
            "full-v1.toml: sections[1].questions[0].options[1]: "
            "'prefer_not_to_say' is reserved: every question offers it already",
        ),
        (
            """
            [[sections.questions]]
            id = "safe"
            type = "yes_no"
            label = "Safe?"
            flags = { unsafe = ["nope"] }
            """,
            "full-v1.toml: sections[1].questions[0].flags: 'nope' is not a value of 'safe'",
        ),
        (
            """
            [[sections.questions]]
            id = "note"
            type = "text"
            label = "A note"
            """,
            "full-v1.toml: sections[1].questions[0]: 'text' needs 'max_length'",
        ),
        (
            """
            [[sections.questions]]
            id = "note"
            type = "essay"
            label = "A note"
            """,
            "full-v1.toml: sections[1].questions[0]: 'type' should be one of single_choice, "
            "multiple_choice, scale, text, lean, yes_no",
        ),
        (
            """
            [[sections.questions]]
            id = "note"
            type = "yes_no"
            label = "A note"
            hepl = "typo"
            """,
            "full-v1.toml: sections[1].questions[0]: unknown 'hepl'",
        ),
    ],
)
def test_a_bad_file_fails_naming_the_file_and_the_place(tmp_path, body, message):
    (tmp_path / "full-v1.toml").write_text(with_question(body))
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(tmp_path)
    assert str(caught.value) == message


def test_invalid_toml_names_the_file_and_line(tmp_path):
    (tmp_path / "short-v2.toml").write_text('id = "short"\nversion = \n')
    with pytest.raises(QuestionnaireError, match=r"^short-v2\.toml: not valid TOML: .*line 2"):
        load_directory(tmp_path)


def test_the_file_name_must_match_id_and_version():
    with pytest.raises(QuestionnaireError) as caught:
        parse(HEAD, "full-v2.toml")
    assert str(caught.value) == (
        "full-v2.toml: the file should be named 'full-v1.toml' after its id and version"
    )


def test_two_questionnaires_cannot_claim_one_offering_kind(tmp_path):
    (tmp_path / "full-v1.toml").write_text(HEAD)
    (tmp_path / "other-v1.toml").write_text(HEAD.replace('id = "full"', 'id = "other"'))
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(tmp_path)
    assert str(caught.value) == (
        "other-v1.toml: offering_kinds: 'session' already belongs to 'full'"
    )


def test_versions_live_side_by_side_and_latest_is_the_highest(tmp_path):
    (tmp_path / "full-v1.toml").write_text(HEAD)
    (tmp_path / "full-v2.toml").write_text(HEAD.replace("version = 1", "version = 2"))
    assert sorted(load_directory(tmp_path)) == [("full", 1), ("full", 2)]


def test_show_if_shows_a_question_only_for_the_listed_answers():
    full = questionnaires.latest("full")
    assert not full.is_shown("living_together", {})
    assert full.is_shown("living_together", {"in_relationship": "yes"})
    assert not full.is_shown("living_together", {"in_relationship": "no"})
    assert not full.is_shown("living_together", {"in_relationship": PREFER_NOT_TO_SAY})
    # A section's condition hides every question in it.
    assert not full.is_shown("money_lean", {"in_relationship": "no"})
    assert full.is_shown("money_lean", {"in_relationship": "its_complicated"})
    answers = {"in_relationship": "no", "living_together": "yes", "what_brings_you": "x"}
    assert full.shown_answers(answers) == {"in_relationship": "no", "what_brings_you": "x"}


def test_an_answer_left_under_a_hidden_question_shows_nothing_further():
    questionnaire = parse(
        with_question(
            """
            [[sections.questions]]
            id = "living_together"
            type = "yes_no"
            label = "Do you live together?"
            show_if = { question = "in_relationship", in = ["yes"] }

            [[sections.questions]]
            id = "shared_lease"
            type = "yes_no"
            label = "Are you both on the lease?"
            show_if = { question = "living_together", in = ["yes"] }
            """
        ),
        "full-v1.toml",
    )
    answers = {"in_relationship": "yes", "living_together": "yes"}
    assert questionnaire.is_shown("shared_lease", answers)
    answers["in_relationship"] = "no"
    assert not questionnaire.is_shown("shared_lease", answers)


def test_every_type_accepts_prefer_not_to_say():
    full = questionnaires.latest("full")
    for section in full.sections:
        for question in section.questions:
            assert question.answer_error(PREFER_NOT_TO_SAY) is None, question.id


@pytest.mark.parametrize(
    ("question_id", "value", "error"),
    [
        ("money_balance", 3, None),
        ("money_balance", 6, "is not one of the question's options"),
        ("money_balance", True, "is not one of the question's options"),
        ("money_lean", "partner", None),
        ("money_lean", "them", "is not one of the question's options"),
        ("children", ["together", "mine"], None),
        ("children", ["together", "together"], "lists an option twice"),
        ("children", "together", "should be a list of the question's options"),
        ("what_brings_you", "x" * 3000, None),
        ("what_brings_you", "x" * 3001, "is longer than 3000 characters"),
        ("what_brings_you", 5, "should be text"),
        ("hurt_or_threatened", "no", None),
    ],
)
def test_answers_are_checked_against_their_question(question_id, value, error):
    assert questionnaires.latest("full").question(question_id).answer_error(value) == error
