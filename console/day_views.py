"""STUB: replaced by this area's pages."""

from django.shortcuts import render

from console.access import practitioner_required


@practitioner_required
def today(request, **kwargs):
    return render(request, "console/stub.html", {"title": "Today"})


@practitioner_required
def week(request, **kwargs):
    return render(request, "console/stub.html", {"title": "Week"})
