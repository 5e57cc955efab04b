"""Reads for the fill pages: which sections and questions show, and how far along it is."""

import math
from dataclasses import dataclass
from typing import Any

from booking.models import Booking
from intake.models import Assignment, Response
from intake.questionnaires import (
    PREFER_NOT_TO_SAY,
    PREFER_NOT_TO_SAY_LABEL,
    Question,
    Questionnaire,
    Section,
)


def shown_sections(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[Section]:
    """The sections whose condition holds (on an answer to a question that is shown)."""
    return [
        section
        for section in questionnaire.sections
        if section.show_if is None
        or (
            section.show_if.holds(answers)
            and questionnaire.is_shown(section.show_if.question, answers)
        )
    ]


def shown_questions(
    questionnaire: Questionnaire, section: Section, answers: dict[str, Any]
) -> list[Question]:
    return [q for q in section.questions if questionnaire.is_shown(q.id, answers)]


@dataclass(frozen=True)
class Progress:
    number: int
    total: int
    minutes_left: int

    @property
    def time_left(self) -> str:
        if self.minutes_left <= 1:
            return "about a minute left"
        return f"about {self.minutes_left} minutes left"


def progress(
    questionnaire: Questionnaire,
    sections: list[Section],
    current: Section | None,
    answers: dict[str, Any],
    skipped: list[str],
) -> Progress:
    """Where ``current`` stands among the shown sections (None: past the last one), and a
    time estimate: the questionnaire's minutes shared out over its shown questions."""
    counted = [s for s in sections if s.id not in skipped]
    total_questions = sum(len(shown_questions(questionnaire, s, answers)) for s in counted)
    index = sections.index(current) if current in sections else len(sections)
    left = sum(
        len(shown_questions(questionnaire, s, answers))
        for s in sections[index:]
        if s.id not in skipped
    )
    minutes = (
        math.ceil(questionnaire.estimated_minutes * left / total_questions)
        if total_questions
        else 0
    )
    return Progress(number=index + 1, total=len(sections), minutes_left=minutes)


def display(question: Question, value: Any) -> str:
    """An answer as the client would read it back."""
    if value == PREFER_NOT_TO_SAY:
        return PREFER_NOT_TO_SAY_LABEL
    if question.type == "text":
        return value
    labels = dict(question.options)
    if question.type == "multiple_choice":
        return ", ".join(labels.get(v, str(v)) for v in value)
    if question.type == "scale":
        ends = {1: question.low_label, 5: question.high_label}
        return f"{value}" + (f" ({ends[value]})" if value in ends else "") + " of 5"
    return labels.get(value, str(value))


def review(questionnaire: Questionnaire, answers: dict[str, Any], skipped: list[str]) -> list:
    """The shown sections with the client's own answers, for the review page."""
    rows = []
    for section in shown_sections(questionnaire, answers):
        given = [
            (q.label, display(q, answers[q.id]))
            for q in shown_questions(questionnaire, section, answers)
            if q.id in answers
        ]
        rows.append({"section": section, "skipped": section.id in skipped, "answers": given})
    return rows


def booking_for_review(*, user, public_id) -> Booking | None:
    """The booking, only when ``user`` is its practitioner's own account; None otherwise.

    Staff and superusers get None too: intake answers are for the practitioner alone, and
    None (a 404) does not tell anyone else whether the booking exists.
    """
    if user is None or not user.is_authenticated:
        return None
    return (
        Booking.objects.select_related("practitioner", "offering")
        .filter(public_id=public_id, practitioner__user=user)
        .first()
    )


def responses_for_review(booking: Booking) -> list[tuple[Assignment, Response | None]]:
    """The booking's attendees (client first) with their responses, in one query."""
    assignments = (
        Assignment.objects.filter(booking=booking)
        .select_related("response")
        .order_by("role", "pk")
    )
    return [(a, getattr(a, "response", None)) for a in assignments]
