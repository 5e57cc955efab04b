"""What a questionnaire is once read: its questions, sections and conditions, and the values
an answer may take. Pure data, no files; ``loading`` builds these from TOML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

PREFER_NOT_TO_SAY = "prefer_not_to_say"
PREFER_NOT_TO_SAY_LABEL = "I'd rather not say"

QUESTION_TYPES = ("single_choice", "multiple_choice", "scale", "text", "lean", "yes_no")
OFFERING_KINDS = ("assessment", "session", "couples_session")
FLAGS = ("unsafe",)
SCALE_VALUES = (1, 2, 3, 4, 5)
LEAN_OPTIONS = (
    ("me", "Mostly me"),
    ("partner", "Mostly my partner"),
    ("balanced", "Balanced"),
    ("not_sure", "Not sure"),
)
YES_NO_OPTIONS = (("yes", "Yes"), ("no", "No"))
MORE_POWER = ("me", "partner")  # the lean answers that can mean "holds more power here"
WHO_SEES = "Who sees these answers:"  # the lead words of a section's ``who_sees`` note


@dataclass(frozen=True)
class Condition:
    question: str
    values: tuple[Any, ...]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        answer = answers.get(self.question)
        if isinstance(answer, list):
            return any(value in self.values for value in answer)
        return answer is not None and answer in self.values


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    help: str = ""
    options: tuple[tuple[Any, str], ...] = ()
    low_label: str = ""
    high_label: str = ""
    max_length: int | None = None
    show_if: Condition | None = None
    unsafe_values: tuple[Any, ...] = ()
    more_power: str = ""  # lean only: the answer that means the person answering holds more

    @property
    def values(self) -> tuple[Any, ...]:
        """The values an answer may take, besides ``PREFER_NOT_TO_SAY`` (none for text)."""
        return tuple(value for value, _label in self.options)

    def answer_error(self, value: Any) -> str | None:
        """Why ``value`` cannot be an answer to this question, or None when it can."""
        if value == PREFER_NOT_TO_SAY:
            return None
        if self.type == "text":
            if not isinstance(value, str):
                return "should be text"
            if len(value) > self.max_length:
                return f"is longer than {self.max_length} characters"
            return None
        if self.type == "multiple_choice":
            if not isinstance(value, list) or not all(v in self.values for v in value):
                return "should be a list of the question's options"
            if len(set(value)) != len(value):
                return "lists an option twice"
            return None
        # bool is an int in Python: True must not pass as the scale's 1.
        if isinstance(value, bool) or value not in self.values:
            return "is not one of the question's options"
        return None

    def signals_unsafe(self, value: Any) -> bool:
        if isinstance(value, list):
            return any(v in self.unsafe_values for v in value)
        return value in self.unsafe_values


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    questions: tuple[Question, ...]
    content_note: str = ""
    show_if: Condition | None = None
    # The note on who sees this part's answers and when, shown on its page after
    # ``WHO_SEES``; a part that has one is read as soon as it is saved (``read_before_send``).
    who_sees: str = ""
    who_sees_lead: ClassVar[str] = WHO_SEES  # for the page that shows ``who_sees`` after it

    @property
    def intro_paragraphs(self) -> list[str]:
        return [part.strip() for part in self.intro.split("\n\n") if part.strip()]

    @property
    def read_before_send(self) -> bool:
        """Whether the practitioner may read this part's answers before the client sends:
        only a part whose file gives it a ``who_sees`` note, which its page always shows."""
        return bool(self.who_sees)


@dataclass(frozen=True)
class Consent:
    version: str
    text: str


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: int
    title: str
    intro: str
    offering_kinds: tuple[str, ...]
    estimated_minutes: int
    consent: Consent
    sections: tuple[Section, ...]
    checkin_for: str = ""  # a check-in: the id of the questionnaire it stands in for
    _questions: dict[str, tuple[Section, Question]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for section in self.sections:
            for question in section.questions:
                self._questions[question.id] = (section, question)

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    @property
    def read_before_send(self) -> tuple[Section, ...]:
        """The parts the practitioner may read as soon as they are saved (see ``Section``)."""
        return tuple(section for section in self.sections if section.read_before_send)

    def question(self, question_id: str) -> Question | None:
        found = self._questions.get(question_id)
        return found[1] if found else None

    def section_of(self, question_id: str) -> Section | None:
        found = self._questions.get(question_id)
        return found[0] if found else None

    def is_shown(self, question_id: str, answers: Mapping[str, Any]) -> bool:
        """Whether a question is shown: its own and its section's conditions hold, and the
        questions they depend on are shown in turn (an answer left behind under a hidden
        question does not count). Conditions only look backwards, so this ends.
        """
        section, question = self._questions[question_id]
        return all(
            condition is None
            or (condition.holds(answers) and self.is_shown(condition.question, answers))
            for condition in (section.show_if, question.show_if)
        )

    def shown_answers(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """The answers to this version's questions that are shown, given all the answers."""
        return {
            qid: value
            for qid, value in answers.items()
            if qid in self._questions and self.is_shown(qid, answers)
        }

    def unsafe_question_ids(self, answers: Mapping[str, Any]) -> list[str]:
        """The shown questions whose answers signal that someone may not be safe, in the
        questionnaire's order (however the answers were ordered when stored)."""
        shown = self.shown_answers(answers)
        return [
            qid
            for qid, (_section, question) in self._questions.items()
            if qid in shown and question.signals_unsafe(shown[qid])
        ]

    def seen_unsafe_question_ids(self, answers: Mapping[str, Any], *, sent: bool) -> list[str]:
        """The unsafe answers the practitioner may see: before Send only those in a part read
        before sending (``Section.read_before_send``), and all of them once sent. The flag in
        her review and her alert email follow this, so neither tells her of an answer the
        client was told she reads only once sent."""
        return [
            qid
            for qid in self.unsafe_question_ids(answers)
            if sent or self.section_of(qid).read_before_send
        ]
