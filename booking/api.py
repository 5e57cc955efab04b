"""JSON API for the booking widget embedded in the practitioner's own site.

Thin views: a form parses, a selector or service decides, the view answers. Every answer
is JSON, errors included, whatever went wrong (``api_view`` and the catch-all at the end of
``urlpatterns``); the document at ``openapi.json`` (booking.openapi) describes it all.

No cookies and no session: the views are exempt from CSRF. What stands in for it is that a
booking must be sent as ``application/json``, which a cross-site page can only do after a
CORS preflight that only the origins in ``settings.API_ALLOWED_ORIGINS`` pass.
"""

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, time, timedelta
from functools import wraps
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

from booking import limited, refusals, selectors, services
from booking.api_forms import BookingRequest, SlotsQuery, plain_slots_query
from booking.availability import to_instant
from booking.forms import partner_email_error
from booking.intervals import Interval
from booking.links import manage_url
from booking.models import Booking
from booking.openapi import DOCUMENT
from booking.payments import checkout
from practice import ratelimits
from practice.models import Offering
from practice.selectors import is_returning_client

logger = logging.getLogger(__name__)

NOT_FOUND = "There is nothing here. /api/v1/openapi.json describes what there is."
OFFERING_NOT_FOUND = "There is no offering by this name that can be booked at the moment."
METHOD_NOT_ALLOWED = "{method} is not allowed here. Allowed: {allowed}."
JSON_BODY_REQUIRED = "Send the booking as a JSON object with Content-Type: application/json."
MALFORMED_JSON = "The request body is not a JSON object."
UNREADABLE_REQUEST = "The request could not be read."
SERVER_ERROR = "Something went wrong on our side. Please try again in a moment."
RETURNING_CLIENTS_ONLY = (
    "This offering is for returning clients. If you are new, please book a free assessment "
    "call first."
)
NOT_YET_A_CLIENT = (
    "Single sessions follow a first conversation, and this account has none yet. Please "
    "book a free assessment call first."
)
SIGN_IN_TO_PAY = "Please sign in to book a paid session; payment goes through Stripe Checkout."
PARTNER_FIELD_REQUIRED = "A couples session needs this for your partner."
RATE_LIMITED = (
    "Several bookings came from this address or for this email in a short time, so new ones "
    "are paused for a while. Please try again after Retry-After seconds."
)
AWAITING_ON_THIS_NETWORK = (
    "Some free calls booked from this network are still waiting to be confirmed from their "
    "emails. Please confirm the bookings waiting in your email first, or try again in "
    "{wait}."
)
CHECK_EMAIL_TO_CONFIRM = (
    "Check your email to confirm: we've sent a link to the address given. The time is kept "
    "until confirm_by; unconfirmed, it is freed again."
)

PREFLIGHT_MAX_AGE = 600  # seconds a browser may reuse a preflight answer
PREFLIGHT_HEADERS = "Content-Type"


def error_response(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def invalid_response(errors: Mapping[str, Sequence[str]]) -> JsonResponse:
    return JsonResponse(
        {"errors": {field: list(messages) for field, messages in errors.items()}}, status=400
    )


def _shown_method(method: str) -> str:
    """The method as the 405 names it: a real one is a short word; anything else a client
    made up (control characters included) is not repeated back."""
    return method if method.isascii() and method.isalpha() and len(method) <= 20 else "This method"


def _allowed_origin(request: HttpRequest) -> str | None:
    # From META: ``request.headers`` would build a dictionary of every header first.
    origin = request.META.get("HTTP_ORIGIN")
    allowed = {item.rstrip("/") for item in settings.API_ALLOWED_ORIGINS}
    return origin if origin in allowed else None


def _add_cors_headers(
    request: HttpRequest, response: HttpResponse, methods: Sequence[str] | None
) -> None:
    """Name the caller's origin, if allowed (never ``*``), and answer a preflight."""
    patch_vary_headers(response, ("Origin",))
    origin = _allowed_origin(request)
    if origin is None:
        return
    response["Access-Control-Allow-Origin"] = origin
    is_preflight = request.method == "OPTIONS" and (
        "Access-Control-Request-Method" in request.headers
    )
    if is_preflight and methods is not None:
        response["Access-Control-Allow-Methods"] = ", ".join(methods)
        response["Access-Control-Allow-Headers"] = PREFLIGHT_HEADERS
        response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)


def _answer(view: Callable, request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Run the view; what escapes it becomes a JSON error instead of Django's HTML page."""
    try:
        return view(request, *args, **kwargs)
    except SuspiciousOperation as error:
        # Too many query fields, a body over DATA_UPLOAD_MAX_MEMORY_SIZE, …
        logging.getLogger(f"django.security.{type(error).__name__}").warning(
            "%s on %s %s", type(error).__name__, request.method, request.path
        )
        return invalid_response({"__all__": [UNREADABLE_REQUEST]})
    except Exception:
        # The traceback, not the request: its body holds personal data.
        logger.exception("API failure on %s %s", request.method, request.path)
        return error_response(500, SERVER_ERROR)


def api_view(*methods: str) -> Callable:
    """Make a view part of the JSON API: JSON 405 for other methods (``Allow`` lists the
    ones accepted), OPTIONS and CORS, JSON instead of HTML for whatever fails.

    Without ``methods`` every method reaches the view (the catch-all 404).
    """
    allowed: tuple[str, ...] | None = None
    if methods:
        allowed = (*methods, *(("HEAD",) if "GET" in methods else ()), "OPTIONS")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if allowed is None:
                response = _answer(view, request, *args, **kwargs)
            elif request.method == "OPTIONS":
                response = HttpResponse(status=204)
                response["Allow"] = ", ".join(allowed)
            elif request.method not in allowed:
                response = error_response(
                    405,
                    METHOD_NOT_ALLOWED.format(
                        method=_shown_method(request.method), allowed=", ".join(allowed)
                    ),
                )
                response["Allow"] = ", ".join(allowed)
            else:
                response = _answer(view, request, *args, **kwargs)
            _add_cors_headers(request, response, allowed)
            return response

        return csrf_exempt(wrapper)

    return decorate


def booking_refusal(offering: Offering, *, user) -> str | None:
    """Why this caller may not book ``offering`` here, or None if they may.

    An offering for returning clients needs a signed-in returning client
    (practice.selectors.is_returning_client); a paid offering needs a signed-in client,
    whose account email receives the receipt.

    This trusts the session, and stays safe without CSRF tokens because the session cookie
    is SameSite=Lax (never sent with a cross-site POST) and a booking must be JSON, which a
    cross-site page can only send after a preflight that only allowed origins pass, and
    those are never told to send credentials (no Access-Control-Allow-Credentials).
    """
    if offering.returning_clients_only and not is_returning_client(user):
        return NOT_YET_A_CLIENT if user.is_authenticated else RETURNING_CLIENTS_ONLY
    if not offering.is_free and not user.is_authenticated:
        return SIGN_IN_TO_PAY
    return None


def partner_errors(offering: Offering, data: dict, *, user) -> dict[str, list[str]]:
    """What is missing or wrong about the partner of a couples session (empty: nothing).

    The partner's address must differ from the client's, whichever one books: the
    account's (paid) or the one given (free).
    """
    if offering.kind != Offering.Kind.COUPLES_SESSION:
        return {}
    errors = {
        field: [PARTNER_FIELD_REQUIRED]
        for field in ("partner_name", "partner_email")
        if not data.get(field)
    }
    own = (data["email"], getattr(user, "email", "") or "")
    if data.get("partner_email") and (error := partner_email_error(data["partner_email"], *own)):
        errors["partner_email"] = [error]
    return errors


def _iso(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _interval_json(interval: Interval, zone: ZoneInfo) -> dict:
    return {"start": _iso(interval.start, zone), "end": _iso(interval.end, zone)}


def _offering_json(offering: Offering) -> dict:
    return {
        "slug": offering.slug,
        "name": offering.name,
        "kind": offering.kind,
        "duration_minutes": offering.duration_minutes,
        "price": f"{offering.price:.2f}",
        "currency": offering.currency,
        "returning_clients_only": offering.returning_clients_only,
    }


@api_view("GET")
def offerings(request: HttpRequest) -> HttpResponse:
    active = selectors.active_offerings()
    return JsonResponse({"offerings": [_offering_json(offering) for offering in active]})


@api_view("GET")
def slots(request: HttpRequest) -> HttpResponse:
    query = plain_slots_query(request.GET)
    if query is None:
        form = SlotsQuery(request.GET)
        if not form.is_valid():
            return invalid_response(form.errors)
        query = form.cleaned_data
    offering = selectors.offering_to_read(query["offering"])
    if offering is None:
        return error_response(404, OFFERING_NOT_FOUND)
    zone_name = query["timezone"] or offering.practitioner.timezone
    zone = ZoneInfo(zone_name)
    # Each date runs from its first instant to the next date's: midnight read by the
    # engine's rule, so a zone whose clocks jump at midnight still gets whole days.
    start = to_instant(query["start"], time(0), zone, is_end=False)
    end = to_instant(query["end"] + timedelta(days=1), time(0), zone, is_end=False)
    found = selectors.available_slots(offering=offering, start=start, end=end, now=timezone.now())
    return JsonResponse(
        {
            "offering": offering.slug,
            "timezone": zone_name,
            "slots": [_interval_json(slot, zone) for slot in found],
        }
    )


def _rate_limited(limited: ratelimits.Limited) -> JsonResponse:
    """429 with Retry-After; the body says which limit, so a widget can say what helps."""
    if isinstance(limited, ratelimits.AwaitingConfirmation):
        message = AWAITING_ON_THIS_NETWORK.format(wait=ratelimits.wait_words(limited.retry_after))
        reason = "awaiting_confirmation"
    else:
        message, reason = RATE_LIMITED, "rate_limited"
    body = {"error": message, "reason": reason, "retry_after": limited.retry_after}
    response = JsonResponse(body, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


@api_view("POST")
def bookings(request: HttpRequest) -> HttpResponse:
    if request.content_type != "application/json":
        return error_response(415, JSON_BODY_REQUIRED)
    try:
        body = json.loads(request.body)
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):
        return invalid_response({"__all__": [MALFORMED_JSON]})
    form = BookingRequest(body)
    if not form.is_valid():
        return invalid_response(form.errors)
    data = form.cleaned_data
    offering = selectors.bookable_offering(data["offering"])
    if offering is None:
        return error_response(404, OFFERING_NOT_FOUND)
    if errors := partner_errors(offering, data, user=request.user):
        return invalid_response(errors)
    refusal = booking_refusal(offering, user=request.user)
    if refusal is not None:
        return error_response(403, refusal)
    extra = {}
    try:
        if offering.is_free:
            booking = limited.book_free_call(request, offering, data)
        else:
            held = limited.hold_paid_session(request, offering, data)
            booking = held.booking
            extra = {
                "checkout_url": held.checkout_url,
                "hold_expires_at": _iso(booking.hold_expires_at, ZoneInfo(data["timezone"])),
            }
    except ratelimits.Limited as over:
        return _rate_limited(over)
    except checkout.PaymentUnavailable as error:
        return error_response(503, error.message)
    except services.AlreadyBooked as refusal:
        # Whether the existing booking's link went out again: the resend limit may hold it.
        body = {"error": refusal.message, "reason": refusal.reason, "link_sent": refusal.link_sent}
        return JsonResponse(body, status=409)
    except services.SlotUnavailable as refusal:
        status = refusals.http_status(refusal.reason)
        return JsonResponse({"error": refusal.message, "reason": refusal.reason}, status=status)
    except services.BookingError as error:
        return error_response(409, error.message)
    zone = ZoneInfo(data["timezone"])
    body = {
        "id": str(booking.public_id),
        "status": booking.status,
        "start": _iso(booking.start, zone),
        "end": _iso(booking.end, zone),
    }
    if offering.is_free and booking.status == Booking.Status.HELD:
        # Its links go to the address given, and only there: that is the confirmation.
        body |= {
            "confirm_by": _iso(booking.hold_expires_at, zone),
            "message": CHECK_EMAIL_TO_CONFIRM,
        }
        return JsonResponse(body, status=202)
    return JsonResponse(body | {"manage_url": manage_url(booking)} | extra, status=201)


@api_view("GET")
def openapi(request: HttpRequest) -> HttpResponse:
    return JsonResponse(DOCUMENT)


@api_view()
def not_found(request: HttpRequest) -> HttpResponse:
    return error_response(404, NOT_FOUND)


app_name = "api"

urlpatterns = [
    path("offerings", offerings, name="offerings"),
    path("slots", slots, name="slots"),
    path("bookings", bookings, name="bookings"),
    path("openapi.json", openapi, name="openapi"),
    # Last: anything else under /api/v1/ is a JSON 404, not the site's HTML page.
    re_path(r"^", not_found, name="not_found"),
]
