"""Questionnaires as versioned data: one TOML file per version in this directory.

A file is named ``<id>-v<version>.toml``. Every file is read and validated once (at start-up,
from ``IntakeConfig.ready``); a bad file fails with a message naming the file and the place,
such as ``full-v1.toml: sections[3].questions[2]: 'scale' needs 'low_label' and
'high_label'``. Responses pin ``(id, version)``, so a new version never changes old answers.

Schema (see ``full-v1.toml`` for a worked example)::

    id, version, title, intro, offering_kinds, estimated_minutes
    checkin_for?          a check-in's instead of offering_kinds (below)
    [consent]             version, text          (explicit consent, versioned on its own)
    [[sections]]          id, title, intro, content_note?, show_if?
    [[sections.questions]] id, type, label, help?, show_if?, flags?, + the type's own keys

Question types and their own keys: ``single_choice`` and ``multiple_choice`` (``options``:
a list of ``{value, label}``), ``scale`` (5 points, ``low_label`` and ``high_label``),
``text`` (``max_length``), ``lean`` (me / my partner / balanced / not sure; ``more_power``)
and ``yes_no``.

A ``lean`` question asks which way an area of the relationship leans, each in its own words
("towards whom?", "who carries more of it?"), so "Mostly me" can mean more power or less.
``more_power = "me"`` or ``"partner"`` says which answer means the person answering holds
more power there (carrying more of the care work is less power, so that question says
``"partner"``); the practitioner's picture turns every row to that one meaning.

A section's intro may end with a paragraph that begins ``Who sees these answers:``. The fill
page shows it as a note of its own, and the practitioner's review shows that section's
answers as soon as they are saved, before the client sends: only where the client was told.

Nothing is ever required: a ``required`` key is refused. Every question can be left out
(no key in the answers) or answered with ``PREFER_NOT_TO_SAY``, a reserved value accepted
by every type and never written in a file. ``show_if = {question = "...", in = [...]}``
shows a question or a section only when an earlier question's answer is one of the values.
``flags = {unsafe = [...]}`` marks answers that signal someone may not be safe.

A check-in (``checkin_for = "full"``) names no offering kinds: it is the short questionnaire
given instead of ``full`` to someone who sent a ``full`` one recently (``checkin_after``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

DIRECTORY = Path(__file__).resolve().parent

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
WHO_SEES = "Who sees these answers:"  # a section intro's note; see the module docstring
MAX_TEXT_LENGTH = 10_000

LEAN_NEEDS_MORE_POWER = (
    "lean question '{question}' needs 'more_power' (\"me\" or \"partner\"): "
    "the answer that means the person answering holds more power here"
)

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_FILE_NAME = re.compile(r"^(?P<id>[a-z][a-z0-9_]*)-v(?P<version>[0-9]+)\.toml$")

_TOP_KEYS = {
    "id",
    "version",
    "title",
    "intro",
    "offering_kinds",
    "estimated_minutes",
    "checkin_for",
}
_TOP_KEYS_ALL = _TOP_KEYS | {"consent", "sections"}
_SECTION_KEYS = {"id", "title", "intro", "content_note", "show_if", "questions"}
_QUESTION_KEYS = {"id", "type", "label", "help", "show_if", "flags"}
_TYPE_KEYS = {
    "single_choice": {"options"},
    "multiple_choice": {"options"},
    "scale": {"low_label", "high_label"},
    "text": {"max_length"},
    "lean": {"more_power"},
    "yes_no": set(),
}


class QuestionnaireError(ValueError):
    """A questionnaire file that cannot be used; the message names the file and the place."""


class UnknownQuestionnaire(LookupError):
    pass


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
    who_sees_lead: ClassVar[str] = WHO_SEES  # for the page that shows ``who_sees`` after it

    @property
    def _paragraphs(self) -> list[str]:
        return [part.strip() for part in self.intro.split("\n\n") if part.strip()]

    @property
    def intro_paragraphs(self) -> list[str]:
        """The intro without its "Who sees these answers" note, paragraph by paragraph."""
        return [part for part in self._paragraphs if not part.startswith(WHO_SEES)]

    @property
    def who_sees(self) -> str:
        """The intro's note on who sees this part's answers and when, after its lead words
        (``WHO_SEES``); empty when the section has none."""
        notes = [part for part in self._paragraphs if part.startswith(WHO_SEES)]
        return notes[0].removeprefix(WHO_SEES).strip() if notes else ""

    @property
    def read_before_send(self) -> bool:
        """Whether the practitioner may read this part's answers before the client sends:
        only a part that tells the client who sees them, on the page, in its note."""
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
        """The shown questions whose answers signal that someone may not be safe."""
        return [
            qid
            for qid, value in self.shown_answers(answers).items()
            if self.question(qid).signals_unsafe(value)
        ]


# Loading and validation


class _Place:
    """Builds messages like ``full-v1.toml: sections[3].questions[2]: ...``."""

    def __init__(self, file_name: str, path: str = "") -> None:
        self.file_name = file_name
        self.path = path

    def at(self, part: str) -> _Place:
        return _Place(self.file_name, f"{self.path}.{part}" if self.path else part)

    def error(self, message: str) -> QuestionnaireError:
        where = f"{self.file_name}: {self.path}: " if self.path else f"{self.file_name}: "
        return QuestionnaireError(where + message)


def _quoted(names: Iterable[str]) -> str:
    names = [f"'{name}'" for name in sorted(names)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _text(data: Mapping, key: str, place: _Place, *, optional: bool = False) -> str:
    value = data.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise place.error(f"'{key}' should be a non-empty text")
    return value.strip()


def _identifier(data: Mapping, place: _Place) -> str:
    value = data.get("id")
    if not isinstance(value, str) or not _ID.match(value):
        raise place.error("'id' should be lower-case letters, digits and '_', starting a letter")
    return value


def _check_keys(data: Any, allowed: set[str], place: _Place) -> None:
    if not isinstance(data, dict):
        raise place.error("should be a table")
    if "required" in data:
        raise place.error("'required' is not allowed: every question can be skipped")
    unknown = set(data) - allowed
    if unknown:
        raise place.error(f"unknown {_quoted(unknown)}")


def _options(data: Mapping, place: _Place) -> tuple[tuple[str, str], ...]:
    options = data.get("options")
    if not isinstance(options, list) or len(options) < 2:
        raise place.error("'options' should list at least two {value, label} tables")
    seen: set[str] = set()
    result = []
    for index, option in enumerate(options):
        option_place = place.at(f"options[{index}]")
        _check_keys(option, {"value", "label"}, option_place)
        value = option.get("value")
        if not isinstance(value, str) or not _ID.match(value):
            raise option_place.error("'value' should be lower-case letters, digits and '_'")
        if value == PREFER_NOT_TO_SAY:
            raise option_place.error(
                f"'{PREFER_NOT_TO_SAY}' is reserved: every question offers it already"
            )
        if value in seen:
            raise option_place.error(f"value '{value}' appears twice")
        seen.add(value)
        result.append((value, _text(option, "label", option_place)))
    return tuple(result)


def _condition(data: Mapping, place: _Place, earlier: Mapping[str, Question]) -> Condition | None:
    raw = data.get("show_if")
    if raw is None:
        return None
    place = place.at("show_if")
    _check_keys(raw, {"question", "in"}, place)
    target_id = raw.get("question")
    target = earlier.get(target_id)
    if target is None:
        raise place.error(f"'{target_id}' is not an earlier question")
    if target.type == "text":
        raise place.error(f"'{target_id}' is a text question: conditions need choices")
    values = raw.get("in")
    if not isinstance(values, list) or not values:
        raise place.error("'in' should list the values that show it")
    for value in values:
        if isinstance(value, bool) or value not in target.values:
            raise place.error(f"{value!r} is not a value of '{target_id}'")
    return Condition(question=target_id, values=tuple(values))


def _question(data: Any, place: _Place, earlier: Mapping[str, Question]) -> Question:
    if not isinstance(data, dict):
        raise place.error("should be a table")
    if "required" in data:
        raise place.error("'required' is not allowed: every question can be skipped")
    question_id = _identifier(data, place)
    kind = data.get("type")
    if kind not in QUESTION_TYPES:
        raise place.error(f"'type' should be one of {', '.join(QUESTION_TYPES)}")
    own = _TYPE_KEYS[kind]
    _check_keys(data, _QUESTION_KEYS | own, place)
    if kind == "lean" and data.get("more_power") not in MORE_POWER:
        raise place.error(LEAN_NEEDS_MORE_POWER.format(question=question_id))
    missing = own - set(data)
    if missing:
        raise place.error(f"'{kind}' needs {_quoted(missing)}")

    fields: dict[str, Any] = {
        "id": question_id,
        "type": kind,
        "label": _text(data, "label", place),
        "help": _text(data, "help", place, optional=True),
        "show_if": _condition(data, place, earlier),
    }
    if kind in ("single_choice", "multiple_choice"):
        fields["options"] = _options(data, place)
    elif kind == "scale":
        fields["low_label"] = _text(data, "low_label", place)
        fields["high_label"] = _text(data, "high_label", place)
        fields["options"] = tuple((value, str(value)) for value in SCALE_VALUES)
    elif kind == "text":
        max_length = data["max_length"]
        if isinstance(max_length, bool) or not isinstance(max_length, int):
            raise place.error("'max_length' should be a whole number")
        if not 1 <= max_length <= MAX_TEXT_LENGTH:
            raise place.error(f"'max_length' should be between 1 and {MAX_TEXT_LENGTH}")
        fields["max_length"] = max_length
    elif kind == "lean":
        fields["options"] = LEAN_OPTIONS
        fields["more_power"] = data["more_power"]
    elif kind == "yes_no":
        fields["options"] = YES_NO_OPTIONS

    flags = data.get("flags")
    if flags is not None:
        flags_place = place.at("flags")
        _check_keys(flags, set(FLAGS), flags_place)
        unsafe = flags.get("unsafe", [])
        if kind == "text":
            raise flags_place.error("a text question cannot carry flags")
        if not isinstance(unsafe, list) or not unsafe:
            raise flags_place.error("'unsafe' should list the answers that signal danger")
        values = tuple(value for value, _label in fields["options"])
        for value in unsafe:
            if isinstance(value, bool) or value not in values:
                raise flags_place.error(f"{value!r} is not a value of '{question_id}'")
        fields["unsafe_values"] = tuple(unsafe)
    return Question(**fields)


def parse(text: str, file_name: str) -> Questionnaire:
    """Validate one questionnaire file's text; ``file_name`` is used in messages and checked."""
    top = _Place(file_name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise top.error(f"not valid TOML: {exc}") from None

    _check_keys(data, _TOP_KEYS_ALL, top)
    questionnaire_id = _identifier(data, top)
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise top.error("'version' should be a whole number from 1")
    name = _FILE_NAME.match(file_name)
    if not name or (name["id"], int(name["version"])) != (questionnaire_id, version):
        raise top.error(
            f"the file should be named '{questionnaire_id}-v{version}.toml' "
            "after its id and version"
        )
    kinds = data.get("offering_kinds")
    checkin_for = data.get("checkin_for")
    if checkin_for is not None:
        if not isinstance(checkin_for, str) or not _ID.match(checkin_for):
            raise top.error("'checkin_for' should be the id of another questionnaire")
        if kinds is not None:
            raise top.error("a check-in takes no 'offering_kinds': its 'checkin_for' chooses it")
        kinds = []
    elif (
        not isinstance(kinds, list)
        or not kinds
        or any(kind not in OFFERING_KINDS for kind in kinds)
    ):
        raise top.error(f"'offering_kinds' should list some of {', '.join(OFFERING_KINDS)}")
    minutes = data.get("estimated_minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        raise top.error("'estimated_minutes' should be a whole number of minutes")

    consent_place = top.at("consent")
    consent_data = data.get("consent")
    _check_keys(consent_data, {"version", "text"}, consent_place)
    consent = Consent(
        version=_text(consent_data, "version", consent_place),
        text=_text(consent_data, "text", consent_place),
    )

    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise top.error("'sections' should list at least one section")
    sections = []
    section_ids: set[str] = set()
    earlier: dict[str, Question] = {}
    for s_index, raw_section in enumerate(raw_sections):
        s_place = top.at(f"sections[{s_index}]")
        _check_keys(raw_section, _SECTION_KEYS, s_place)
        section_id = _identifier(raw_section, s_place)
        if section_id in section_ids:
            raise s_place.error(f"section id '{section_id}' appears twice")
        section_ids.add(section_id)
        show_if = _condition(raw_section, s_place, earlier)
        raw_questions = raw_section.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            raise s_place.error("'questions' should list at least one question")
        questions = []
        for q_index, raw_question in enumerate(raw_questions):
            q_place = s_place.at(f"questions[{q_index}]")
            question = _question(raw_question, q_place, earlier)
            if question.id in earlier:
                raise q_place.error(f"question id '{question.id}' appears twice")
            earlier[question.id] = question
            questions.append(question)
        sections.append(
            Section(
                id=section_id,
                title=_text(raw_section, "title", s_place),
                intro=_text(raw_section, "intro", s_place, optional=True),
                content_note=_text(raw_section, "content_note", s_place, optional=True),
                show_if=show_if,
                questions=tuple(questions),
            )
        )
    return Questionnaire(
        id=questionnaire_id,
        version=version,
        title=_text(data, "title", top),
        intro=_text(data, "intro", top, optional=True),
        offering_kinds=tuple(kinds),
        estimated_minutes=minutes,
        consent=consent,
        sections=tuple(sections),
        checkin_for=checkin_for or "",
    )


def load_directory(directory: Path) -> dict[tuple[str, int], Questionnaire]:
    """Every ``*.toml`` in ``directory``, validated; each offering kind to one id only."""
    found: dict[tuple[str, int], Questionnaire] = {}
    kind_owner: dict[str, str] = {}
    for path in sorted(directory.glob("*.toml")):
        questionnaire = parse(path.read_text(encoding="utf-8"), path.name)
        for kind in questionnaire.offering_kinds:
            owner = kind_owner.setdefault(kind, questionnaire.id)
            if owner != questionnaire.id:
                raise QuestionnaireError(
                    f"{path.name}: offering_kinds: '{kind}' already belongs to '{owner}'"
                )
        found[questionnaire.key] = questionnaire
    _check_checkins(found)
    return found


def _check_checkins(found: Mapping[tuple[str, int], Questionnaire]) -> None:
    """Each check-in stands in for a questionnaire that is there and is not a check-in
    itself, and each questionnaire has one check-in id at most."""
    plain = {q.id for q in found.values() if not q.checkin_for}
    owner: dict[str, str] = {}
    for questionnaire in found.values():
        target = questionnaire.checkin_for
        if not target:
            continue
        file_name = f"{questionnaire.id}-v{questionnaire.version}.toml"
        if target not in plain:
            raise QuestionnaireError(
                f"{file_name}: checkin_for: there is no questionnaire '{target}'"
            )
        if owner.setdefault(target, questionnaire.id) != questionnaire.id:
            raise QuestionnaireError(
                f"{file_name}: checkin_for: '{target}' already has the check-in '{owner[target]}'"
            )


@cache
def registry() -> dict[tuple[str, int], Questionnaire]:
    """The questionnaires shipped in this directory, read once per process."""
    return load_directory(DIRECTORY)


def load(questionnaire_id: str, version: int) -> Questionnaire:
    try:
        return registry()[(questionnaire_id, version)]
    except KeyError:
        raise UnknownQuestionnaire(f"No questionnaire {questionnaire_id!r} v{version}") from None


def latest(questionnaire_id: str) -> Questionnaire:
    versions = [q for (qid, _v), q in registry().items() if qid == questionnaire_id]
    if not versions:
        raise UnknownQuestionnaire(f"No questionnaire {questionnaire_id!r}")
    return max(versions, key=lambda q: q.version)


def for_offering_kind(kind: str) -> Questionnaire | None:
    """The newest questionnaire for an offering kind, or None when it has none."""
    owners = {q.id for q in registry().values() if kind in q.offering_kinds}
    return latest(owners.pop()) if owners else None


def checkin_after(questionnaire_id: str) -> Questionnaire | None:
    """The newest check-in given instead of ``questionnaire_id`` to someone who sent it
    recently, or None when it has none."""
    owners = {q.id for q in registry().values() if q.checkin_for == questionnaire_id}
    return latest(owners.pop()) if owners else None
