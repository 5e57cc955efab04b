"""The practice's public pages: the two buttons and the privacy notice.

Both name the practitioner through the ``practitioner`` every template gets
(practice.context_processors).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from booking.services import PRIVACY_NOTICE_VERSION
from practice.models import Offering


def home(request: HttpRequest) -> HttpResponse:
    offerings = {o.slug: o for o in Offering.objects.filter(is_active=True)}
    return render(request, "home.html", {"offerings": offerings})


def privacy(request: HttpRequest) -> HttpResponse:
    """The notice clients consent to; its version is the one bookings record."""
    return render(request, "privacy.html", {"version": PRIVACY_NOTICE_VERSION})
