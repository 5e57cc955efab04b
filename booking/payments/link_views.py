"""The page behind a payment link: the client follows it from the email the practitioner's
booking sent, and is taken to Stripe Checkout for that booking only.

Thin: the signed token (payment_links.pay_token) is checked, one service call opens or
resumes Checkout, and the answer follows the booking's state. Back from Checkout lands
here with ``?back=1`` and says the time is still held, instead of releasing it.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from booking import links
from booking.models import Booking
from booking.payments import checkout_access, payment_links
from booking.payments.policy import format_money
from booking.services import BookingError


@require_GET
@never_cache
def pay_link(request: HttpRequest, public_id, token: str) -> HttpResponse:
    booking = (
        Booking.objects.select_related("offering", "practitioner", "payment")
        .filter(public_id=public_id)
        .first()
    )
    if booking is None or not payment_links.pay_token_is_valid(booking, token):
        return render(request, "booking/link_invalid.html", status=404)
    if booking.status == Booking.Status.CONFIRMED:
        return redirect(links.manage_path(booking))
    context = {
        "booking": booking,
        "zone_name": booking.client_timezone,
        "amount": format_money(booking.payment.amount, booking.payment.currency),
        "pay_path": payment_links.pay_path(booking),
    }
    now = timezone.now()
    if not payment_links.is_waiting(booking, now):
        return render(request, "payments/link_ended.html", context)
    if request.GET.get("back"):
        return render(request, "payments/link_waiting.html", context)
    try:
        checkout_url = payment_links.open_checkout(booking=booking, now=now)
    except BookingError as error:
        context["error"] = error.message
        return render(request, "payments/link_waiting.html", context, status=503)
    checkout_access.remember_checkout(request, booking)
    if checkout_url is None:  # it was paid meanwhile
        return redirect(links.manage_path(Booking.objects.get(pk=booking.pk)))
    return redirect(checkout_url)
