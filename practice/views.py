"""The practice's public pages: the two buttons and the privacy notice."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from booking.services import PRIVACY_NOTICE_VERSION
from practice.models import Offering, Practitioner


def home(request: HttpRequest) -> HttpResponse:
    offerings = {
        o.slug: o for o in Offering.objects.filter(is_active=True).select_related("practitioner")
    }
    practitioner = next(iter(offerings.values())).practitioner if offerings else None
    return render(request, "home.html", {"offerings": offerings, "practitioner": practitioner})


def privacy(request: HttpRequest) -> HttpResponse:
    """The notice clients consent to; its version is the one bookings record."""
    practitioner = Practitioner.objects.order_by("pk").first()
    context = {"practitioner": practitioner, "version": PRIVACY_NOTICE_VERSION}
    return render(request, "privacy.html", context)
