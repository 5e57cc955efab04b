"""The whole URLconf of the ceiling (bench.ceiling_settings): one view that does nothing but
answer, so that what it serves per second is the cost of gunicorn, Django and the
middleware alone."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

TRIVIAL_PATH = "/trivial"
TRIVIAL_ANSWER = {"ok": True}


def trivial(request: HttpRequest) -> JsonResponse:
    return JsonResponse(TRIVIAL_ANSWER)


urlpatterns = [path(TRIVIAL_PATH.lstrip("/"), trivial)]
