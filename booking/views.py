"""Public booking pages: the week of slots, the details form, and a refused time's page.
Thin: parse, check access, one service call. Manage-by-link is booking.manage_views."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from booking import carried, limited, links, refusals, selectors, services
from booking.forms import (
    BookingDetailsForm,
    CouplesDetailsForm,
    PaidDetailsForm,
    TimezoneForm,
    parse_instant,
)
from booking.models import Booking
from booking.payments import selectors as payment_selectors
from practice import ratelimits
from practice import selectors as practice_selectors
from practice.models import Offering
from practice.timezones import canonical_timezone
from practice.views import too_many_requests

TZ_COOKIE = "tz"
DEVICE_TZ_COOKIE = "tz_device"  # the zone the browser reports, set by the week's script
WEEK_DAYS = 7
AWAITING_SESSION_KEY = "booking_awaiting_confirmation"  # the held call "check your email" names
BOOKING_PAUSED = (
    "We've had several bookings from this connection or this email address in a short "
    "time, so we've paused new ones for a little while to keep times open for everyone."
)
AWAITING_ON_THIS_NETWORK = (
    "Some bookings made from this connection are still waiting to be confirmed from their "
    "emails, and each keeps a time from others, so we can't hold another one just yet."
)
CONFIRM_THOSE_FIRST = (
    "Please confirm the bookings waiting in your email first, or try again in {wait}."
)


def visitor_zone(request: HttpRequest, fallback: str) -> str:
    """The zone asked for in the query, else the remembered one, else ``fallback``."""
    for candidate in (request.GET.get("tz"), request.COOKIES.get(TZ_COOKIE)):
        zone = canonical_timezone(candidate or "")
        if zone:
            return zone
    return fallback


def _remember_zone(request: HttpRequest, response: HttpResponse, zone: str) -> HttpResponse:
    if canonical_timezone(request.GET.get("tz", "")) == zone:
        response.set_cookie(TZ_COOKIE, zone, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def _first_day(request: HttpRequest, zone: ZoneInfo, now: datetime) -> date:
    today = now.astimezone(zone).date()
    try:
        asked = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        return today
    return max(asked, today)


def week_context(
    request: HttpRequest,
    *,
    offering: Offering,
    zone_name: str,
    slot_url: str,
    booking: Booking | None = None,
) -> dict:
    """Everything a week of slots needs, shared by booking and rescheduling."""
    now = timezone.now()
    zone = ZoneInfo(zone_name)
    first_day = _first_day(request, zone, now)
    days = selectors.slots_by_day(
        offering=offering,
        zone=zone,
        first_day=first_day,
        days=WEEK_DAYS,
        now=now,
        exclude=booking,
    )
    today = now.astimezone(zone).date()
    last_day = (now + timedelta(days=offering.horizon_days)).astimezone(zone).date()
    next_free = None
    if not any(day.slots for day in days):
        next_free = selectors.first_available(offering=offering, now=now, exclude=booking)

    def week_link(day: date) -> str:
        return "?" + urlencode({"tz": zone_name, "week": day.isoformat()})

    return {
        "offering": offering,
        "zone_name": zone_name,
        "zone_form": TimezoneForm(
            initial={"tz": zone_name},
            now=now,
            device_zone=request.COOKIES.get(DEVICE_TZ_COOKIE, ""),
            first=(zone_name, offering.practitioner.timezone),
        ),
        "days": days,
        "slot_url": slot_url,
        "previous_week": week_link(first_day - timedelta(days=WEEK_DAYS))
        if first_day > today
        else None,
        "next_week": week_link(first_day + timedelta(days=WEEK_DAYS))
        if first_day + timedelta(days=WEEK_DAYS) <= last_day
        else None,
        "next_free": next_free,
        # The week reaches past the last bookable day: say when booking opens further.
        "last_day": last_day,
        "past_horizon": first_day + timedelta(days=WEEK_DAYS - 1) > last_day,
        "next_free_week": week_link(next_free.start.astimezone(zone).date())
        if next_free
        else None,
        "tz_explicit": bool(request.GET.get("tz") or request.COOKIES.get(TZ_COOKIE)),
        # A zone asked for but empty or unknown: the week is in another zone than the
        # visitor meant, which the page must say rather than let them book the wrong hour.
        "zone_fell_back": "tz" in request.GET
        and canonical_timezone(request.GET["tz"]) != zone_name,
    }


def bookable_offering_or_404(slug: str, *, to_read: bool = False) -> Offering:
    """The offering, or 404. ``to_read``: a page that only shows it and its slots, whose
    offering may be shared with other reads (booking.selectors.offering_to_read)."""
    find = selectors.offering_to_read if to_read else selectors.bookable_offering
    if (offering := find(slug)) is None:
        raise Http404("There is no offering by this name that can be booked at the moment.")
    return offering


def _not_for_this_visitor(
    request: HttpRequest, offering: Offering, *, back_to: str
) -> HttpResponse | None:
    """The kind refusal for an offering meant for returning clients, or None if this
    visitor may go on: a sign-in button (back to ``back_to``) for visitors, the free call
    for everyone not known yet."""
    if not offering.returning_clients_only or practice_selectors.is_returning_client(request.user):
        return None
    sign_in_url = reverse("account_request_login_code") + "?" + urlencode({"next": back_to})
    context = {"offering": offering, "sign_in_url": sign_in_url}
    return render(request, "booking/returning_only.html", context)


def slots_page(request: HttpRequest, slug: str) -> HttpResponse:
    offering = bookable_offering_or_404(slug, to_read=True)
    refusal = _not_for_this_visitor(request, offering, back_to=request.get_full_path())
    if refusal is not None:
        return refusal
    zone_name = visitor_zone(request, offering.practitioner.timezone)
    context = week_context(
        request,
        offering=offering,
        zone_name=zone_name,
        slot_url=reverse("booking:details", kwargs={"slug": slug}),
    )
    return _remember_zone(request, render(request, "booking/slots.html", context), zone_name)


def refused_page(
    request: HttpRequest,
    offering: Offering,
    *,
    start: datetime,
    zone_name: str,
    reason: refusals.Unbookable,
    url: str,
    typed: dict | None = None,
    booking: Booking | None = None,
) -> HttpResponse:
    """The page for a time that cannot be booked, saying the real reason, with the nearest
    free times. ``typed`` (what the client filled in) rides along in each offered time's
    form, so that picking one loses nothing; it is posted, never put in a URL. For "See all
    open times" it waits in the session (booking.carried)."""
    now = timezone.now()
    typed = carried.carried(typed)
    carried.keep(request, offering, typed, now=now)
    context = {
        "offering": offering,
        "zone_name": zone_name,
        "title": refusals.WORDINGS[reason].title,
        "message": refusals.refusal_message(
            reason,
            offering=offering,
            start=start,
            zone_name=zone_name,
            now=now,
            exclude=booking,
        ),
        "nearest": selectors.nearest_slots(offering=offering, around=start, now=now),
        "slot_url": url,
        "typed": typed,
        "booking": booking,
    }
    email = request.user.email if request.user.is_authenticated else ""
    hold = None
    if reason == refusals.Unbookable.OWN_HOLD:
        hold = refusals.own_hold(offering=offering, start=start, now=now, client_email=email)
    if hold is not None:
        kwargs = {"public_id": hold.public_id, "token": links.manage_token(hold)}
        context |= {
            "hold": hold,
            "resume_url": reverse("payments:checkout_resume", kwargs=kwargs),
            "release_url": reverse("payments:checkout_cancel", kwargs=kwargs),
        }
    status = refusals.http_status(reason)
    return render(request, "booking/taken.html", context, status=status)


def paused_page(
    request: HttpRequest, offering: Offering, *, data: dict, limited: ratelimits.Limited
) -> HttpResponse:
    """Over a booking limit (practice.ratelimits): 429, how long to wait, and what was
    typed kept for the details page of the same time (booking.carried). Too many calls
    from this network awaiting confirmation says so, and that confirming them helps."""
    carried.keep(request, offering, data, now=timezone.now())
    query = urlencode({"start": data["start"].isoformat(), "tz": data["timezone"]})
    awaiting = isinstance(limited, ratelimits.AwaitingConfirmation)
    return too_many_requests(
        request,
        retry_after=limited.retry_after,
        message=AWAITING_ON_THIS_NETWORK if awaiting else BOOKING_PAUSED,
        try_again=CONFIRM_THOSE_FIRST if awaiting else "",
        back_url=reverse("booking:details", kwargs={"slug": offering.slug}) + "?" + query,
        back_label="Back to your details",
        kept=True,
    )


@require_http_methods(["GET", "POST"])
def details_page(request: HttpRequest, slug: str) -> HttpResponse:
    offering = bookable_offering_or_404(slug)
    refusal = _not_for_this_visitor(
        request, offering, back_to=reverse("booking:slots", kwargs={"slug": slug})
    )
    if refusal is not None:
        return refusal
    if not offering.is_free:
        return _paid_details_page(request, offering)

    def book(data: dict) -> str:
        booking = limited.book_free_call(request, offering, data)
        if booking.status == Booking.Status.HELD:
            request.session[AWAITING_SESSION_KEY] = str(booking.public_id)
            return reverse("booking:check_email", kwargs={"slug": offering.slug})
        return links.manage_path(booking) + "?booked=1"

    return _details_flow(
        request,
        offering,
        form_class=BookingDetailsForm,
        book=book,
        template="booking/details.html",
    )


def _paid_details_page(request: HttpRequest, offering: Offering) -> HttpResponse:
    """Confirm the time and the terms, then hold the slot and go to Stripe Checkout."""
    if not request.user.is_authenticated:
        slots_url = reverse("booking:slots", kwargs={"slug": offering.slug})
        next_url = slots_url if request.method == "POST" else request.get_full_path()
        return redirect(
            reverse("account_request_login_code") + "?" + urlencode({"next": next_url})
        )

    def hold(data: dict) -> str:
        held = limited.hold_paid_session(request, offering, data)
        return held.checkout_url

    form_class = PaidDetailsForm
    if offering.kind == Offering.Kind.COUPLES_SESSION:
        form_class = CouplesDetailsForm.for_client(request.user.email)
    return _details_flow(
        request,
        offering,
        form_class=form_class,
        book=hold,
        template="booking/pay.html",
        initial={"name": request.user.get_full_name() or selectors.name_used_by(request.user)},
        context={"policy_lines": payment_selectors.policy_lines(offering)},
    )


def _details_flow(
    request: HttpRequest,
    offering: Offering,
    *,
    form_class: type[BookingDetailsForm],
    book: Callable[[dict], str],
    template: str,
    initial: dict | None = None,
    context: dict | None = None,
) -> HttpResponse:
    """The step after picking a slot, free or paid: show the time and a short form; on a
    valid POST, ``book`` returns where to go next (confirmation, or Stripe Checkout)."""
    here = reverse("booking:details", kwargs={"slug": offering.slug})
    from_refusal = request.method == "POST" and "carry" in request.POST
    if request.method == "POST" and not from_refusal:
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                next_url = book(data)
                carried.forget(request)
                return redirect(next_url)
            except ratelimits.Limited as over:
                return paused_page(request, offering, data=data, limited=over)
            except services.SlotUnavailable as refusal:
                return refused_page(
                    request,
                    offering,
                    start=data["start"],
                    zone_name=data["timezone"],
                    reason=refusal.reason,
                    url=here,
                    typed=data,
                )
            except services.AlreadyBooked as refusal:
                address = links.masked_email(refusal.booking.client_email)
                context = {"offering": offering, "address": address, "refusal": refusal}
                return render(request, "booking/already_booked.html", context, status=409)
            except services.BookingError as error:
                form.add_error(None, error.message)
        start = form.cleaned_data.get("start") or parse_instant(request.POST.get("start", ""))
        zone_name = form.cleaned_data.get("timezone") or offering.practitioner.timezone
    else:
        # A new time picked from a refusal page comes posted with what was typed before.
        query = request.POST if from_refusal else request.GET
        zone_name = visitor_zone(request, offering.practitioner.timezone)
        if from_refusal:
            zone_name = canonical_timezone(query.get("tz", "")) or zone_name
        start = parse_instant(query.get("start", ""))
        # Posted along from an offered time, or kept from "See all open times".
        typed = (
            {key: query[key] for key in carried.CARRIED_FIELDS if query.get(key)}
            if from_refusal
            else carried.kept(request, offering)
        )
        form = form_class(
            initial={"start": query.get("start"), "timezone": zone_name} | (initial or {}) | typed
        )
    if start is None:
        return redirect(reverse("booking:slots", kwargs={"slug": offering.slug}))
    if request.method == "GET" or from_refusal:
        email = request.user.email if request.user.is_authenticated else ""
        reason = refusals.unbookable_reason(
            offering=offering, start=start, now=timezone.now(), client_email=email
        )
        if reason is not None:
            return refused_page(
                request,
                offering,
                start=start,
                zone_name=zone_name,
                reason=reason,
                url=here,
                typed=form.initial,
            )
    page = {
        "offering": offering,
        "form": form,
        "start": start,
        "end": start + offering.duration,
        "zone_name": zone_name,
    }
    return render(request, template, page | (context or {}))
