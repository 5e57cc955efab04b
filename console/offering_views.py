"""Her offerings: the list in the order clients see them, and the form to make or change one.

Thin views: the form checks the values, practice.offerings makes the change, and the page
says what changed. Every sentence about the rules comes from console.offering_words, the
same words the list and the form's summary use.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from booking.payments.selectors import refund_policy
from console.access import practitioner_required
from console.offering_forms import OfferingForm, initial_from, new_offering_initial
from console.offering_words import (
    offering_rows,
    reminders_preview,
    rules_preview,
    terms_preview,
)
from practice import offerings as services
from practice.models import Offering

SAVE_GOAL = "we can save this offering"


def _own_offering(request: HttpRequest, public_id: int) -> Offering:
    offering = Offering.objects.filter(pk=public_id, practitioner=request.practitioner).first()
    if offering is None:
        raise Http404
    return offering


@practitioner_required
def offerings(request: HttpRequest) -> HttpResponse:
    found = Offering.objects.filter(practitioner=request.practitioner).order_by(
        "position", "name", "pk"
    )
    return render(
        request,
        "console/offerings.html",
        {"nav": "offerings", "rows": offering_rows(list(found))},
    )


def _form_page(request, form, *, offering: Offering | None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "console/offering_form.html",
        {
            "nav": "offerings",
            "form": form,
            "offering": offering,
            "error_goal": SAVE_GOAL,
            "terms_lines": terms_preview(form),
            "rules_words": rules_preview(form),
            "reminders_words": reminders_preview(form),
        },
        status=status,
    )


@practitioner_required
@require_http_methods(["GET", "POST"])
def offering_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = OfferingForm(request.POST, initial=new_offering_initial())
        if form.is_valid() and request.POST.get("preview"):
            return _form_page(request, form, offering=None)
        if form.is_valid():
            offering = services.create_offering(
                practitioner=request.practitioner,
                values=form.values(),
                tiers=form.cleaned_data["tiers"],
            )
            messages.success(request, f"“{offering.name}” is ready, and clients can book it now.")
            return redirect("console:offerings")
        return _form_page(request, form, offering=None, status=400)
    return _form_page(request, OfferingForm(initial=new_offering_initial()), offering=None)


@practitioner_required
@require_http_methods(["GET", "POST"])
def offering_edit(request: HttpRequest, offering_id: int) -> HttpResponse:
    offering = _own_offering(request, offering_id)
    initial = initial_from(offering, refund_policy(offering))
    kind_fixed = services.has_bookings(offering)
    if request.method == "POST":
        form = OfferingForm(request.POST, initial=initial, kind_fixed=kind_fixed)
        if form.is_valid() and request.POST.get("preview"):
            return _form_page(request, form, offering=offering)
        if form.is_valid():
            try:
                services.update_offering(
                    offering=offering, values=form.values(), tiers=form.cleaned_data["tiers"]
                )
            except services.OfferingError as error:
                form.add_error("kind", str(error))
            else:
                messages.success(
                    request,
                    f"Saved “{form.cleaned_data['name']}”. Bookings already made keep their "
                    "time and what they paid.",
                )
                return redirect("console:offerings")
        return _form_page(request, form, offering=offering, status=400)
    form = OfferingForm(initial=initial, kind_fixed=kind_fixed)
    return _form_page(request, form, offering=offering)


@practitioner_required
@require_POST
def offering_move(request: HttpRequest, offering_id: int) -> HttpResponse:
    offering = _own_offering(request, offering_id)
    up = request.POST.get("direction") == "up"
    services.move_offering(offering=offering, up=up)
    messages.success(request, f"Moved “{offering.name}” {'up' if up else 'down'}.")
    return redirect("console:offerings")


@practitioner_required
@require_POST
def offering_pause(request: HttpRequest, offering_id: int) -> HttpResponse:
    offering = _own_offering(request, offering_id)
    paused = request.POST.get("paused") == "1"
    services.set_paused(offering=offering, paused=paused)
    if paused:
        messages.success(
            request,
            f"“{offering.name}” is paused: no one can book it now. Bookings already made stay "
            "as they are.",
        )
    else:
        messages.success(request, f"“{offering.name}” is bookable again.")
    return redirect("console:offerings")
