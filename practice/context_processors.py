"""Template context shared by every page: the practice (read once, only if a page uses it),
and where the intake pages' "Leave this page" goes (every page reached by an intake link,
its 404 included, carries it)."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from practice.models import Practitioner


def practice(request: HttpRequest) -> dict:
    return {
        "practitioner": SimpleLazyObject(lambda: Practitioner.objects.order_by("pk").first()),
        "quick_exit_url": settings.QUICK_EXIT_URL,
    }
