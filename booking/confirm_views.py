"""A free call held until its client confirms it from an email (its network had booked
several already): the "check your email" page after booking, and the page the emailed
link opens. Thin: check the link, one service call, respond."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from booking import free_calls, links, services
from booking.models import Booking
from booking.views import AWAITING_SESSION_KEY, bookable_offering_or_404
from practice import ratelimits

SEND_LINK = "send_link"  # the confirmed page's button: email me the current manage link


def check_email_page(request: HttpRequest, slug: str) -> HttpResponse:
    """What the booker sees: the time is kept, the link is in their inbox. The booking is
    the one this browser made (the session), shown by masked address only."""
    offering = bookable_offering_or_404(slug)
    booking = (
        Booking.objects.filter(
            public_id=request.session.get(AWAITING_SESSION_KEY), offering=offering
        ).first()
        if request.session.get(AWAITING_SESSION_KEY)
        else None
    )
    if booking is None:
        return redirect("booking:slots", slug=slug)
    context = {
        "offering": offering,
        "booking": booking,
        "address": links.masked_email(booking.client_email),
        "zone_name": booking.client_timezone,
    }
    return render(request, "booking/check_email.html", context)


@require_http_methods(["GET", "POST"])
def confirm_page(request: HttpRequest, public_id, token: str) -> HttpResponse:
    """GET shows the time and a button (mail scanners open links; only a person presses
    it); POST confirms and leads to the ordinary manage page.

    Once confirmed, the link says so and leads nowhere further: it never expires, while
    manage links are replaced at each change, so it must not become a lasting key to the
    booking. Its one action then emails the current manage link to the booking's address
    (free_calls.resend_manage_link), as an older manage link's page offers."""
    booking = (
        Booking.objects.select_related("offering", "practitioner")
        .filter(public_id=public_id)
        .first()
    )
    if booking is None or not links.confirm_token_is_valid(booking, token):
        return render(request, "booking/link_invalid.html", status=404)
    context = {
        "booking": booking,
        "offering": booking.offering,
        "zone_name": booking.client_timezone,
    }
    if booking.status == Booking.Status.CONFIRMED:
        if request.method == "POST" and SEND_LINK in request.POST:
            sent = free_calls.resend_manage_link(booking)
            address = links.masked_email(booking.client_email)
            context |= {"address": address, "sent": sent}
            return render(request, "booking/link_sent.html", context)
        return render(request, "booking/confirm.html", context | {"confirmed": True})
    if request.method == "POST":
        try:
            booking = free_calls.confirm_free_call(booking=booking)
        except services.ChangeNotAllowed as error:
            context["lapsed"] = error.message
            return render(request, "booking/confirm.html", context, status=409)
        request.session.pop(AWAITING_SESSION_KEY, None)
        ratelimits.release_awaiting(booking.public_id)
        return redirect(links.manage_path(booking) + "?booked=1")
    if not free_calls.free_call_awaits_confirmation(booking):
        context["lapsed"] = free_calls.CONFIRMATION_LAPSED
        return render(request, "booking/confirm.html", context, status=410)
    return render(request, "booking/confirm.html", context)
