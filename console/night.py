"""Times that fall in the client's night. She books and moves sessions on her own clock;
a time that suits her can be 03:00 for a client in another zone, so the pages that let her
pick one say so beside it and again before she confirms."""

from datetime import datetime
from zoneinfo import ZoneInfo

from practice.timezones import clock, zone_label

NIGHT_FROM, NIGHT_UNTIL = 22, 7  # from 22:00 to 07:00, their clock


def at_night(moment: datetime, zone_name: str) -> bool:
    """Whether ``moment`` is between 22:00 and 07:00 where the client is."""
    if not moment or not zone_name:
        return False
    hour = moment.astimezone(ZoneInfo(zone_name)).hour
    return hour >= NIGHT_FROM or hour < NIGHT_UNTIL


def night_note(moment: datetime, zone_name: str, name: str) -> str:
    """``That is 3:00 AM for Omar (New York), at night for them.``, or "" by day."""
    if not at_night(moment, zone_name):
        return ""
    first = name.split()[0] if name and name.split() else "the client"
    return (
        f"That is {clock(moment, zone_name)} for {first} ({zone_label(zone_name)}), "
        "at night for them."
    )
