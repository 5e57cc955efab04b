"""A page of questions as a plain HTML form: reading the POST, and the values to show.

Not Django forms: the fields come from the questionnaire data, every one is optional, and
each type has its own "I'd rather not say". Values the questionnaire does not offer are
read as no answer; the service checks the rest (lengths) and names the question.
"""

from typing import Any

from django.http import QueryDict

from intake.questionnaires import PREFER_NOT_TO_SAY, Question

PNTS_SUFFIX = "__prefer_not"


def field_name(question: Question) -> str:
    return f"q_{question.id}"


def read_answers(questions: list[Question], data: QueryDict) -> dict[str, Any]:
    """The answers to ``questions`` on the page; None for one left empty (skipped)."""
    answers: dict[str, Any] = {}
    for question in questions:
        name = field_name(question)
        if question.type == "text":
            text = data.get(name, "").replace("\r\n", "\n").strip()
            prefer_not = data.get(name + PNTS_SUFFIX)
            answers[question.id] = PREFER_NOT_TO_SAY if prefer_not and not text else text or None
        elif question.type == "multiple_choice":
            chosen = data.getlist(name)
            if PREFER_NOT_TO_SAY in chosen:
                answers[question.id] = PREFER_NOT_TO_SAY
            else:
                values = [v for v in question.values if str(v) in chosen]
                answers[question.id] = values or None
        else:
            raw = data.get(name, "")
            if raw == PREFER_NOT_TO_SAY:
                answers[question.id] = PREFER_NOT_TO_SAY
            else:
                answers[question.id] = next((v for v in question.values if str(v) == raw), None)
    return answers


def fields(
    questions: list[Question], values: dict[str, Any], errors: dict[str, str]
) -> list[dict]:
    """What the template needs to draw each question with its current value."""
    drawn = []
    for question in questions:
        value = values.get(question.id)
        name = field_name(question)
        field = {
            "question": question,
            "name": name,
            "error": errors.get(question.id, ""),
            "prefer_not": value == PREFER_NOT_TO_SAY,
            "prefer_not_name": name + PNTS_SUFFIX,
            "multiple": question.type == "multiple_choice",
        }
        if question.type == "text":
            field["text"] = "" if value in (None, PREFER_NOT_TO_SAY) else value
        else:
            chosen = value if isinstance(value, list) else [value]
            ends = {1: question.low_label, 5: question.high_label}
            field["options"] = [
                {
                    "value": str(option),
                    "label": f"{label} · {ends[option]}"
                    if question.type == "scale" and option in ends
                    else label,
                    "checked": option in chosen,
                    "id": f"{name}_{index}",
                    # Choosing it opens the support box at once (the page's script).
                    "unsafe": question.signals_unsafe(option),
                }
                for index, (option, label) in enumerate(question.options)
            ]
        drawn.append(field)
    return drawn
