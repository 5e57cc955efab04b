"""Template context shared by every page: the practice's name."""

from django.http import HttpRequest

from practice.models import Practitioner


def practice(request: HttpRequest) -> dict:
    def load():
        return Practitioner.objects.order_by("pk").first()

    return {"practitioner": load}
