"""Book for a client: who, what, when, how it is paid, a review that says what happens next,
then Book.

One URL, one step at a time: each step posts its answers with every earlier step's as
hidden fields, and the view checks every step again up to the one sent, so what is booked
is always what the review showed. ``?client=<email>`` (from a client's page) fills in who,
``?offering=<slug>&start=<iso>`` (from a time in the week) what and when. Thin: the forms
check, console.book_for.book_for_client books.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from booking import selectors
from booking.emails.compose import format_moment, format_span_in_two_zones
from booking.forms import parse_instant
from booking.payments import payment_links
from booking.payments.policy import format_money
from booking.services import BookingError, SlotUnavailable
from console import book_for, clients
from console import book_for_forms as steps
from console.access import practitioner_required
from console.night import night_note
from intake import questionnaires
from practice.models import Offering
from practice.validators import usable_text

STEPS = ("who", "what", "when", "pay", "review")
FIELDS = {
    "who": ("name", "email", "tz"),
    "what": ("offering",),
    "when": ("slot", "at", "outside_ok", "partner_name", "partner_email", "partner_timezone"),
    "pay": ("paid_by",),
}
TITLES = {
    "who": "Who is it for?",
    "what": "What would you like to book?",
    "when": "When?",
    "pay": "How is it paid?",
    "review": "Check and book",
}
WEEK_DAYS = 7
BOOKED = "Booked: {name}'s {meeting} on {when}. {next}"


@practitioner_required
@require_http_methods(["GET", "POST"])
def book_for_client(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    if request.method == "GET":
        return _render(request, "who", _answers_from_query(request), now=now)
    data = request.POST
    if data.get("back") in STEPS:
        return _render(request, data["back"], data, now=now)
    if data.get("week"):  # another week of times
        return _render(request, "when", data, now=now)
    sent = data.get("step") if data.get("step") in STEPS else "who"
    forms = {}
    for step in _steps(data, request, now):
        forms[step] = form = _form(step, request, data, forms, now=now, bound=True)
        if form is not None and not form.is_valid():
            return _render(request, step, data, now=now, forms=forms)
        if step == sent:
            break
    if sent != "review":
        following = _steps(data, request, now)
        return _render(request, following[following.index(sent) + 1], data, now=now, forms=forms)
    return _book(request, data, forms, now=now)


def _book(request: HttpRequest, data: QueryDict, forms: dict, *, now) -> HttpResponse:
    who, what, when = forms["who"].cleaned_data, forms["what"].cleaned_data, forms["when"]
    offering = what["offering"]
    paid_by = forms["pay"].cleaned_data["paid_by"] if "pay" in forms else book_for.HowPaid.FREE
    try:
        booking = book_for.book_for_client(
            offering=offering,
            start=when.cleaned_data["start"],
            client=book_for.Client(
                name=who["name"],
                email=who["email"],
                timezone=who["tz"],
                partner_name=when.cleaned_data.get("partner_name", ""),
                partner_email=when.cleaned_data.get("partner_email", ""),
                partner_timezone=when.cleaned_data.get("partner_timezone", ""),
            ),
            payment=book_for.HowPaid(paid_by),
            outside_open_times=when.cleaned_data["outside_open_times"],
            actor_user=request.user,
            now=now,
        )
    except SlotUnavailable as refusal:
        forms["when"].add_error(None, refusal.message)
        return _render(request, "when", data, now=now, forms=forms)
    except BookingError as error:
        return _render(request, "review", data, now=now, forms=forms, error=error.message)
    zone = request.practitioner.timezone
    messages.success(
        request,
        BOOKED.format(
            name=booking.client_name,
            meeting=offering.meeting_word,
            when=format_moment(booking.start, zone),
            next=_what_happens(offering, paid_by, who["name"], now=now, start=booking.start)[0],
        ),
    )
    return redirect("console:booking", public_id=booking.public_id)


def _answers_from_query(request: HttpRequest) -> QueryDict:
    """What the links into this page fill in: a known client (by the key of their page in
    the console, never their address), an offering and a time."""
    answers = QueryDict(mutable=True)
    key = usable_text(request.GET.get("client", ""))
    email = key and clients.email_for_key(practitioner=request.practitioner, key=key)
    now = timezone.now()
    if email and (
        person := clients.one_client(practitioner=request.practitioner, email=email, now=now)
    ):
        answers.update({"email": person.email, "name": person.name, "tz": person.timezone})
    if slug := request.GET.get("offering", ""):
        answers["offering"] = slug
    if start := parse_instant(request.GET.get("start", "")):
        answers["slot"] = start.isoformat()
    return answers


def _offering(request: HttpRequest, data) -> Offering | None:
    return Offering.objects.filter(
        practitioner=request.practitioner, is_active=True, slug=data.get("offering") or ""
    ).first()


def _steps(data, request: HttpRequest, now) -> list[str]:
    """The steps for these answers: a free offering has nothing to pay."""
    offering = _offering(request, data)
    return [s for s in STEPS if not (s == "pay" and offering is not None and offering.is_free)]


def _form(step: str, request: HttpRequest, data, forms: dict, *, now, bound: bool):
    """The form of ``step``, bound to ``data`` or showing it as its starting values."""
    args = {"data": data} if bound else {"initial": _initial(step, data)}
    practitioner = request.practitioner
    if step == "who":
        return steps.WhoForm(**args, practitioner=practitioner, now=now)
    if step == "what":
        return steps.WhatForm(**args, practitioner=practitioner)
    if step == "when":
        offering = _offering(request, data)
        if offering is None:
            return None
        who = forms.get("who")
        email = who.cleaned_data["email"] if who and who.is_bound else data.get("email", "")
        zone = who.cleaned_data["tz"] if who and who.is_bound else data.get("tz", "")
        return steps.WhenForm(
            **args, offering=offering, client_email=email, client_zone=zone or "UTC", now=now
        )
    if step == "pay":
        return steps.PayForm(**args)
    return None


def _initial(step: str, data) -> dict:
    return {name: data.get(name) for name in FIELDS.get(step, ()) if data.get(name)}


def _carried(data, step: str) -> list[tuple[str, str]]:
    """Every other step's answers, to send on as hidden fields."""
    own = FIELDS.get(step, ())
    return [
        (name, data.get(name))
        for fields in FIELDS.values()
        for name in fields
        if name not in own and data.get(name)
    ]


def _render(request, step: str, data, *, now, forms=None, error: str = "") -> HttpResponse:
    forms = dict(forms or {})
    practitioner = request.practitioner
    if step != "who" and _offering(request, data) is None and step != "what":
        step = "what"  # an offering that is gone or was never chosen: ask for it
    form = forms.get(step) or _form(step, request, data, forms, now=now, bound=False)
    order = _steps(data, request, now)
    context = {
        "nav": "",
        "step": step,
        "title": TITLES[step],
        "steps": [(s, TITLES[s]) for s in order],
        "number": order.index(step) + 1,
        "form": form,
        "carried": _carried(data, step),
        "answers": data,
        "error": error,
        "zone": practitioner.timezone,
        "client_name": data.get("name", ""),
        "client_zone": data.get("tz") or practitioner.timezone,
    }
    if step == "who":
        query = request.GET.get("q", "").strip()
        context["query"] = query
        context["people"] = clients.find_clients(
            practitioner=practitioner, query=query[:100], now=now
        )
        keep = {k: request.GET[k] for k in ("offering", "start") if request.GET.get(k)}
        context["keep_query"] = urlencode(keep)
    offering = _offering(request, data)
    context["offering"] = offering
    if step == "when" and offering is not None:
        context.update(_week(request, data, offering, form, now=now))
    if step == "review":
        context.update(_review(request, data, offering, now=now))
    return render(request, "console/book_for.html", context)


def _week(request, data, offering: Offering, form, *, now) -> dict:
    zone = request.practitioner.zone
    chosen = parse_instant(data.get("slot", ""))
    first = steps.week_start(data.get("week", ""), zone=zone, now=now, around=chosen)
    days = selectors.slots_by_day(
        offering=offering, zone=zone, first_day=first, days=WEEK_DAYS, now=now
    )
    today = now.astimezone(zone).date()
    return {
        "days": days,
        "chosen_slot": chosen,
        "earlier": (first - steps.WEEK).isoformat() if first > today else "",
        "later": (first + steps.WEEK).isoformat(),
        "zones_differ": data.get("tz", "") not in ("", request.practitioner.timezone),
    }


def _review(request, data, offering: Offering, *, now) -> dict:
    """What the review shows: the answers in words, and what happens once she books."""
    practitioner = request.practitioner
    when = steps.WhenForm(
        data=data,
        offering=offering,
        client_email=data.get("email", ""),
        client_zone=data.get("tz", ""),
        now=now,
    )
    start = when.cleaned_data["start"] if when.is_valid() else None
    paid_by = data.get("paid_by") if not offering.is_free else book_for.HowPaid.FREE
    review = {
        "start": start,
        "paid_by": paid_by,
        "outside": when.is_valid() and (when.cleaned_data["outside_open_times"]),
    }
    if start is not None:
        end = start + offering.duration
        review["when_hers"] = format_span_in_two_zones(
            start, end, practitioner.timezone, data.get("tz", practitioner.timezone)
        )
        name = data.get("name", "")
        review["night"] = night_note(start, data.get("tz", "") or practitioner.timezone, name)
        review["happens"] = _what_happens(offering, paid_by, name, now=now, start=start)
    if not offering.is_free:
        review["price"] = format_money(offering.price, offering.currency.upper())
    return {"review": review}


def _what_happens(offering: Offering, paid_by: str, name: str, *, now, start) -> list[str]:
    """Exactly what follows the Book button, in her words."""
    first = name.split()[0] if name.split() else "The client"
    meeting = offering.meeting_word
    has_questions = questionnaires.for_offering_kind(offering.kind) is not None
    questions = f", and the questions before the {meeting}" if has_questions else ""
    if paid_by == book_for.HowPaid.LINK:
        try:
            until = payment_links.link_hold_until(start=start, now=now)
        except BookingError as error:
            return [error.message]
        return [
            f"{first} gets an email with a link to pay "
            f"{format_money(offering.price, offering.currency.upper())}. The time is held "
            f"for them until {format_moment(until, offering.practitioner.timezone)}.",
            f"Once they pay, {first} gets a confirmation email with a calendar invite and a "
            f"link to manage the booking{questions}.",
            "If they have not paid by then, the time is freed again; the booking's history "
            "says so.",
        ]
    lines = [
        f"{first} gets a confirmation email with a calendar invite and a link to manage the "
        f"booking{questions}."
    ]
    if paid_by == book_for.HowPaid.OUTSIDE:
        lines.append(
            "The payment is recorded as paid outside the system. If it is ever refunded, "
            "nothing goes through Stripe: you give it back yourself."
        )
    elif paid_by == book_for.HowPaid.NO_CHARGE:
        lines.append(f"Nothing is charged: {first} is not asked to pay.")
    return lines
