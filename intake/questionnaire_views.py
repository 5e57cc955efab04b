"""The questionnaires in the admin's look: they are data files, so they have no rows to
list; staff can read what clients will be asked (questions only, never answers)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from intake import questionnaires


@staff_member_required
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    items = sorted(questionnaires.registry().values(), key=lambda q: (q.id, q.version))
    context = {"questionnaires": items, "title": "Intake questionnaires"}
    return render(request, "admin/intake/questionnaires.html", context)
