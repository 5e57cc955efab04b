"""Questionnaires as versioned data: one TOML file per version in this directory.

A file is named ``<id>-v<version>.toml``. Every file is read and validated once (at start-up,
from ``IntakeConfig.ready``); a bad file fails with a message naming the file and the place,
such as ``full-v1.toml: sections[3].questions[2]: 'scale' needs 'low_label' and
'high_label'``. Responses pin ``(id, version)``, so a new version never changes old answers.

Schema (see ``full-v1.toml`` for a worked example)::

    id, version, title, intro, offering_kinds, estimated_minutes
    checkin_for?          a check-in's instead of offering_kinds (below)
    [consent]             version, text          (explicit consent, versioned on its own)
    [[sections]]          id, title, intro, content_note?, show_if?, who_sees?
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

A section's ``who_sees`` (a text) is its note on who sees its answers and when. The fill page
shows it under "Who sees these answers:", and it is what lets the practitioner's review show
that section's answers as soon as they are saved, before the client sends: only where the
client was told, because the note and the rule are one key. Those words may not begin a
paragraph of an intro instead, where they would mark nothing.

Nothing is ever required: a ``required`` key is refused. Every question can be left out
(no key in the answers) or answered with ``PREFER_NOT_TO_SAY``, a reserved value accepted
by every type and never written in a file. ``show_if = {question = "...", in = [...]}``
shows a question or a section only when an earlier question's answer is one of the values.
``flags = {unsafe = [...]}`` marks answers that signal someone may not be safe.

A check-in (``checkin_for = "full"``) names no offering kinds: it is the short questionnaire
given instead of ``full`` to someone who sent a ``full`` one recently (``checkin_after``).
"""

from intake.questionnaires.loading import (
    LEAN_NEEDS_MORE_POWER,
    MAX_TEXT_LENGTH,
    QuestionnaireError,
    load_directory,
    parse,
)
from intake.questionnaires.lookups import (
    DIRECTORY,
    NONE,
    UnknownQuestionnaire,
    checkin_after,
    choosable,
    for_offering,
    for_offering_kind,
    latest,
    load,
    registry,
)
from intake.questionnaires.model import (
    FLAGS,
    LEAN_OPTIONS,
    MORE_POWER,
    OFFERING_KINDS,
    PREFER_NOT_TO_SAY,
    PREFER_NOT_TO_SAY_LABEL,
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

__all__ = [
    "DIRECTORY",
    "FLAGS",
    "LEAN_NEEDS_MORE_POWER",
    "LEAN_OPTIONS",
    "MAX_TEXT_LENGTH",
    "MORE_POWER",
    "NONE",
    "OFFERING_KINDS",
    "PREFER_NOT_TO_SAY",
    "PREFER_NOT_TO_SAY_LABEL",
    "QUESTION_TYPES",
    "SCALE_VALUES",
    "WHO_SEES",
    "YES_NO_OPTIONS",
    "Condition",
    "Consent",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "Section",
    "UnknownQuestionnaire",
    "checkin_after",
    "choosable",
    "for_offering",
    "for_offering_kind",
    "latest",
    "load",
    "load_directory",
    "parse",
    "registry",
]
