"""Reads for the fill pages: which sections and questions show, how far along it is, and
the earlier full intake a check-in follows; and for the practitioner's review."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from booking.models import Booking
from intake.models import Assignment, Response
from intake.questionnaires import (
    PREFER_NOT_TO_SAY,
    PREFER_NOT_TO_SAY_LABEL,
    Condition,
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


def resume_section(
    questionnaire: Questionnaire, answers: dict[str, Any], skipped: list[str]
) -> Section | None:
    """Where "Continue" takes a returning client: the last section that holds something of
    theirs (an answer to a shown question, or a skip mark) if it still has questions they
    have not reached, else the first shown section after it; None when that was the last
    section (the caller then offers the review page).

    Answers save as they are given, so a part left half-way holds answers too: going past
    it would silently skip the questions they never saw. A part they answered in full, or
    skipped, is behind them. Parts further back left empty are not revisited: every
    question is optional, a part left empty is usually left empty on purpose, and sending
    someone back to it would read as "you missed this". No "last page" mark is stored; the
    answers and skip marks are the record of how far they got.
    """
    sections = shown_sections(questionnaire, answers)
    last = -1
    for index, section in enumerate(sections):
        if section.id in skipped or any(
            q.id in answers for q in shown_questions(questionnaire, section, answers)
        ):
            last = index
    if last >= 0 and sections[last].id not in skipped:
        current = sections[last]
        if any(q.id not in answers for q in shown_questions(questionnaire, current, answers)):
            return current
    later = sections[last + 1 :]
    return later[0] if later else None


def time_text(minutes: int) -> str:
    """A duration as the pages and the invitation say it: never more precise than "about"."""
    if minutes <= 1:
        return "about a minute"
    return f"about {minutes} minutes"


def could_show(questionnaire: Questionnaire, condition: Condition | None, answers) -> bool:
    """Whether a condition may still hold: it holds now, or the question it rests on has no
    answer yet (undecided), provided that question could be shown in turn. A decided
    condition that does not hold (including an "I'd rather not say") is out."""
    if condition is None:
        return True
    section = questionnaire.section_of(condition.question)
    question = questionnaire.question(condition.question)
    if not (
        could_show(questionnaire, section.show_if, answers)
        and could_show(questionnaire, question.show_if, answers)
    ):
        return False
    return condition.question not in answers or condition.holds(answers)


def _possible_questions(
    questionnaire: Questionnaire, section: Section, answers: dict[str, Any]
) -> int:
    if not could_show(questionnaire, section.show_if, answers):
        return 0
    return sum(could_show(questionnaire, q.show_if, answers) for q in section.questions)


@dataclass(frozen=True)
class Progress:
    """Where the client stands: the number of the part they are on (None past the last),
    how much is behind them and how much may still lie ahead, in questions, and minutes."""

    number: int | None
    done: int
    ahead: int
    minutes_left: int

    @property
    def bar_max(self) -> int:
        return max(self.done + self.ahead, 1)

    @property
    def bar_value(self) -> int:
        if self.done + self.ahead == 0:
            return 1 if self.number is None else 0
        return self.done

    @property
    def time_left(self) -> str:
        return time_text(self.minutes_left) + " left"


def progress(
    questionnaire: Questionnaire,
    sections: list[Section],
    current: Section | None,
    answers: dict[str, Any],
    skipped: list[str],
) -> Progress:
    """Where ``current`` stands (None: past the last section), told so that the goal post
    never moves away from the client.

    The parts are numbered without an "of N": a condition met on page 2 may open five more
    parts, and "Part 2 of 6" turning into "Part 2 of 11" feels like being pushed back. The
    time left counts every question from here on that could still be shown: those whose
    condition holds and those whose condition is not decided yet (the question it rests on
    has no answer), less the parts skipped. So answering only ever keeps the estimate or
    lowers it, and moving on never raises it. Each question is worth the same share of the
    questionnaire's ``estimated_minutes`` (spread over all its questions), so the estimate
    starts at that figure and the bar fills steadily.
    """
    every = sum(len(s.questions) for s in questionnaire.sections)
    order = list(questionnaire.sections)
    position = order.index(current) if current in order else len(order)
    ahead = sum(
        _possible_questions(questionnaire, s, answers)
        for s in order[position:]
        if s.id not in skipped
    )
    done = sum(
        _possible_questions(questionnaire, s, answers)
        for s in order[:position]
        if s in sections and s.id not in skipped
    )
    minutes = math.ceil(questionnaire.estimated_minutes * ahead / every) if every else 0
    number = sections.index(current) + 1 if current in sections else None
    return Progress(number=number, done=done, ahead=ahead, minutes_left=minutes)


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


def last_sent_full(
    *, booking: Booking, email: str, questionnaire_id: str, now: datetime
) -> Response | None:
    """The person's latest ``questionnaire_id`` response sent to this practitioner within
    her ``checkin_within_days``, not erased, from another booking; None otherwise.

    Found by the email they were asked at (any case): each partner of a couple by their own.
    """
    since = now - timedelta(days=booking.practitioner.checkin_within_days)
    return (
        Response.objects.filter(
            assignment__email__iexact=email,
            assignment__booking__practitioner_id=booking.practitioner_id,
            questionnaire_id=questionnaire_id,
            submitted_at__gte=since,
            erased_at__isnull=True,
        )
        .exclude(assignment__booking=booking)
        .order_by("-submitted_at")
        .first()
    )


def earlier_answers(assignment: Assignment) -> Response | None:
    """The full intake this assignment's check-in follows, while its answers are there."""
    earlier = assignment.earlier_response
    return earlier if earlier is not None and earlier.erased_at is None else None


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
