"""The questionnaires shipped in this directory, read once, and the lookups over them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from intake.questionnaires.loading import load_directory
from intake.questionnaires.model import Questionnaire

DIRECTORY = Path(__file__).resolve().parent


class UnknownQuestionnaire(LookupError):
    pass


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


NONE = "none"


def choosable() -> list[Questionnaire]:
    """The newest version of each questionnaire an offering may send (check-ins are given
    in their place, never chosen)."""
    ids = sorted({q.id for q in registry().values() if not q.checkin_for})
    return [latest(questionnaire_id) for questionnaire_id in ids]


def for_offering(kind: str, chosen: str = "") -> Questionnaire | None:
    """The questionnaire an offering sends: the one its practitioner ``chosen`` (its id),
    none when she chose ``NONE``, else the one for its kind as before (``for_offering_kind``)."""
    if chosen == NONE:
        return None
    if chosen:
        try:
            return latest(chosen)
        except UnknownQuestionnaire:
            return for_offering_kind(kind)
    return for_offering_kind(kind)


def checkin_after(questionnaire_id: str) -> Questionnaire | None:
    """The newest check-in given instead of ``questionnaire_id`` to someone who sent it
    recently, or None when it has none."""
    owners = {q.id for q in registry().values() if q.checkin_for == questionnaire_id}
    return latest(owners.pop()) if owners else None
