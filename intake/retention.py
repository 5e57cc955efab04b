"""Erasure of intake answers and booking notes past the practice's retention period.

The period runs from the client's last session with the practitioner. Each erasure goes
through ``intake.services.erase`` (its own transaction, a tombstone left), so a run that is
interrupted simply finishes on the next.
"""

from datetime import datetime, timedelta

from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from booking.models import Booking
from intake.models import Assignment, Response
from intake.services import erase


def _last_session_end(*, practitioner, client_email) -> Subquery:
    """The end of the client's latest confirmed or completed booking with the practitioner
    (both given as outer references): where a retention period starts."""
    return Subquery(
        Booking.objects.filter(
            practitioner=practitioner,
            client_email=client_email,
            status__in=[Booking.Status.CONFIRMED, Booking.Status.COMPLETED],
        )
        .order_by("-end")
        .values("end")[:1]
    )


def _past_retention(rows, *, now: datetime) -> list[int]:
    """The ids of ``(id, last session's end, retention days)`` rows whose period has ended:
    more than that many days since, to the microsecond."""
    return [pk for pk, last_end, days in rows if now - last_end > timedelta(days=days)]


def expired_assignment_ids(*, now: datetime) -> list[int]:
    """The assignments whose answers are past the practice's retention period.

    The period runs from the client's last session with that practitioner: the latest end
    of a confirmed or completed booking with the same client email (a confirmed booking
    still ahead keeps everything). A client with none of those (only cancelled bookings)
    counts from the end of the booking the intake was for. Expired means more than
    ``intake_retention_days`` have passed since then, to the microsecond.
    """
    last_session = _last_session_end(
        practitioner=OuterRef("assignment__booking__practitioner"),
        client_email=OuterRef("assignment__booking__client_email"),
    )
    candidates = (
        Response.objects.filter(erased_at__isnull=True)
        .annotate(
            last_end=Coalesce(last_session, F("assignment__booking__end")),
            retention_days=F("assignment__booking__practitioner__intake_retention_days"),
        )
        .values_list("assignment_id", "last_end", "retention_days")
        .order_by("assignment_id")
    )
    return _past_retention(candidates, now=now)


def erase_expired(*, now: datetime) -> int:
    """Erase (with ``erase``: a tombstone stays) every response past its retention period;
    how many were erased. Each erasure is its own transaction, so one failure keeps the
    others, and a run that is interrupted simply finishes on the next."""
    erased = 0
    for assignment in Assignment.objects.filter(pk__in=expired_assignment_ids(now=now)):
        response = erase(assignment=assignment, now=now)
        if response is not None and response.erased_at == now:
            erased += 1
    return erased


def erase_expired_notes(*, now: datetime) -> int:
    """Erase the booking notes past the same retention period as the answers (counted from
    the client's last session, else from the booking's end); how many were erased."""
    candidates = (
        Booking.objects.filter(note_encrypted__isnull=False)
        .annotate(
            last_end=Coalesce(
                _last_session_end(
                    practitioner=OuterRef("practitioner"), client_email=OuterRef("client_email")
                ),
                F("end"),
            ),
            retention_days=F("practitioner__intake_retention_days"),
        )
        .values_list("pk", "last_end", "retention_days")
    )
    expired = _past_retention(candidates, now=now)
    return Booking.objects.filter(pk__in=expired).update(note_encrypted=None)


def apply_retention(*, now: datetime) -> dict[str, int]:
    """Erase the answers and the booking notes past the retention period (run daily); how
    many of each were erased."""
    return {"responses": erase_expired(now=now), "notes": erase_expired_notes(now=now)}
