"""iCalendar for bookings: the VEVENT shape lives here, for invites and her private feed.

One VEVENT per booking, whoever receives it. Its UID never changes and its SEQUENCE is the
booking's, so a calendar updates or removes the event it already has. Times are UTC, never
floating. Nothing about why the client comes leaves through it: the client's and the
partner's summary names only the practice, hers the client's first name and the offering
("Sam · Single session"), and the client's note and intake are never read here.
"""

from datetime import UTC, datetime

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress
from icalendar.enums import CLASS, PARTSTAT, ROLE, STATUS

from booking import links
from booking.models import Booking
from booking.video_rooms import video_link_for

PRODID = "-//Practice Booking//Bookings//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"

# Whose copy of the event: each names only its own attendee, and only the client's
# carries the manage link.
CLIENT, PARTNER, PRACTITIONER = "client", "partner", "practitioner"


def invite_method(booking: Booking) -> str:
    """CANCEL once a booking is cancelled, otherwise REQUEST (new or changed)."""
    return CANCEL if booking.status == Booking.Status.CANCELLED else REQUEST


def summary(booking: Booking, *, reader: str = CLIENT) -> str:
    """Neutral on purpose for the client and partner: a calendar is often seen by others (a
    partner, an assistant). Hers says who and what at a glance, and nothing more: the
    first names and the offering's name, "Sam & Alex · Couples session"."""
    if reader == PRACTITIONER:
        names = [_first_name(booking.client_name)]
        if booking.partner_name:
            names.append(_first_name(booking.partner_name))
        who = " & ".join(name for name in names if name) or "A client"
        return f"{who} · {booking.offering.name}"
    meeting = booking.offering.meeting_word.capitalize()
    return f"{meeting} with {booking.practitioner.practice_name}"


def _first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else ""


def booking_event(booking: Booking, *, reader: str, stamp: datetime | None = None) -> Event:
    """The VEVENT of a booking.

    The client's copy carries the private manage link in its description; the
    practitioner's and a couples partner's do not (it is the client's key to change the
    booking). Each attendee's copy names only that attendee: the client's invite never
    names the partner, the partner's never the client's address.
    """
    practitioner = booking.practitioner
    video_link = video_link_for(booking)
    if reader == PARTNER:
        attendee = (booking.partner_email, booking.partner_name)
    else:
        attendee = (booking.client_email, booking.client_name)
    return _event(
        booking,
        stamp=stamp or timezone.now(),
        summary=summary(booking, reader=reader),
        video_link=video_link,
        description=description_lines(booking, reader=reader, video_link=video_link),
        organizer=vCalAddress.new(practitioner.email, cn=practitioner.practice_name),
        attendees=[
            vCalAddress.new(
                attendee[0],
                cn=attendee[1],
                role=ROLE.REQ_PARTICIPANT,
                partstat=PARTSTAT.ACCEPTED,
            )
        ],
    )


def description_lines(
    booking: Booking, *, reader: str, video_link: str | None = None
) -> list[str]:
    """How to join, and for the client how to change it: what an invite's description says
    (``video_link`` when the caller has it already: it is an HMAC per booking)."""
    if video_link is None:
        video_link = video_link_for(booking)
    lines = [f"Join the call: {video_link}"] if video_link else []
    if reader == CLIENT and booking.status != Booking.Status.CANCELLED:
        lines.append(f"Reschedule or cancel: {links.manage_url(booking)}")
    return lines


def feed_event(booking: Booking, *, title: str, console_url: str) -> Event:
    """The VEVENT of a booking in her private feed: the invite's UID and SEQUENCE, so the
    calendar that also got the invite keeps one event, but no attendee or organizer (a feed
    address can be passed on; the title she chose is all it tells). Its stamp is the
    booking's last change, so an unchanged booking reads the same on every request."""
    video_link = video_link_for(booking)
    lines = description_lines(booking, reader=PRACTITIONER, video_link=video_link)
    if console_url:
        lines.append(f"In your console: {console_url}")
    return _event(
        booking,
        stamp=booking.updated_at,
        summary=title,
        video_link=video_link,
        description=lines,
    )


def _event(booking, *, stamp, summary, video_link, description, **people) -> Event:
    return Event.new(
        uid=booking.ical_uid,
        sequence=booking.sequence,
        stamp=stamp.astimezone(UTC),
        start=booking.start.astimezone(UTC),
        end=booking.end.astimezone(UTC),
        status=STATUS.CANCELLED
        if booking.status == Booking.Status.CANCELLED
        else STATUS.CONFIRMED,
        summary=summary,
        # Shared calendars show only "busy" for a private event.
        classification=CLASS.PRIVATE,
        location=video_link or None,
        url=video_link or None,
        description="\n".join(description) or None,
        **people,
    )


def calendar(*events: Event, method: str | None = None) -> Calendar:
    """A VCALENDAR around ``events``; ``method`` for an invite (iTIP), none for a feed."""
    cal = Calendar.new(prodid=PRODID, method=method, subcomponents=events)
    # Calendar.new gives the calendar itself a random UID; an invite needs none.
    cal.pop("UID", None)
    return cal


def booking_file(booking: Booking) -> bytes:
    """The client's copy to download ("Add to calendar"): METHOD PUBLISH, so that a calendar
    simply adds it instead of asking for a reply; the same UID lets the emailed updates
    replace it."""
    event = booking_event(booking, reader=CLIENT)
    return calendar(event, method="PUBLISH").to_ical()


def booking_invite(booking: Booking, *, reader: str, stamp: datetime | None = None) -> bytes:
    """The ``.ics`` attached to a booking email: METHOD REQUEST, or CANCEL once cancelled."""
    event = booking_event(booking, reader=reader, stamp=stamp)
    return calendar(event, method=invite_method(booking)).to_ical()
