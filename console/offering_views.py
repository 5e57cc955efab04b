"""STUB: replaced by this area's pages."""

from django.shortcuts import render

from console.access import practitioner_required


@practitioner_required
def offerings(request, **kwargs):
    return render(request, "console/stub.html", {"title": "Offerings"})
