"""Her calendars read into busy time: fetch, expand, store, and never empty her week.

A read that works replaces that calendar's busy blocks in one transaction; a read that
fails (timeout, an error page, garbage, too big) changes none of them and is written on the
calendar with the time it last worked, for her console to show. Reads are claimed by one
conditional UPDATE, so two workers never read the same calendar at once.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from booking.calendars import busy_times, caldav_client, conflicts, failing, fetch
from booking.models import BusyBlock, ExternalCalendar
from practice.models import Practitioner

logger = logging.getLogger(__name__)

# Busy time is read a day back (an event already begun still blocks) and as far ahead as
# any of her offerings can be booked, at least 90 days.
MIN_HORIZON = timedelta(days=90)


def horizon(practitioner: Practitioner, now: datetime) -> tuple[datetime, datetime]:
    days = practitioner.offerings.aggregate(days=Max("horizon_days"))["days"] or 0
    return now - timedelta(days=1), now + max(MIN_HORIZON, timedelta(days=days))


def read_feed(url: str, practitioner: Practitioner, now: datetime, *, validators=("", "")):
    """(answer, spans): spans is None when the feed is unchanged since ``validators``."""
    answer = fetch.fetch(url, etag=validators[0], last_modified=validators[1])
    if answer.status == 304:
        return answer, None
    start, end = horizon(practitioner, now)
    return answer, busy_times.busy_spans(answer.body, zone=practitioner.zone, start=start, end=end)


def read_caldav(secrets: dict, practitioner: Practitioner, now: datetime):
    """(answer, spans) of a CalDAV calendar: its events over the horizon, asked by time
    range (the server keeps no validators we use), expanded like a feed."""
    start, end = horizon(practitioner, now)
    data = caldav_client.read(secrets, start, end)
    spans = busy_times.busy_spans(data, zone=practitioner.zone, start=start, end=end)
    return fetch.Answer(200, b"", "", ""), spans


def _read(calendar: ExternalCalendar, now: datetime):
    if calendar.kind == ExternalCalendar.Kind.CALDAV:
        return read_caldav(calendar.secrets, calendar.practitioner, now)
    return read_feed(
        calendar.secrets["url"],
        calendar.practitioner,
        now,
        validators=(calendar.etag, calendar.last_modified),
    )


def probe(url: str, practitioner: Practitioner, now: datetime | None = None) -> int:
    """How many busy times the address holds in the next 30 days (the console's "test");
    raises FetchRefused or UnreadableCalendar with words for her."""
    now = now or timezone.now()
    _, spans = read_feed(url, practitioner, now)
    return sum(1 for span in spans if span.start < now + timedelta(days=30) and span.end > now)


def busy_ahead(calendar: ExternalCalendar, *, days: int, now: datetime | None = None) -> int:
    """How many busy times a calendar holds over the coming ``days`` (said when it is added)."""
    now = now or timezone.now()
    return BusyBlock.objects.filter(
        calendar=calendar, end__gt=now, start__lt=now + timedelta(days=days)
    ).count()


def _claim(calendar: ExternalCalendar, now: datetime) -> bool:
    minutes = calendar.practitioner.calendar_refresh_minutes
    due = Q(last_attempt_at__isnull=True) | Q(
        last_attempt_at__lte=now - timedelta(minutes=minutes)
    )
    return bool(
        ExternalCalendar.objects.filter(due, pk=calendar.pk, paused=False).update(
            last_attempt_at=now
        )
    )


def _store(calendar: ExternalCalendar, spans, answer, now: datetime) -> None:
    spans = busy_times.merged(spans)
    with transaction.atomic():
        BusyBlock.objects.filter(calendar=calendar).delete()
        BusyBlock.objects.bulk_create(
            BusyBlock(
                practitioner_id=calendar.practitioner_id,
                calendar=calendar,
                source=BusyBlock.Source.FEED,
                start=span.start,
                end=span.end,
                external_uid=span.uid,
            )
            for span in spans
        )
        ExternalCalendar.objects.filter(pk=calendar.pk).update(
            busy_count=len(spans), etag=answer.etag[:255], last_modified=answer.last_modified[:64]
        )


def record_read(calendar: ExternalCalendar, answer, spans, now: datetime) -> None:
    """A read that worked: its busy time (unless unchanged) and the time it worked."""
    if spans is not None:
        with transaction.atomic():
            _store(calendar, spans, answer, now)
            conflicts.refresh(calendar.practitioner, now)
    ExternalCalendar.objects.filter(pk=calendar.pk).update(
        last_attempt_at=now, last_success_at=now, last_error="", failing_since=None
    )


def sync(calendar: ExternalCalendar, now: datetime | None = None, *, force: bool = True) -> bool:
    """Read one calendar now (``force``) or when it is due; True when the read worked."""
    now = now or timezone.now()
    if force:
        ExternalCalendar.objects.filter(pk=calendar.pk).update(last_attempt_at=now)
    elif not _claim(calendar, now):
        return False
    try:
        answer, spans = _read(calendar, now)
    except (fetch.FetchRefused, busy_times.UnreadableCalendar) as error:
        ExternalCalendar.objects.filter(pk=calendar.pk).update(last_error=str(error)[:300])
        ExternalCalendar.objects.filter(pk=calendar.pk, failing_since__isnull=True).update(
            failing_since=now
        )
        logger.warning("Calendar %s could not be read; its busy time is kept.", calendar.pk)
        failing.check(calendar, now)
        return False
    record_read(calendar, answer, spans, now)
    logger.info("Calendar %s read.", calendar.pk)
    return True


def sync_due(now: datetime | None = None) -> int:
    """Read every calendar whose refresh time has come; how many were read."""
    now = now or timezone.now()
    due = ExternalCalendar.objects.filter(paused=False)
    return sum(sync(calendar, now, force=False) for calendar in due.select_related("practitioner"))
