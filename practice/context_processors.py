"""Template context shared by every page: the practice (read once, only if a page uses it)."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from practice.models import Practitioner


def practice(request: HttpRequest) -> dict:
    return {"practitioner": SimpleLazyObject(lambda: Practitioner.objects.order_by("pk").first())}
