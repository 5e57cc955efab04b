"""The "coming up" line of her day: how many sessions, holds, intakes not sent yet and
intakes that need her attention, counted from the day's entries (console.agenda)."""

from dataclasses import dataclass

from booking.models import Booking
from console.agenda import Day
from console.attendee_intakes import ATTENTION_WORDS


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


@dataclass(frozen=True)
class Summary:
    sessions: int
    not_sent: int
    flagged: int
    held: int

    @property
    def words(self) -> str:
        """ "3 sessions today, 1 intake not sent yet, 1 needs your attention"."""
        if not self.sessions:
            return "Nothing booked today."
        parts = [_count(self.sessions, "session today", "sessions today")]
        if self.held:
            parts.append(_count(self.held, "held for payment", "held for payment"))
        if self.not_sent:
            parts.append(_count(self.not_sent, "intake not sent yet", "intakes not sent yet"))
        if self.flagged:
            parts.append(f"{self.flagged} {ATTENTION_WORDS}")
        return ", ".join(parts) + "."


def summary(day: Day) -> Summary:
    """What "coming up" says about one day."""
    ahead = [e for e in day.entries if e.booking.status != Booking.Status.NO_SHOW]
    return Summary(
        sessions=len(ahead),
        not_sent=sum(
            1 for e in ahead if e.intake_not_sent and e.booking.start >= e.now and not e.held
        ),
        flagged=sum(1 for e in ahead if e.flagged),
        held=sum(1 for e in ahead if e.held),
    )
