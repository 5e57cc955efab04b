"""Her private calendar feed: her bookings as an address her calendar app subscribes to.

Each booking is the same VEVENT as its emailed invite (same UID, same SEQUENCE), so a
calendar holding both shows it once, and a cancelled one stays in the feed as CANCELLED
for a while so that a calendar which had it takes it away. The title says only what she
chose (``Practitioner.feed_detail``); attendees, addresses, the client's note and intake
never leave through it: whoever holds the address learns times and that title.

Calendar apps poll the address every few minutes to hours, so answering "nothing changed"
must cost almost nothing: ``version`` is one aggregate query over the same bookings, and
its ETag and Last-Modified let the view answer 304 without building the feed.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.db.models import Count, Max

from booking.calendars import ics
from booking.emails.compose import console_booking_url
from booking.models import Booking
from practice.models import Offering, Practitioner

# How far back the feed reaches: enough for her to look back over the past month.
RECENT = timedelta(days=30)
SHOWN = [
    Booking.Status.CONFIRMED,
    Booking.Status.COMPLETED,
    Booking.Status.NO_SHOW,
    Booking.Status.CANCELLED,
]
BUSY = "Busy"


@dataclass(frozen=True)
class Version:
    etag: str
    last_modified: datetime


def since(now: datetime) -> datetime:
    """The feed's first day, at UTC midnight: the window moves once a day, not with every
    request, so an unchanged feed keeps its ETag all day."""
    return datetime.combine((now - RECENT).astimezone(UTC).date(), time(), tzinfo=UTC)


def _bookings(practitioner: Practitioner, now: datetime):
    return Booking.objects.filter(practitioner=practitioner, status__in=SHOWN, end__gte=since(now))


def version(practitioner: Practitioner, now: datetime) -> Version:
    """What the feed's bytes depend on, in one aggregate over its bookings and one small
    read of her offerings (a renamed offering or a new video link changes every title or
    description that names it)."""
    first = since(now)
    seen = _bookings(practitioner, now).aggregate(count=Count("pk"), changed=Max("updated_at"))
    offerings = list(
        Offering.objects.filter(practitioner=practitioner)
        .order_by("pk")
        .values_list("pk", "name", "video_link", "video_room_pattern")
    )
    parts = [
        first.isoformat(),
        seen["count"],
        seen["changed"],
        practitioner.feed_detail,
        practitioner.practice_name,
    ]
    digest = hashlib.sha256(repr([*parts, offerings]).encode()).hexdigest()[:32]
    return Version(etag=digest, last_modified=seen["changed"] or first)


def title(booking: Booking, detail: str) -> str:
    """The event's title at the detail she chose: "Sam · Single session", "Single
    session", or only "Busy"."""
    if detail == Practitioner.FeedDetail.BUSY:
        return BUSY
    if detail == Practitioner.FeedDetail.OFFERING:
        return booking.offering.name
    return ics.summary(booking, reader=ics.PRACTITIONER)


def booking_event(booking: Booking, detail: str):
    """A booking as her own calendars hold it (the feed, a CalDAV calendar)."""
    return ics.feed_event(
        booking, title=title(booking, detail), console_url=console_booking_url(booking)
    )


def feed_file(practitioner: Practitioner, now: datetime) -> bytes:
    """The VCALENDAR of her feed: no METHOD (a subscription, not an invite), named so that
    her calendar app lists it under the practice's name."""
    bookings = _bookings(practitioner, now).select_related("offering", "practitioner")
    detail = practitioner.feed_detail
    events = [booking_event(booking, detail) for booking in bookings.order_by("start", "pk")]
    cal = ics.calendar(*events)
    cal.calendar_name = f"{practitioner.practice_name} bookings"
    # Calendar apps that honour it poll no more often than this.
    cal.add("REFRESH-INTERVAL", timedelta(minutes=15), parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", "PT15M")
    return cal.to_ical()
