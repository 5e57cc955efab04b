"""Her clients: the list she searches, a page per client, the returning mark, erasing.

Thin views: the reads are ``console.clients``, the changes ``practice.services`` (the
returning mark) and ``practice.erasure`` (one transaction each). A client's key in the URL
is opaque (``console.clients.client_key``); an unknown key is a 404, as an erased client's.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from console import clients as selectors
from console.access import practitioner_required, sensitive
from console.client_forms import EraseForm, ReturningForm
from practice import erasure, services

SAVE = "we can save this"


def _email(request: HttpRequest, key: str) -> str:
    email = selectors.email_for_key(practitioner=request.practitioner, key=key)
    if email is None:
        raise Http404
    return email


@practitioner_required
def clients(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    everyone = selectors.all_clients(practitioner=request.practitioner, now=timezone.now())
    found = selectors.search(everyone, query)
    page = Paginator(found, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "console/clients.html",
        {"nav": "clients", "query": query, "page": page, "total": len(everyone)},
    )


def _client_page(request: HttpRequest, email: str, *, form=None, status=200) -> HttpResponse:
    client = selectors.client_page(
        practitioner=request.practitioner, email=email, now=timezone.now()
    )
    if form is None:
        form = ReturningForm(
            initial={
                "note": client.known.note if client.known and not client.marked_by_booking else ""
            }
        )
    return render(
        request,
        "console/client.html",
        {"nav": "clients", "client": client, "form": form, "error_goal": SAVE},
        status=status,
    )


@practitioner_required
def client(request: HttpRequest, key: str) -> HttpResponse:
    return _client_page(request, _email(request, key))


@practitioner_required
@require_POST
def mark_returning(request: HttpRequest, key: str) -> HttpResponse:
    email = _email(request, key)
    form = ReturningForm(request.POST)
    if not form.is_valid():
        return _client_page(request, email, form=form, status=400)
    services.mark_returning(email=email, note=form.cleaned_data["note"])
    messages.success(request, "Saved: they can book the sessions for returning clients.")
    return redirect("console:client", key=key)


@practitioner_required
@require_http_methods(["GET", "POST"])
def unmark_returning(request: HttpRequest, key: str) -> HttpResponse:
    email = _email(request, key)
    client = selectors.client_page(
        practitioner=request.practitioner, email=email, now=timezone.now()
    )
    if client.known is None:
        return redirect("console:client", key=key)
    if request.method == "POST":
        services.unmark_returning(email=email)
        messages.success(request, "The returning-client mark and its note are removed.")
        return redirect("console:client", key=key)
    return render(request, "console/client_unmark.html", {"nav": "clients", "client": client})


def _erase_page(request, email: str, form: EraseForm, *, status=200, refusal=""):
    now = timezone.now()
    plan = erasure.plan_erasure(practitioner=request.practitioner, email=email, now=now)
    client = selectors.client_page(practitioner=request.practitioner, email=email, now=now)
    return render(
        request,
        "console/client_erase.html",
        {
            "nav": "clients",
            "client": client,
            "plan": plan,
            "form": form,
            "refusal": refusal,
            "error_goal": "we can erase this client",
        },
        status=status,
    )


@sensitive
@require_http_methods(["GET", "POST"])
def erase_client(request: HttpRequest, key: str) -> HttpResponse:
    email = _email(request, key)
    if request.method == "GET":
        return _erase_page(request, email, EraseForm(email=email))
    form = EraseForm(request.POST, email=email)
    if not form.is_valid():
        return _erase_page(request, email, form, status=400)
    try:
        erasure.erase_client(
            practitioner=request.practitioner,
            email=email,
            actor_user=request.user,
            now=timezone.now(),
        )
    except erasure.ErasureRefused as refused:
        return _erase_page(request, email, form, status=409, refusal=refused.message)
    messages.success(
        request, "The client's details and answers are erased. Their payments are kept."
    )
    return redirect("console:clients")
