"""Public booking pages and manage-by-link. Thin: parse, check access, one service call."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from booking import links, selectors, services
from booking.calendars import ics
from booking.forms import (
    BookingDetailsForm,
    CouplesDetailsForm,
    PaidDetailsForm,
    TimezoneForm,
    parse_instant,
)
from booking.models import Booking
from booking.payments import selectors as payment_selectors
from booking.payments import services as payment_services
from booking.payments.models import HardshipRequest, Payment
from practice import selectors as practice_selectors
from practice.models import Offering
from practice.timezones import canonical_timezone

TZ_COOKIE = "tz"
DEVICE_TZ_COOKIE = "tz_device"  # the zone the browser reports, set by the week's script
WEEK_DAYS = 7


def _visitor_zone(request: HttpRequest, fallback: str) -> str:
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


def _week_context(
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
    if not any(slots for _, slots in days):
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
        "next_free_week": week_link(next_free.start.astimezone(zone).date())
        if next_free
        else None,
        "tz_explicit": bool(request.GET.get("tz") or request.COOKIES.get(TZ_COOKIE)),
    }


def _bookable_offering(slug: str) -> Offering:
    if (offering := selectors.bookable_offering(slug)) is None:
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
    offering = _bookable_offering(slug)
    refusal = _not_for_this_visitor(request, offering, back_to=request.get_full_path())
    if refusal is not None:
        return refusal
    zone_name = _visitor_zone(request, offering.practitioner.timezone)
    context = _week_context(
        request,
        offering=offering,
        zone_name=zone_name,
        slot_url=reverse("booking:details", kwargs={"slug": slug}),
    )
    return _remember_zone(request, render(request, "booking/slots.html", context), zone_name)


def _taken(request: HttpRequest, offering: Offering, start: datetime, zone_name: str, url: str):
    """The friendly page for a slot that went between viewing and submitting."""
    nearest = selectors.nearest_slots(offering=offering, around=start, now=timezone.now())
    context = {
        "offering": offering,
        "zone_name": zone_name,
        "wanted": start,
        "nearest": nearest,
        "slot_url": url,
    }
    return render(request, "booking/taken.html", context, status=409)


@require_http_methods(["GET", "POST"])
def details_page(request: HttpRequest, slug: str) -> HttpResponse:
    offering = _bookable_offering(slug)
    refusal = _not_for_this_visitor(
        request, offering, back_to=reverse("booking:slots", kwargs={"slug": slug})
    )
    if refusal is not None:
        return refusal
    if not offering.is_free:
        return _paid_details_page(request, offering)

    def book(data: dict) -> str:
        booking = services.book_assessment(
            offering=offering,
            start=data["start"],
            client_name=data["name"],
            client_email=data["email"],
            client_timezone=data["timezone"],
            note=data["note"],
        )
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
        held = payment_services.hold_for_payment(
            offering=offering,
            start=data["start"],
            client_user=request.user,
            client_name=data["name"],
            client_email=request.user.email,
            client_timezone=data["timezone"],
            partner_name=data.get("partner_name", ""),
            partner_email=data.get("partner_email", ""),
        )
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
        initial={"name": request.user.get_full_name() or _last_name_used(request.user)},
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
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                return redirect(book(data))
            except services.SlotUnavailable:
                return _taken(request, offering, data["start"], data["timezone"], here)
            except services.AlreadyBooked as refusal:
                address = links.masked_email(refusal.booking.client_email)
                context = {"offering": offering, "address": address, "refusal": refusal}
                return render(request, "booking/already_booked.html", context, status=409)
            except services.BookingError as error:
                form.add_error(None, error.message)
        start = form.cleaned_data.get("start") or parse_instant(request.POST.get("start", ""))
        zone_name = form.cleaned_data.get("timezone") or offering.practitioner.timezone
    else:
        zone_name = _visitor_zone(request, offering.practitioner.timezone)
        start = parse_instant(request.GET.get("start", ""))
        form = form_class(
            initial={"start": request.GET.get("start"), "timezone": zone_name} | (initial or {})
        )
    if start is None:
        return redirect(reverse("booking:slots", kwargs={"slug": offering.slug}))
    if request.method == "GET" and not selectors.is_bookable(
        offering=offering, start=start, now=timezone.now()
    ):
        return _taken(request, offering, start, zone_name, here)
    page = {
        "offering": offering,
        "form": form,
        "start": start,
        "end": start + offering.duration,
        "zone_name": zone_name,
    }
    return render(request, template, page | (context or {}))


def _last_name_used(user) -> str:
    latest = Booking.objects.filter(client=user).order_by("-created_at").first()
    return latest.client_name if latest else ""


def _booking_by_id(public_id) -> Booking | None:
    return (
        Booking.objects.select_related("offering", "practitioner")
        .filter(public_id=public_id)
        .first()
    )


def by_link(view: Callable) -> Callable:
    """Open ``view`` with the booking a private link names, read once, when the link's token
    is the booking's current one. A link from an older email (the booking changed since)
    gets the page that offers to send the current one (410); anything else is a plain
    "no longer works" (404)."""

    @wraps(view)
    def wrapper(request: HttpRequest, public_id, token: str) -> HttpResponse:
        booking = _booking_by_id(public_id)
        if booking is not None and links.token_is_valid(booking, token):
            return view(request, booking)
        if booking is not None and links.was_valid_once(booking, token):
            send_path = reverse(
                "booking:send_link", kwargs={"public_id": public_id, "token": token}
            )
            context = {"booking": booking, "send_path": send_path}
            return render(request, "booking/link_outdated.html", context, status=410)
        return render(request, "booking/link_invalid.html", status=404)

    return wrapper


@require_http_methods(["POST"])
def send_link_page(request: HttpRequest, public_id, token: str) -> HttpResponse:
    """Email the current manage link to the address the booking was made with, asked for
    from an older link (services.resend_manage_link: rate-limited per booking)."""
    booking = _booking_by_id(public_id)
    if booking is None or not links.was_valid_once(booking, token):
        return render(request, "booking/link_invalid.html", status=404)
    sent = services.resend_manage_link(booking)
    address = links.masked_email(booking.client_email)
    context = {"booking": booking, "address": address, "sent": sent}
    return render(request, "booking/link_sent.html", context)


def _manage_context(booking: Booking) -> dict:
    now = timezone.now()
    payment = Payment.objects.filter(booking=booking).first()
    context = {
        "booking": booking,
        "offering": booking.offering,
        "zone_name": booking.client_timezone,
        "can_change": services.client_can_change(booking, now),
        "can_cancel": services.client_can_change(booking, now),
        "change_until": booking.start - booking.practitioner.manage_cutoff,
        "is_past": booking.end <= now,
        "manage_path": links.manage_path(booking),
        "payment": payment,
    }
    if payment is not None and payment.is_captured:
        hardship = HardshipRequest.objects.filter(booking=booking).first()
        percent, _ = payment_services.cancellation_terms(booking, now=now)
        context |= {
            "can_cancel": payment_services.client_can_cancel(booking, now),
            "refund_percent": percent,
            "refund_amount": payment_services.refund_for(payment, percent),
            "policy_lines": payment_selectors.policy_lines(booking.offering),
            "hardship": hardship,
            "can_request_hardship": hardship is None
            and booking.status == Booking.Status.CONFIRMED
            and booking.start > now,
        }
    return context


@by_link
def manage_page(request: HttpRequest, booking: Booking) -> HttpResponse:
    context = _manage_context(booking) | {"just_booked": request.GET.get("booked") == "1"}
    return render(request, "booking/manage.html", context)


@by_link
def invite_file(request: HttpRequest, booking: Booking) -> HttpResponse:
    """The client's copy of the invite, for "Add to calendar" on the manage page."""
    response = HttpResponse(ics.booking_file(booking), content_type="text/calendar; charset=utf-8")
    filename = f"{booking.offering.meeting_word}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@by_link
def reschedule_page(request: HttpRequest, booking: Booking) -> HttpResponse:
    if not services.client_can_change(booking):
        return redirect(links.manage_path(booking))
    here = links.manage_path(booking) + "reschedule/"
    zone_name = _visitor_zone(request, booking.client_timezone)
    start = parse_instant(request.POST.get("start") or request.GET.get("start") or "")
    if request.method == "POST" and start is not None:
        try:
            booking = services.reschedule(booking=booking, new_start=start)
        except services.SlotUnavailable:
            return _taken(request, booking.offering, start, zone_name, here)
        except services.ChangeNotAllowed as error:
            messages.error(request, error.message)
            return redirect(links.manage_path(booking))
        messages.success(
            request,
            f"Your {booking.offering.meeting_word} has a new time. We've emailed you the update.",
        )
        return redirect(links.manage_path(booking))
    if start is not None:
        context = _manage_context(booking) | {
            "new_start": start,
            "new_end": start + booking.offering.duration,
            "zone_name": zone_name,
        }
        return render(request, "booking/reschedule_confirm.html", context)
    context = _week_context(
        request, offering=booking.offering, zone_name=zone_name, slot_url=here, booking=booking
    ) | {"booking": booking, "manage_path": links.manage_path(booking)}
    return render(request, "booking/slots.html", context)


@require_http_methods(["GET", "POST"])
@by_link
def cancel_page(request: HttpRequest, booking: Booking) -> HttpResponse:
    context = _manage_context(booking)
    if not context["can_cancel"]:
        return redirect(links.manage_path(booking))
    if request.method == "POST":
        try:
            booking = services.cancel(booking=booking, actor="client")
        except services.ChangeNotAllowed as error:
            messages.error(request, error.message)
        else:
            done = f"Your {booking.offering.meeting_word} is cancelled."
            messages.success(request, f"{done} We've emailed you to confirm.")
        return redirect(links.manage_path(booking))
    return render(request, "booking/cancel_confirm.html", context)


@by_link
def receipt_page(request: HttpRequest, booking: Booking) -> HttpResponse:
    """A printable receipt for a paid booking: what was paid, when, and what came back."""
    payment = Payment.objects.filter(booking=booking).first()
    if payment is None or not payment.is_captured:
        raise Http404("This booking has no payment, so there is no receipt.")
    context = {
        "booking": booking,
        "payment": payment,
        "refunds": payment.refunds.order_by("created_at"),
        "zone_name": booking.client_timezone,
        "manage_path": links.manage_path(booking),
    }
    return render(request, "booking/receipt.html", context)


@require_http_methods(["POST"])
@by_link
def hardship_page(request: HttpRequest, booking: Booking) -> HttpResponse:
    """The client asks for a one-time exception to the refund policy."""
    try:
        payment_services.request_hardship(booking=booking)
    except services.BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Your request is with {booking.practitioner.name}. You'll hear back by email, "
            "and nothing changes until then.",
        )
    return redirect(links.manage_path(booking))
