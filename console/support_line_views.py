"""Her own crisis lines, under Hours: per country, the lines shipped with the site and
hers side by side, a form to add, change or remove hers, and the support box as a client
in that country reads it (drawn by the intake's own template, from the same read).

Thin views: the form reads what she typed, ``intake.crisis.own_lines`` changes it (one
transaction each), ``intake.crisis.resources_for`` is what clients' boxes show.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from console.access import practitioner_required
from console.support_line_forms import CrisisLineForm
from intake import crisis
from intake.crisis import own_lines
from intake.models import CrisisLine

ADDED = "Added: {name} now shows in the support box for clients in {country}."
CHANGED = "Saved: the support box for clients in {country} shows your change now."
REMOVED = "Removed: {name} no longer shows for clients in {country}."


def _page(request: HttpRequest, *, form=None, editing=None, preview="", status=200):
    countries = own_lines.countries_with_own_lines()
    code = preview or request.GET.get("country", "")
    if code not in dict(crisis.country_choices()):
        code = editing.country if editing else (countries[0].code if countries else "")
    if form is None:
        initial = {"country": code}
        if editing is not None:
            initial = {
                "country": editing.country,
                "name": editing.name,
                "contact": editing.contact,
            }
        form = CrisisLineForm(initial=initial)
    return render(
        request,
        "console/support_lines.html",
        {
            "nav": "hours",
            "tab": "support",
            "countries": countries,
            "form": form,
            "editing": editing,
            "preview_code": code,
            "preview_name": own_lines.country_in(code) if code else "",
            "crisis": crisis.resources_for(code) if code else None,
            "directory_url": crisis.DIRECTORY_URL,
            "country_choices": crisis.country_choices(),
        },
        status=status,
    )


def _back(code: str) -> HttpResponse:
    return redirect(reverse("console:crisis_lines") + f"?country={code}#preview")


@practitioner_required
@require_http_methods(["GET", "POST"])
def crisis_lines(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    form = CrisisLineForm(request.POST)
    if form.is_valid():
        try:
            line = own_lines.add_line(**form.cleaned_data)
        except own_lines.LineError as error:
            form.add_service_error(error)
        else:
            country = own_lines.country_in(line.country)
            messages.success(request, ADDED.format(name=line.name, country=country))
            return _back(line.country)
    return _page(request, form=form, preview=request.POST.get("country", ""), status=400)


def _line(line_id: int) -> CrisisLine:
    line = CrisisLine.objects.filter(pk=line_id).first()
    if line is None:
        raise Http404
    return line


@practitioner_required
@require_http_methods(["GET", "POST"])
def crisis_line_edit(request: HttpRequest, line_id: int) -> HttpResponse:
    line = _line(line_id)
    if request.method == "GET":
        return _page(request, editing=line)
    form = CrisisLineForm(request.POST)
    if form.is_valid():
        try:
            line = own_lines.change_line(line_id=line.pk, **form.cleaned_data)
        except CrisisLine.DoesNotExist:
            raise Http404 from None
        except own_lines.LineError as error:
            form.add_service_error(error)
        else:
            country = own_lines.country_in(line.country)
            messages.success(request, CHANGED.format(country=country))
            return _back(line.country)
    return _page(request, form=form, editing=line, status=400)


@practitioner_required
@require_POST
def crisis_line_remove(request: HttpRequest, line_id: int) -> HttpResponse:
    line = own_lines.remove_line(line_id=line_id)
    if line is None:
        return redirect("console:crisis_lines")
    country = own_lines.country_in(line.country)
    messages.success(request, REMOVED.format(name=line.name, country=country))
    return _back(line.country)
