"""Requests whose path or cookies hold what no database column can (a NUL byte) stop at
the door; anonymous reads of the JSON API go straight to their view; staff see times in the
practice's zone, not the server's UTC."""

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import resolve
from django.utils import timezone

from practice.models import Practitioner


def practice_zone_name(user) -> str | None:
    """The zone of the practitioner linked to ``user``, else of the first practitioner, in
    one query (None when there is no practitioner yet)."""
    own_first = Case(
        When(user_id=user.pk, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        Practitioner.objects.order_by(own_first, "pk").values_list("timezone", flat=True).first()
    )


class UnstorableTextMiddleware:
    """A NUL byte in the URL's path names no page: 404 before any view looks a token or an
    id up with it (PostgreSQL cannot even compare it). A cookie holding one is dropped, so a
    tampered session cookie starts a fresh session instead of failing its lookup. Query
    strings and bodies are left to the forms, which say what is wrong. Comes first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            raise Http404("No such page.")
        for name, value in list(request.COOKIES.items()):
            if "\x00" in name or "\x00" in value:
                del request.COOKIES[name]
        return self.get_response(request)


API_PREFIX = "/api/v1/"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiReadsMiddleware:
    """A read of the JSON API by someone without a session (a week of slots, the
    offerings, the schema, a preflight) needs nothing the rest of the chain does: no
    session or user, no CSRF token, no messages, no Content-Security-Policy or frame
    options (a JSON answer runs no script and draws no page), and the API's own views
    answer every error in JSON themselves (booking.api.api_view). So it goes straight to
    its view, as a cache middleware answers from its copy: under load, the rest of the
    chain cost a read about a third of Django's own floor. Writes, and anyone with a
    session cookie (they may be signed in), take the whole chain. Comes after
    UnstorableTextMiddleware and SecurityMiddleware, whose checks and headers every
    answer keeps."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in READ_METHODS
            and request.path_info.startswith(API_PREFIX)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            match = resolve(request.path_info)  # the API's catch-all matches every path
            request.resolver_match = match
            return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)


class PracticeTimezoneMiddleware:
    """Activate the practice's zone for authenticated staff (the admin and the intake review
    pages), so that her 09:00 call reads 09:00 and the admin's time inputs agree with her
    browser. Everyone else is untouched: public pages name the visitor's zone themselves.
    Comes after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return self.get_response(request)
        name = practice_zone_name(user)
        if name is None:
            return self.get_response(request)
        try:
            zone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return self.get_response(request)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
