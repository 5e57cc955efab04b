"""The video link of a booking: the offering's fixed room, or a room of the booking's own.

An offering may name a fixed link, or a pattern such as ``https://meet.jit.si/mara-{room}``
in which ``{room}`` becomes a room name that belongs to one booking. The name is an HMAC of
the booking's public id under the site's secret: stable for the booking through every
reschedule, different for every booking, and not guessable from anything a client sees, so
nobody can walk into another client's room. Emails, invites and the manage page all ask
``video_link_for``, so the three always agree.
"""

from urllib.parse import urlsplit

from django.utils.crypto import salted_hmac

from booking.models import Booking

ROOM = "{room}"
ROOM_LENGTH = 20

PATTERN_NOT_HTTPS = "The pattern must be a link that starts with https://."
PATTERN_NEEDS_ONE_ROOM = (
    "The pattern must contain {room} exactly once, where each booking's room name goes."
)


def pattern_error(pattern: str) -> str | None:
    """Why ``pattern`` cannot give rooms (a sentence for the form), or None when it can."""
    if pattern.count(ROOM) != 1:
        return PATTERN_NEEDS_ONE_ROOM
    parts = urlsplit(pattern.replace(ROOM, "room"))
    if parts.scheme != "https" or not parts.hostname or " " in pattern:
        return PATTERN_NOT_HTTPS
    return None


def room_name(booking: Booking) -> str:
    """Twenty lowercase letters and digits, the booking's own (80 bits of an HMAC)."""
    digest = salted_hmac("booking.video_rooms", str(booking.public_id), algorithm="sha256")
    return digest.hexdigest()[:ROOM_LENGTH]


def video_link_for(booking: Booking) -> str:
    """Where the client and the practitioner meet for ``booking`` ("" when nowhere online)."""
    offering = booking.offering
    if offering.video_room_pattern:
        return offering.video_room_pattern.replace(ROOM, room_name(booking))
    return offering.video_link
