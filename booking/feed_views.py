"""Her private calendar feed at ``/calendar/<token>.ics``: the token is the only key, so a
wrong or rotated one is a plain 404 that says nothing about whose feed it was."""

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import condition, require_safe

from booking.calendars import feed
from practice.models import Practitioner

FEED_KEPT_SECONDS = 24 * 60 * 60


def _found(request: HttpRequest, token: str) -> tuple[Practitioner, feed.Version]:
    """Her and the feed's version, looked up once per request (``condition`` asks twice)."""
    if not hasattr(request, "feed_version"):
        practitioner = Practitioner.objects.filter(feed_token=token).first()
        if practitioner is None:
            raise Http404("No calendar at this address.")
        request.feed_practitioner = practitioner
        request.feed_version = feed.version(practitioner, timezone.now())
    return request.feed_practitioner, request.feed_version


@require_safe
@condition(
    etag_func=lambda request, token: _found(request, token)[1].etag,
    last_modified_func=lambda request, token: _found(request, token)[1].last_modified,
)
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    practitioner, version = _found(request, token)
    # Kept under its version: any change makes a new ETag, so a kept copy is never stale,
    # and a calendar app that polls without asking conditionally costs one small query.
    key = f"calendar-feed:{practitioner.pk}:{version.etag}"
    body = cache.get(key)
    if body is None:
        body = feed.feed_file(practitioner, timezone.now())
        cache.set(key, body, timeout=FEED_KEPT_SECONDS)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="bookings.ics"'
    # Her bookings: no shared cache keeps a copy, and no search engine lists the address.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response
