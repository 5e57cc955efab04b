"""Her calendars as she arranges them in the console: add, pause, resume, remove.

Pausing stops reading a calendar and opens the times it held (she chose that); resuming
reads it again at once. Removing deletes its address and its busy time together.
"""

from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from booking.calendars import fetch, imports
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


@transaction.atomic
def pause(calendar: ExternalCalendar) -> None:
    BusyBlock.objects.filter(calendar=calendar).delete()
    ExternalCalendar.objects.filter(pk=calendar.pk).update(paused=True, busy_count=0, etag="")
    calendar.refresh_from_db()


def resume(calendar: ExternalCalendar) -> None:
    ExternalCalendar.objects.filter(pk=calendar.pk).update(paused=False)
    calendar.refresh_from_db()
    imports.sync(calendar)


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
