"""The practitioner's view of a booking's intakes, and the client's own export: pure functions.

Nothing here reads the database or decrypts: the caller hands in questionnaires and answers
already in clear, and gets back plain data (and, for the five power dimensions, an SVG
string drawn on the server, so the picture needs no JavaScript). Values are escaped here,
since the SVG is put into the page as it is.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field, replace
from typing import Any
from xml.sax.saxutils import escape

from intake.questionnaires import (
    MORE_POWER,
    PREFER_NOT_TO_SAY,
    PREFER_NOT_TO_SAY_LABEL,
    Questionnaire,
)
from intake.selectors import display

# The five everyday power imbalances: the section ids whose ``<id>_balance`` (a 1–5 scale)
# and ``<id>_lean`` (me / my partner / balanced / not sure) questions are drawn. Each lean
# question asks in its own words; its ``more_power`` turns the answer into who holds more
# power in that area, the one meaning every row of the picture is drawn on.
DIMENSIONS = ("money", "emotional_labour", "social_capital", "age_health", "communication")

NOT_ANSWERED = "Not answered"
SKIPPED = "Skipped this part"
POWER_AXIS = "Who holds more power here"
BALANCED = "balanced"
NOT_SURE = "not sure"
THEIR_PARTNER = "their partner"


@dataclass(frozen=True)
class Person:
    """One attendee's response, in clear, as the caller may show it."""

    key: str  # "client" or "partner": the booking role, whose side "me" is on the axis
    name: str
    questionnaire: Questionnaire
    answers: dict[str, Any]
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reading:
    """One person's answers on one power dimension."""

    balance: int | None  # 1 (very one-sided) … 5 (very balanced); None: no number given
    balance_text: str
    side: str | None  # who holds more power: "client", "partner", "balanced", "not_sure", None
    side_text: str  # the answer in the question's own words ("Mostly me")
    lean_label: str = ""  # the question as this person read it ("… who carries more of it?")


@dataclass
class Dimension:
    id: str
    title: str
    readings: list[Reading] = field(default_factory=list)

    @property
    def lean_label(self) -> str:
        """The lean question in its own words, for the table's row (the same in every
        version so far; the first person's if they ever differ, each reading keeps its own)."""
        return next((reading.lean_label for reading in self.readings if reading.lean_label), "")


def _answer_text(questionnaire: Questionnaire, answers: dict[str, Any], qid: str) -> str:
    question = questionnaire.question(qid)
    if question is None or qid not in answers:
        return NOT_ANSWERED
    return display(question, answers[qid])


def lean_side(person: Person, lean_id: str) -> str | None:
    """Who holds more power in this area by ``person``'s answer to the lean question: the
    client's side or the partner's (the booking roles), or "balanced" or "not_sure"; None
    when there is no answer to place.

    Two turns: the question's ``more_power`` says whether "Mostly me" means more power
    ("towards whom?") or less ("who carries more of it?"), and ``person.key`` says whose side
    "me" is, so that both partners of a couple, each answering from their own view, share
    one axis between the two of them.
    """
    question = person.questionnaire.question(lean_id)
    lean = person.answers.get(lean_id)
    if question is not None and lean in MORE_POWER:
        return person.key if lean == question.more_power else _other(person.key)
    if lean in ("balanced", "not_sure"):
        return lean
    return None


def _other(key: str) -> str:
    return "partner" if key == "client" else "client"


def _label(questionnaire: Questionnaire, qid: str) -> str:
    question = questionnaire.question(qid)
    return question.label if question else ""


def power_dimensions(people: list[Person]) -> list[Dimension]:
    """For each of the five dimensions the questionnaire has, every person's reading."""
    dimensions = []
    for dimension_id in DIMENSIONS:
        titled = next(
            (
                section.title
                for person in people
                for section in person.questionnaire.sections
                if section.id == dimension_id
            ),
            None,
        )
        if titled is None:
            continue
        dimension = Dimension(id=dimension_id, title=titled)
        for person in people:
            balance_id, lean_id = f"{dimension_id}_balance", f"{dimension_id}_lean"
            balance = person.answers.get(balance_id)
            lean = person.answers.get(lean_id)
            skipped = dimension_id in person.skipped
            dimension.readings.append(
                Reading(
                    balance=balance
                    if balance in (1, 2, 3, 4, 5) and balance is not True
                    else None,
                    balance_text=SKIPPED
                    if skipped and balance is None
                    else _answer_text(person.questionnaire, person.answers, balance_id),
                    side=lean_side(person, lean_id),
                    side_text=SKIPPED
                    if skipped and lean is None
                    else _answer_text(person.questionnaire, person.answers, lean_id),
                    lean_label=_label(person.questionnaire, lean_id),
                )
            )
        dimensions.append(dimension)
    return dimensions


@dataclass(frozen=True)
class Row:
    label: str
    values: list[str]  # one per person, in the order of ``people``


@dataclass(frozen=True)
class SectionRows:
    id: str
    title: str
    skipped: list[bool]  # one per person
    rows: list[Row]


def answers_by_section(people: list[Person]) -> list[SectionRows]:
    """The answers grouped by section, side by side (one column per person).

    The first person's questionnaire gives the order; a question only another version has
    follows in that person's order. Questions no one answered are left out; a section
    skipped by someone says so in that person's column (for one person, ``skipped`` says
    it and ``rows`` holds only the answers given before skipping, if any).
    """
    sections: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for person in people:
        for section in person.questionnaire.sections:
            title, questions = sections.setdefault(section.id, (section.title, []))
            known = {qid for qid, _label in questions}
            questions.extend((q.id, q.label) for q in section.questions if q.id not in known)
    result = []
    for section_id, (title, questions) in sections.items():
        skipped = [section_id in person.skipped for person in people]
        rows = []
        for qid, label in questions:
            if not any(qid in person.answers for person in people):
                continue
            values = [
                (SKIPPED if section_id in person.skipped else "")
                if qid not in person.answers
                else _answer_text(person.questionnaire, person.answers, qid)
                for person in people
            ]
            rows.append(Row(label=label, values=values))
        if not rows and any(skipped) and len(people) > 1:
            # Side by side, a row says whose part it was; for one person the section's
            # own "Skipped this part" line says it, and a row would say it twice.
            values = [SKIPPED if s else NOT_ANSWERED for s in skipped]
            rows.append(Row(label="This part", values=values))
        if rows or any(skipped):
            result.append(SectionRows(id=section_id, title=title, skipped=skipped, rows=rows))
    return result


def before_sending(person: Person) -> list[SectionRows]:
    """What the practitioner may read of answers saved but not sent yet: the parts that tell
    the client so in their ``who_sees`` note (``Section.read_before_send``), so that she
    can look out for someone's safety without reading the rest before they choose to send."""
    early = {
        question.id
        for section in person.questionnaire.read_before_send
        for question in section.questions
    }
    answers = {qid: value for qid, value in person.answers.items() if qid in early}
    if not answers:
        return []
    return answers_by_section([replace(person, answers=answers, skipped=())])


def skipped_section_titles(person: Person) -> list[str]:
    titles = {section.id: section.title for section in person.questionnaire.sections}
    return [titles.get(section_id, section_id) for section_id in person.skipped]


def export(questionnaire: Questionnaire, answers: dict[str, Any], skipped: list[str]) -> dict:
    """A person's own answers as plain data for download: every stored answer, labelled."""
    sections = []
    for section in questionnaire.sections:
        questions = [
            {
                "id": question.id,
                "label": question.label,
                "answer": answers[question.id],
                "answer_text": display(question, answers[question.id]),
                "prefer_not_to_say": answers[question.id] == PREFER_NOT_TO_SAY,
            }
            for question in section.questions
            if question.id in answers
        ]
        if questions or section.id in skipped:
            sections.append(
                {
                    "id": section.id,
                    "title": section.title,
                    "skipped": section.id in skipped,
                    "questions": questions,
                }
            )
    return {
        "questionnaire": {
            "id": questionnaire.id,
            "version": questionnaire.version,
            "title": questionnaire.title,
        },
        "prefer_not_to_say_means": PREFER_NOT_TO_SAY_LABEL,
        "sections": sections,
    }


# The picture: one row per dimension; on the left the 1–5 "how balanced" scale, on the right
# one axis for every row, who holds more power here (the client's end, balanced, the
# partner's end, each end named). Each person has their own marker; for a couple a dashed
# line joins the two balance markers so the gap between their perceptions is visible.

_WIDTH = 720
_TOP = 64
_ROW = 58
_SCALE_X = (200, 420)  # x of 1 and of 5
_LEAN_X = {"client": 480, "balanced": 580, "partner": 680}
_MARKERS = ("circle", "diamond")
_END_LABEL = 14  # characters: about what fits between an axis end and "balanced"


def _marker(kind: str, x: float, y: float, label: str, series: int) -> str:
    title = f"<title>{escape(label)}</title>"
    css = f'class="marker series-{series}"'
    if kind == "circle":
        return f'<circle {css} cx="{x}" cy="{y}" r="7">{title}</circle>'
    points = f"{x},{y - 8} {x + 8},{y} {x},{y + 8} {x - 8},{y}"
    return f'<polygon {css} points="{points}">{title}</polygon>'


def _text(x: float, y: float, text: str, *, anchor: str = "start", css: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    return f'<text x="{x}" y="{y}" text-anchor="{anchor}"{klass}>{escape(text)}</text>'


def _wrapped_title(x: float, y: float, title: str, width: int = 24) -> str:
    """A dimension's name on up to two lines, so that it stays left of the scale."""
    lines = textwrap.wrap(title, width=width, max_lines=2, placeholder="…")
    first_y = y + 4 - 8 * (len(lines) - 1)
    spans = "".join(
        f'<tspan x="{x}" y="{first_y + 16 * number}">{escape(line)}</tspan>'
        for number, line in enumerate(lines)
    )
    return f'<text class="dimension-title">{spans}</text>'


def any_power_answer(dimensions: list[Dimension]) -> bool:
    """Whether anyone answered any power question (a number, a lean or "I'd rather not
    say"): with none, there is no picture to draw, only that they were not answered."""
    unanswered = {NOT_ANSWERED, SKIPPED, ""}
    return any(
        reading.balance_text not in unanswered or reading.side_text not in unanswered
        for dimension in dimensions
        for reading in dimension.readings
    )


def axis_ends(names: list[str]) -> dict[str, str]:
    """The names at the power axis's two ends: the client and the partner, named; for one
    person, the other end is their partner, who is not in the booking."""
    return {"client": names[0], "partner": names[1] if len(names) > 1 else THEIR_PARTNER}


def holder_text(side: str | None, ends: dict[str, str]) -> str:
    """Who holds more power, as the picture's axis reads it."""
    return {**ends, "balanced": BALANCED, "not_sure": NOT_SURE}.get(side, NOT_ANSWERED)


def power_text(reading: Reading, ends: dict[str, str]) -> str:
    """Who holds more power by a reading, with the answer in the question's own words."""
    said = f' ("{reading.side_text}" to "{reading.lean_label}")' if reading.lean_label else ""
    return holder_text(reading.side, ends) + said


@dataclass(frozen=True)
class _Layout:
    """Where the picture's parts go: side by side on a wide screen, or each row's two axes
    one above the other (``STACKED``), narrow enough to read on a phone without scrolling."""

    width: int
    row: int
    scale_x: tuple[int, int]
    lean_x: dict[str, int]
    title_width: int  # characters per line of a dimension's name
    stacked: bool = False


WIDE = _Layout(width=_WIDTH, row=_ROW, scale_x=_SCALE_X, lean_x=_LEAN_X, title_width=24)
STACKED = _Layout(
    width=360,
    row=132,
    scale_x=(24, 336),
    lean_x={"client": 40, "balanced": 180, "partner": 320},
    title_width=44,
    stacked=True,
)


def power_svg(
    dimensions: list[Dimension], names: list[str], *, layout: _Layout = WIDE, ids: str = "power"
) -> str:
    """The five dimensions as an accessible inline SVG, one marker series per person."""
    top = _TOP if not layout.stacked else 36
    height = top + layout.row * len(dimensions) + 16
    sides = axis_ends(names)
    description = "; ".join(
        f"{dimension.title}: "
        + ", ".join(
            f"{name}: how balanced, {reading.balance_text}; more power, "
            + power_text(reading, sides)
            for name, reading in zip(names, dimension.readings, strict=True)
        )
        for dimension in dimensions
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="power-map" role="img" '
        f'viewBox="0 0 {layout.width} {height}" width="100%" '
        f'aria-labelledby="{ids}-title {ids}-desc">',
        f'<title id="{ids}-title">How balanced the five everyday power dimensions feel'
        + (" to each partner" if len(names) > 1 else "")
        + "</title>",
        f'<desc id="{ids}-desc">{escape(description)}</desc>',
    ]
    # Legend, and the two axes' headings (on a phone, each row names its two axes).
    legend_x = 8
    for series, name in enumerate(names):
        parts.append(f'<g class="legend" data-series="{series}">')
        parts.append(_marker(_MARKERS[series], legend_x + 8, 14, name, series))
        parts.append(_text(legend_x + 22, 19, name))
        parts.append("</g>")
        legend_x += 30 + 8 * len(name)
    scale_x, lean_x = layout.scale_x, layout.lean_x
    if not layout.stacked:
        parts.append(
            _text(sum(scale_x) / 2, 44, "How balanced (1–5)", anchor="middle", css="axis")
        )
        parts.append(_text(lean_x["balanced"], 44, POWER_AXIS, anchor="middle", css="axis"))
    for index, dimension in enumerate(dimensions):
        row_top = top + layout.row * index
        if layout.stacked:
            parts.append(f'<g class="dimension" data-dimension="{escape(dimension.id)}">')
            parts.append(_wrapped_title(8, row_top + 14, dimension.title, layout.title_width))
            parts.append(_text(8, row_top + 42, "How balanced (1–5)", css="axis"))
            parts.append(_text(8, row_top + 90, POWER_AXIS, css="axis"))
            y, lean_y = row_top + 58, row_top + 106
        else:
            y = lean_y = row_top + layout.row / 2
            parts.append(f'<g class="dimension" data-dimension="{escape(dimension.id)}">')
            parts.append(_wrapped_title(8, y, dimension.title, layout.title_width))
        low, high = scale_x
        parts.append(f'<line class="track" x1="{low}" y1="{y}" x2="{high}" y2="{y}"/>')
        for value in range(1, 6):
            x = low + (high - low) * (value - 1) / 4
            parts.append(f'<line class="tick" x1="{x}" y1="{y - 4}" x2="{x}" y2="{y + 4}"/>')
            parts.append(_text(x, y + 20, str(value), anchor="middle", css="tick-label"))
        parts.append(
            f'<line class="track" x1="{lean_x["client"]}" y1="{lean_y}" '
            f'x2="{lean_x["partner"]}" y2="{lean_y}"/>'
        )
        for side, x in lean_x.items():
            parts.append(
                f'<line class="tick" x1="{x}" y1="{lean_y - 4}" x2="{x}" y2="{lean_y + 4}"/>'
            )
            # Ends are 100 apart: a long name is cut short there (the legend has it whole).
            label = textwrap.shorten(holder_text(side, sides), width=_END_LABEL, placeholder="…")
            anchor = "middle"
            if layout.stacked and side != "balanced":
                anchor = "start" if side == "client" else "end"
                x = x - 16 if side == "client" else x + 16
            parts.append(_text(x, lean_y + 20, label, anchor=anchor, css="tick-label"))
        placed = [
            low + (high - low) * (reading.balance - 1) / 4
            for reading in dimension.readings
            if reading.balance is not None
        ]
        if len(placed) == 2 and placed[0] != placed[1]:
            parts.append(
                f'<line class="gap" x1="{placed[0]}" y1="{y}" x2="{placed[1]}" y2="{y}"/>'
            )
        for series, (name, reading) in enumerate(zip(names, dimension.readings, strict=True)):
            offset = (series - (len(names) - 1) / 2) * 6
            if reading.balance is not None:
                x = low + (high - low) * (reading.balance - 1) / 4
                label = f"{name}, {dimension.title}, how balanced: {reading.balance_text}"
                parts.append(_marker(_MARKERS[series], x, y + offset, label, series))
            if reading.side in lean_x:
                label = f"{name}, {dimension.title}, more power: {power_text(reading, sides)}"
                parts.append(
                    _marker(_MARKERS[series], lean_x[reading.side], lean_y + offset, label, series)
                )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
