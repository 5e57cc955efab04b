"""Reading and validating questionnaire files: ``parse`` one file's text, ``load_directory``
a directory of them, each failure a ``QuestionnaireError`` naming the file and the place."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from intake.questionnaires.model import (
    FLAGS,
    LEAN_OPTIONS,
    MORE_POWER,
    OFFERING_KINDS,
    PREFER_NOT_TO_SAY,
    QUESTION_TYPES,
    SCALE_VALUES,
    WHO_SEES,
    YES_NO_OPTIONS,
    Condition,
    Consent,
    Question,
    Questionnaire,
    Section,
)

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
_SECTION_KEYS = {"id", "title", "intro", "content_note", "show_if", "who_sees", "questions"}
_QUESTION_KEYS = {"id", "type", "label", "help", "show_if", "flags"}
_TYPE_KEYS = {
    "single_choice": {"options"},
    "multiple_choice": {"options"},
    "scale": {"low_label", "high_label"},
    "text": {"max_length"},
    "lean": {"more_power"},
    "yes_no": set(),
}


WHO_SEES_IN_INTRO = (
    f"'intro' has a '{WHO_SEES}' paragraph: put that note in 'who_sees', which shows it "
    "and is what lets the practitioner read this part before Send"
)
WHO_SEES_LEAD_TWICE = f"'who_sees' should leave out '{WHO_SEES}': the page puts it in front"


class QuestionnaireError(ValueError):
    """A questionnaire file that cannot be used; the message names the file and the place."""


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


def _who_sees(data: Mapping, intro: str, place: _Place) -> str:
    """The section's note on who sees its answers. The note is the rule: the practitioner
    reads a part early only where its page tells the client so, so the words may not stand
    in the intro, where they would tell the client something the code does not do."""
    if any(part.strip().startswith(WHO_SEES) for part in intro.split("\n\n")):
        raise place.at("intro").error(WHO_SEES_IN_INTRO)
    note = _text(data, "who_sees", place, optional=True)
    if note.startswith(WHO_SEES):
        raise place.at("who_sees").error(WHO_SEES_LEAD_TWICE)
    return note


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
        intro = _text(raw_section, "intro", s_place, optional=True)
        sections.append(
            Section(
                id=section_id,
                title=_text(raw_section, "title", s_place),
                intro=intro,
                who_sees=_who_sees(raw_section, intro, s_place),
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
