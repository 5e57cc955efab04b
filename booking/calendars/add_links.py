""" "Add to Google Calendar" and "Outlook.com" links: for a client whose calendar lives in a
browser tab and who never opens an ``.ics`` file.

Each link carries the event in its query (title, UTC start and end, the same description
as the invite) and the reader's own zone, so the calendar shows it at their time. A copy
added this way is the client's own and does not follow later changes: the emailed invite
does, and the pages say so.
"""

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from booking.calendars import ics
from booking.models import Booking

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/action/compose"


def _stamp(moment) -> str:
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def google_url(booking: Booking, *, reader: str, zone: str) -> str:
    query = {
        "action": "TEMPLATE",
        "text": ics.summary(booking, reader=reader),
        "dates": f"{_stamp(booking.start)}/{_stamp(booking.end)}",
        "details": "\n".join(ics.description_lines(booking, reader=reader)),
        "ctz": zone,
    }
    return f"{GOOGLE}?{urlencode(query)}"


def outlook_url(booking: Booking, *, reader: str, zone: str) -> str:
    """Outlook.com takes wall-clock times with their offset: the reader's own."""
    local = ZoneInfo(zone)
    query = {
        "rru": "addevent",
        "subject": ics.summary(booking, reader=reader),
        "startdt": booking.start.astimezone(local).isoformat(),
        "enddt": booking.end.astimezone(local).isoformat(),
        "body": "\n".join(ics.description_lines(booking, reader=reader)),
    }
    return f"{OUTLOOK}?{urlencode(query)}"


def links(booking: Booking, *, reader: str, zone: str) -> dict[str, str]:
    """Both links for a template, empty once the booking is cancelled (nothing to add)."""
    if booking.status == Booking.Status.CANCELLED:
        return {}
    return {
        "google": google_url(booking, reader=reader, zone=zone),
        "outlook": outlook_url(booking, reader=reader, zone=zone),
    }
