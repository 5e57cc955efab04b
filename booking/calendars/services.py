"""Her calendars as she arranges them in the console: add, pause, resume, remove.

Pausing stops reading a calendar and opens the times it held (she chose that); resuming
reads it again at once, and a CalDAV calendar is brought up to date with her bookings.
Removing deletes its address and its busy time together; the bookings already written
into a CalDAV calendar stay there, as events she can delete herself.
"""

from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from booking.calendars import caldav_client, fetch, imports, push
from booking.models import BusyBlock, ExternalCalendar
from practice.models import Practitioner, new_feed_token


def add_feed(practitioner: Practitioner, *, name: str, url: str) -> ExternalCalendar:
    """A new feed calendar (its address kept encrypted), added only once it could be read:
    raises FetchRefused or UnreadableCalendar with words for her, and nothing is saved."""
    url = fetch.normalise(url)
    now = timezone.now()
    answer, spans = imports.read_feed(url, practitioner, now)
    calendar = ExternalCalendar(
        practitioner=practitioner,
        kind=ExternalCalendar.Kind.FEED,
        name=name.strip()[:80] or "My calendar",
        host=urlsplit(url).hostname or "",
    )
    calendar.set_secrets(url=url)
    with transaction.atomic():
        calendar.save()
        imports.record_read(calendar, answer, spans, now)
    calendar.refresh_from_db()
    return calendar


def add_caldav(
    practitioner: Practitioner,
    *,
    name: str,
    url: str,
    username: str,
    password: str,
    push_bookings: bool,
) -> ExternalCalendar:
    """A CalDAV calendar, found from any address of her server (the one she gave, else the
    first her account holds; she can choose another on its card) and read once before it
    is saved. Raises FetchRefused or UnreadableCalendar with words for her; nothing is
    saved then. With ``push_bookings`` her bookings ahead are written into it."""
    found = caldav_client.discover(url, username, password)
    secrets = {
        "url": fetch.normalise(url),
        "username": username,
        "password": password,
        "calendar_url": found[0].url,
    }
    now = timezone.now()
    answer, spans = imports.read_caldav(secrets, practitioner, now)
    calendar = ExternalCalendar(
        practitioner=practitioner,
        kind=ExternalCalendar.Kind.CALDAV,
        name=name.strip()[:80] or found[0].name[:80],
        host=urlsplit(secrets["url"]).hostname or "",
        push_bookings=push_bookings,
    )
    calendar.set_secrets(**secrets, found=[[each.name, each.url] for each in found])
    with transaction.atomic():
        calendar.save()
        imports.record_read(calendar, answer, spans, now)
        if push_bookings:
            push.push_upcoming(practitioner.pk, now, reason=f"connected:{calendar.pk}")
    calendar.refresh_from_db()
    return calendar


def choose_caldav_calendar(calendar: ExternalCalendar, calendar_url: str) -> bool:
    """Read and write another of the calendars her server holds (one found when it was
    connected); False when ``calendar_url`` is not one of them."""
    secrets = calendar.secrets
    if calendar_url not in [url for _, url in secrets.get("found", [])]:
        return False
    calendar.set_secrets(**(secrets | {"calendar_url": calendar_url}))
    calendar.save(update_fields=["credentials"])
    imports.sync(calendar)
    if calendar.push_bookings:
        now = timezone.now()
        push.push_upcoming(calendar.practitioner_id, now, reason=now.isoformat())
    return True


@transaction.atomic
def pause(calendar: ExternalCalendar) -> None:
    BusyBlock.objects.filter(calendar=calendar).delete()
    ExternalCalendar.objects.filter(pk=calendar.pk).update(paused=True, busy_count=0, etag="")
    calendar.refresh_from_db()


def resume(calendar: ExternalCalendar) -> None:
    ExternalCalendar.objects.filter(pk=calendar.pk).update(paused=False)
    calendar.refresh_from_db()
    imports.sync(calendar)
    if calendar.push_bookings:
        # Changes made while it was paused were not written into it.
        now = timezone.now()
        push.push_upcoming(calendar.practitioner_id, now, reason=now.isoformat())


def remove(calendar: ExternalCalendar) -> None:
    """Its busy blocks go with it (on_delete CASCADE)."""
    calendar.delete()


def set_refresh_minutes(practitioner: Practitioner, minutes: int) -> None:
    Practitioner.objects.filter(pk=practitioner.pk).update(calendar_refresh_minutes=minutes)
    practitioner.calendar_refresh_minutes = minutes


def rotate_feed_token(practitioner: Practitioner) -> str:
    """A new address for her feed: the old one answers 404 from this moment, so a feed
    address that reached the wrong person stops telling them anything."""
    practitioner.feed_token = new_feed_token()
    practitioner.save(update_fields=["feed_token"])
    return practitioner.feed_token


def set_feed_detail(practitioner: Practitioner, detail: str) -> None:
    """How much each booking's title in her feed says (``Practitioner.FeedDetail``)."""
    practitioner.feed_detail = Practitioner.FeedDetail(detail)
    practitioner.save(update_fields=["feed_detail"])
    if push.targets(practitioner.pk).exists():
        now = timezone.now()
        push.push_upcoming(practitioner.pk, now, reason=now.isoformat())
