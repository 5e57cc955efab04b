"""STUB: replaced by this area's pages."""

from django.shortcuts import render

from console.access import practitioner_required


@practitioner_required
def clients(request, **kwargs):
    return render(request, "console/stub.html", {"title": "Clients"})
