"""Manage-by-link: the pages a booking's private link opens (see, change, cancel, pay
back, receipt), and what an older link of the same booking leads to. Thin, like every view:
check the link, one service call, respond."""

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from booking import booking_changes, free_calls, links, reminder_choice, services
from booking.calendars import add_links, ics
from booking.forms import parse_instant
from booking.models import Booking
from booking.payments import hardship as payment_hardship
from booking.payments import refunds as payment_refunds
from booking.payments import selectors as payment_selectors
from booking.payments.models import HardshipRequest, Payment
from booking.video_rooms import video_link_for
from booking.views import refused_page, visitor_zone, week_context
from practice import ratelimits
from practice.views import too_many_requests

RESCHEDULES_PAUSED = (
    "We've had several changes from this connection in a short while, so we've paused "
    "changes for a little while. Your booking is as it was."
)


def _booking_by_id(public_id) -> Booking | None:
    return (
        Booking.objects.select_related("offering", "practitioner")
        .filter(public_id=public_id)
        .first()
    )


def by_link(view: Callable) -> Callable:
    """Open ``view`` with the booking a private link names, read once, when the link's token
    is the booking's current one. A link from an older email (the booking changed since)
    gets the page that offers to send the current one (410), or, once the booking is
    cancelled, the page that says so and offers to book again (410); anything else is a
    plain "no longer works" (404)."""

    @wraps(view)
    def wrapper(request: HttpRequest, public_id, token: str) -> HttpResponse:
        booking = _booking_by_id(public_id)
        if booking is not None and links.token_is_valid(booking, token):
            return view(request, booking)
        if booking is not None and links.was_valid_once(booking, token):
            if booking.status == Booking.Status.CANCELLED:
                # Cancelling voids the links sent before it; what they lead to now is
                # the news itself, not "nothing is wrong with your booking".
                context = {
                    "booking": booking,
                    "offering": booking.offering,
                    "zone_name": booking.client_timezone,
                }
                return render(request, "booking/cancelled.html", context, status=410)
            send_path = reverse(
                "booking:send_link", kwargs={"public_id": public_id, "token": token}
            )
            context = {"booking": booking, "send_path": send_path}
            return render(request, "booking/link_outdated.html", context, status=410)
        return render(request, "booking/link_invalid.html", status=404)

    return wrapper


def posted_or_back(view: Callable) -> Callable:
    """An action a button posts, opened some other way (a link pasted, a page reloaded,
    Back): back to the booking's page, which says where it stands (or, for an older link,
    offers the current one), never a blank 405. Only POST ever acts."""

    @wraps(view)
    def wrapper(request: HttpRequest, public_id, token: str) -> HttpResponse:
        if request.method != "POST":
            return redirect(
                reverse("booking:manage", kwargs={"public_id": public_id, "token": token})
            )
        return view(request, public_id=public_id, token=token)

    return wrapper


@posted_or_back
def send_link_page(request: HttpRequest, public_id, token: str) -> HttpResponse:
    """Email the current manage link to the address the booking was made with, asked for
    from an older link (free_calls.resend_manage_link: rate-limited per booking)."""
    booking = _booking_by_id(public_id)
    if booking is None or not links.was_valid_once(booking, token):
        return render(request, "booking/link_invalid.html", status=404)
    sent = free_calls.resend_manage_link(booking)
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
        "can_change": booking_changes.client_can_change(booking, now),
        "can_cancel": booking_changes.client_can_change(booking, now),
        "change_until": booking.start - booking.practitioner.manage_cutoff,
        "is_past": booking.end <= now,
        "manage_path": links.manage_path(booking),
        "payment": payment,
        "video_link": video_link_for(booking),
        "add_links": add_links.links(booking, reader=ics.CLIENT, zone=booking.client_timezone),
    } | _reminder_context(booking, now)
    if payment is not None and payment.is_captured:
        hardship = HardshipRequest.objects.filter(booking=booking).first()
        percent, _ = payment_refunds.cancellation_terms(booking, now=now)
        context |= {
            "can_cancel": payment_refunds.client_can_cancel(booking, now),
            "refund_percent": percent,
            "refund_amount": payment_refunds.refund_for(payment, percent),
            "policy_lines": payment_selectors.policy_lines(booking.offering),
            "hardship": hardship,
            "can_request_hardship": hardship is None
            and booking.status == Booking.Status.CONFIRMED
            and booking.start > now,
        }
    return context


def _reminder_context(booking: Booking, now) -> dict:
    """The client's reminder choice: each of the offering's reminders, ticked when kept,
    and in words those still ahead (booked three hours before: no 24-hour one)."""
    kept = reminder_choice.kept(booking)
    ahead = [hours for hours in kept if booking.start - timedelta(hours=hours) > now]
    return {
        "reminder_rows": [
            (hours, reminder_choice.hours_words(hours), hours in kept)
            for hours in reminder_choice.offered(booking)
        ],
        "reminders_ahead": reminder_choice.in_words(ahead),
    }


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
    return response


@require_http_methods(["GET", "POST"])
@by_link
def reschedule_page(request: HttpRequest, booking: Booking) -> HttpResponse:
    if not booking_changes.client_can_change(booking):
        return redirect(links.manage_path(booking))
    here = links.manage_path(booking) + "reschedule/"
    zone_name = visitor_zone(request, booking.client_timezone)
    start = parse_instant(request.POST.get("start") or request.GET.get("start") or "")
    if request.method == "POST" and start is not None:
        try:
            ip = ratelimits.client_ip(request)
            ratelimits.check("reschedule", ip=ip, email=booking.client_email)
        except ratelimits.Limited as limited:
            return too_many_requests(
                request,
                retry_after=limited.retry_after,
                message=RESCHEDULES_PAUSED,
                back_url=links.manage_path(booking),
                back_label="Back to your booking",
            )
        try:
            booking = booking_changes.reschedule(booking=booking, new_start=start)
        except services.SlotUnavailable as refusal:
            return refused_page(
                request,
                booking.offering,
                start=start,
                zone_name=zone_name,
                reason=refusal.reason,
                url=here,
                booking=booking,
            )
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
    context = week_context(
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
            booking = booking_changes.cancel(booking=booking, actor="client")
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


@posted_or_back
@by_link
def reminders_page(request: HttpRequest, booking: Booking) -> HttpResponse:
    """The client keeps some of the reminders, or none ("none" pressed, or nothing ticked)."""
    ticked = [] if request.POST.get("none") else request.POST.getlist("hours")
    booking = reminder_choice.choose(booking, [int(h) for h in ticked if h.isdigit()])
    kept = reminder_choice.in_words(reminder_choice.kept(booking))
    meeting = booking.offering.meeting_word
    messages.success(
        request,
        f"Saved: we'll email you a reminder {kept}."
        if kept
        else f"Saved: we won't email you reminders for this {meeting}.",
    )
    return redirect(links.manage_path(booking) + "#reminders")


@posted_or_back
@by_link
def hardship_page(request: HttpRequest, booking: Booking) -> HttpResponse:
    """The client asks for a one-time exception to the refund policy."""
    try:
        payment_hardship.request_hardship(booking=booking)
    except services.BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Your request is with {booking.practitioner.name}. You'll hear back by email, "
            "and nothing changes until then.",
        )
    return redirect(links.manage_path(booking))
