"""Stripe's side of the site: the webhook, Checkout's return and cancel pages, and, on a
DEBUG server without Stripe keys only, the local stand-in that plays Stripe.

Thin, like every view here: parse, one service call, respond. Nothing from a request body
is logged (a webhook carries the client's email address).
"""

import copy
import io
import logging
import threading

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from booking import links, refusals, selectors, services
from booking.models import Booking
from booking.payments import checkout as payment_checkout
from booking.payments import checkout_access, confirmation, gateway, webhook_events, webhooks
from booking.payments import selectors as payment_selectors
from booking.payments.models import Payment
from booking.payments.standin import CSP_NONCE_KEY, StripeStandIn
from practice.validators import usable_text

logger = logging.getLogger(__name__)

CHECKOUT_LEFT = "Nothing was booked or charged, and the time is free again."


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's deliveries: 400 for a bad, stale or future signature (nothing read or
    changed) and for a signed body that is not an event we can read (recorded as rejected),
    503 when Stripe itself could not be asked (Stripe retries), 200 otherwise."""
    try:
        outcome = webhooks.handle_webhook(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
    except gateway.InvalidSignature:
        return JsonResponse({"error": "invalid signature"}, status=400)
    except webhook_events.MalformedEvent as error:
        return JsonResponse({"error": "malformed event", "reason": error.reason}, status=400)
    except gateway.GatewayError as error:
        logger.warning("Webhook deferred: %s", error.code)
        return JsonResponse({"error": "try again later"}, status=503)
    return JsonResponse({"received": True, "outcome": outcome})


def _manage_redirect(booking: Booking) -> HttpResponse:
    return redirect(links.manage_path(booking) + "?booked=1")


@require_GET
@never_cache
def checkout_return(request: HttpRequest) -> HttpResponse:
    """Checkout's success_url: confirm now if Stripe says paid (the webhook may be later,
    or may have been first: the same confirm_payment either way).

    Only whoever started the checkout is sent on (checkout_access): the id in this URL is
    in browser history and access logs. Anyone else, and any id that names nothing, gets
    the same neutral thank-you, and nothing is asked of Stripe for them.
    """
    session_id = usable_text(request.GET.get("session_id"))
    payment = (
        Payment.objects.select_related("booking").filter(checkout_session_id=session_id).first()
        if session_id
        else None
    )
    if payment is None or not checkout_access.started_checkout(request, payment.booking):
        return render(request, "payments/thank_you.html")
    try:
        outcome = confirmation.confirm_payment(checkout_session_id=session_id)
    except gateway.GatewayError as error:
        logger.warning("Return from checkout of payment %s: %s", payment.pk, error.code)
        outcome = confirmation.PaymentOutcome(
            confirmation.Result.NOT_PAID, payment, payment.booking
        )
    booking = Booking.objects.select_related("offering", "practitioner").get(pk=payment.booking_id)
    if booking.status == Booking.Status.CONFIRMED:
        return _manage_redirect(booking)
    context = {
        "booking": booking,
        "offering": booking.offering,
        "zone_name": booking.client_timezone,
    }
    if outcome.result in (confirmation.Result.REFUNDED, confirmation.Result.ALREADY_REFUNDED):
        now = timezone.now()
        reason = payment_selectors.late_payment_refusal(payment)
        context["nearest"] = selectors.nearest_slots(
            offering=booking.offering, around=booking.start, now=now
        )
        context["why"] = refusals.late_payment_wording(reason, booking=booking, now=now)
        return render(request, "payments/refunded.html", context)
    return render(request, "payments/processing.html", context)


def _held_token_is_valid(booking: Booking, token: str) -> bool:
    """The cancel link was made while the booking was held; it stays good for the visit
    that releases the hold and for a second click after it."""
    held = copy.copy(booking)
    held.status = Booking.Status.HELD
    return links.token_is_valid(held, token)


@require_GET
def checkout_cancel(request: HttpRequest, public_id, token: str) -> HttpResponse:
    """Checkout's cancel_url: release the hold and go back to the week of the slot."""
    booking = (
        Booking.objects.select_related("offering", "practitioner")
        .filter(public_id=public_id)
        .first()
    )
    if booking is None or not _held_token_is_valid(booking, token):
        return render(request, "booking/link_invalid.html", status=404)
    if booking.status == Booking.Status.HELD:
        booking = confirmation.release_hold(booking=booking).booking
    if booking.status == Booking.Status.CONFIRMED:  # it was paid in another tab after all
        return _manage_redirect(booking)
    messages.info(request, CHECKOUT_LEFT)
    zone = booking.client_timezone
    week = booking.start.astimezone(booking.practitioner.zone).date().isoformat()
    query = urlencode({"tz": zone, "week": week})
    return redirect(reverse("booking:slots", kwargs={"slug": booking.offering.slug}) + "?" + query)


@require_GET
def checkout_resume(request: HttpRequest, public_id, token: str) -> HttpResponse:
    """Back from Checkout, then "Continue to payment": the running hold's own Checkout
    page again; a hold that has ended meanwhile goes where its state leads."""
    booking = (
        Booking.objects.select_related("offering", "practitioner", "payment")
        .filter(public_id=public_id)
        .first()
    )
    if booking is None or not _held_token_is_valid(booking, token):
        return render(request, "booking/link_invalid.html", status=404)
    if booking.status == Booking.Status.CONFIRMED:
        return _manage_redirect(booking)
    slots_url = reverse("booking:slots", kwargs={"slug": booking.offering.slug})
    try:
        checkout_url = payment_checkout.resume_checkout(booking=booking).checkout_url
        checkout_access.remember_checkout(request, booking)
        return redirect(checkout_url)
    except services.BookingError as error:
        messages.error(request, error.message)
        return redirect(slots_url + "?" + urlencode({"tz": booking.client_timezone}))


# --- the local stand-in (DEBUG without keys only) -----------------------------------------

_standin: StripeStandIn | None = None
_standin_lock = threading.Lock()
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


def local_standin() -> StripeStandIn:
    """The process's one stand-in, posting its events to this server's webhook URL."""
    global _standin
    with _standin_lock:
        if _standin is None:
            _standin = StripeStandIn(
                webhook_secret=gateway.STANDIN_WEBHOOK_SECRET,
                webhook_url=settings.SITE_URL + reverse("payments:webhook"),
            )
        return _standin


@csrf_exempt
def standin(request: HttpRequest, path: str = "") -> HttpResponse:
    """Hand the request to the stand-in's WSGI app, mounted at this URL's prefix.

    A 404 unless gateway.standin_enabled(): DEBUG on and no STRIPE_SECRET_KEY. It checks
    the settings on every request, so no configuration can leave it reachable in production.
    """
    if not gateway.standin_enabled():
        raise Http404("No stand-in here.")
    prefix = request.path[: len(request.path) - len(path)].rstrip("/")
    body = request.body
    environ = dict(request.META)
    environ.update(
        {
            "SCRIPT_NAME": request.META.get("SCRIPT_NAME", "").rstrip("/") + prefix,
            "PATH_INFO": "/" + path,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            CSP_NONCE_KEY: str(request.csp_nonce),
        }
    )
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, headers

    content = b"".join(local_standin()(environ, start_response))
    response = HttpResponse(content, status=int(answer["status"].split()[0]))
    for name, value in answer["headers"]:
        if name.lower() not in _HOP_BY_HOP:
            response[name] = value
    return response
