"""What a client typed before a refusal, kept for the time they pick next.

Each time offered on a refusal page is a form posting the details along. "See all open
times" leads to the week and then to a plain link, so for that way the details wait in
the client's own session: encrypted like a booking note (they may hold the note), for one
offering, for an hour, and gone once that offering is booked. Never in a URL."""

from datetime import datetime, timedelta

from cryptography.fernet import InvalidToken
from django.http import HttpRequest
from django.utils import timezone

from practice import crypto
from practice.models import Offering

# What a lost race carries to the next time the client picks (booking.forms' field names).
# The consent tick too: it was their own choice, just made, and the pages say nothing is
# lost; they can still untick it before booking.
CARRIED_FIELDS = (
    "name",
    "email",
    "note",
    "partner_name",
    "partner_email",
    "partner_timezone",
    "consent",
)
TICKED = "on"  # a checkbox's posted value, read back as ticked by the form
SESSION_KEY = "booking_typed"
KEPT_FOR = timedelta(hours=1)


def _as_text(key: str, value) -> str:
    if key == "consent":  # True from a valid form, "on" when posted along or kept
        return TICKED if value in (True, TICKED) else ""
    return str(value)


def carried(typed: dict | None) -> dict[str, str]:
    """The filled-in fields of ``typed`` that may ride along, and nothing else."""
    return {
        key: _as_text(key, value) for key, value in (typed or {}).items() if key in CARRIED_FIELDS
    }


def keep(request: HttpRequest, offering: Offering, typed: dict, *, now: datetime) -> None:
    """Keep ``typed`` in the session for the next details page of ``offering``."""
    if fields := {key: value for key, value in carried(typed).items() if value}:
        request.session[SESSION_KEY] = {
            "offering": offering.pk,
            "at": now.isoformat(),
            "typed": crypto.encrypt_json(fields).decode("ascii"),
        }


def kept(request: HttpRequest, offering: Offering, *, now: datetime | None = None) -> dict:
    """What was kept for ``offering`` within the hour (an empty dict otherwise)."""
    now = now or timezone.now()
    found = request.session.get(SESSION_KEY)
    if not found or found.get("offering") != offering.pk:
        return {}
    if datetime.fromisoformat(found["at"]) + KEPT_FOR < now:
        forget(request)
        return {}
    try:
        return carried(crypto.decrypt_json(found["typed"].encode("ascii")))
    except InvalidToken:  # its key has been retired since: nothing to offer
        forget(request)
        return {}


def forget(request: HttpRequest) -> None:
    """Drop what was kept: the booking is made, or it is too old to be wanted."""
    request.session.pop(SESSION_KEY, None)
