"""Staff see times in the practice's zone, not the server's UTC."""

import zoneinfo
from collections.abc import Callable

from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
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
