"""The whole URLconf of the ceiling (bench.ceiling_settings): a view that does nothing but
answer, so that what it serves per second is the cost of gunicorn, Django and the
middleware alone; and the same with one query of one parameter first, the least an answer
that must be current pays (a kept week of slots asks the database for her version)."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

TRIVIAL_PATH = "/trivial"
ONE_QUERY_PATH = "/trivial-one-query"
TRIVIAL_ANSWER = {"ok": True}


def trivial(request: HttpRequest) -> JsonResponse:
    return JsonResponse(TRIVIAL_ANSWER)


def one_query(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s", [1])
        cursor.fetchone()
    return JsonResponse(TRIVIAL_ANSWER)


urlpatterns = [
    path(TRIVIAL_PATH.lstrip("/"), trivial),
    path(ONE_QUERY_PATH.lstrip("/"), one_query),
]
