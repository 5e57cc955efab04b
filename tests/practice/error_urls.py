"""The site's URLs, and views that fail on purpose, so the error pages can be reached."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from practice.urls import urlpatterns as site_urlpatterns


def fails(request):
    raise RuntimeError("the database went away")


def forbidden(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("a tampered request")


urlpatterns = [
    path("fails/", fails),
    path("forbidden/", forbidden),
    path("suspicious/", suspicious),
    *site_urlpatterns,
]
