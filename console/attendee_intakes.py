"""Each attendee's intake as her day and week show it: not started, started, sent or
erased, a check-in or the full intake, and whether it asks for her attention.

All of it is read from the clear columns of the assignments and their responses, in one
query for any number of bookings; nothing here decrypts, so the answers are never read.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import F, QuerySet

from intake import questionnaires
from intake.models import Assignment

# The intake states she reads, for one attendee.
NOT_STARTED = "not_started"
STARTED = "started"
SENT = "sent"
ERASED = "erased"

ATTENTION_WORDS = "needs your attention"


@dataclass(frozen=True)
class Intake:
    """One attendee's intake, as far as the clear columns tell: never the answers."""

    name: str
    state: str
    checkin: bool
    # Only what she may already be told: the mark of a sent intake, or of one whose
    # before-sending answer she was emailed about. A mark raised by a part she reads only
    # once it is sent stays hidden until then, as the client was promised.
    flagged: bool

    @property
    def words(self) -> str:
        what = "Check-in" if self.checkin else "Intake"
        return {
            NOT_STARTED: f"{what} not started",
            STARTED: f"{what} started, not sent yet",
            SENT: f"{what} sent",
            ERASED: f"{what} erased by the client",
        }[self.state]


ASSIGNMENT_COLUMNS = (
    "booking_id",
    "name",
    "earlier_response_id",
    "response__id",
    "response__questionnaire_id",
    "response__questionnaire_version",
    "response__erased_at",
    "response__submitted_at",
    "response__needs_attention",
    "response__practitioner_alerted_at",
)


def intakes_of(bookings: QuerySet) -> Iterator[tuple[int, Intake]]:
    """``(booking id, intake)`` for each attendee of ``bookings``, the client's first: one
    query of plain rows (a prefetch would clone a queryset per booking)."""
    rows = (
        Assignment.objects.filter(booking__in=bookings.values("pk"))
        .annotate(earlier_erased=F("earlier_response__erased_at"))
        .order_by("role", "pk")
        .values_list(*ASSIGNMENT_COLUMNS, "earlier_erased")
    )
    for row in rows:
        yield row[0], _intake_of_row(row)


def _intake_of_row(row: tuple) -> Intake:
    """One attendee's intake from the clear columns of ``ASSIGNMENT_COLUMNS``."""
    (_, name, earlier_id, response_id, questionnaire_id, version, erased_at, submitted_at,
     needs_attention, alerted_at, earlier_erased) = row  # fmt: skip
    if response_id is None:
        # Asked a check-in when a full intake they sent is still kept (services.questionnaire_for).
        checkin = earlier_id is not None and earlier_erased is None
        return Intake(name, NOT_STARTED, checkin, flagged=False)
    checkin = bool(questionnaires.load(questionnaire_id, version).checkin_for)
    if erased_at is not None:
        return Intake(name, ERASED, checkin, flagged=False)
    sent = submitted_at is not None
    flagged = needs_attention and (sent or alerted_at is not None)
    return Intake(name, SENT if sent else STARTED, checkin, flagged)
