"""Headers every response gets: the Content-Security-Policy, and no-store on private pages.

The policy itself is ``CONTENT_SECURITY_POLICY`` in settings (django-csp); what it cannot
know at start-up, the origin of Stripe's Checkout pages, is added per response here, since
the tests and the stand-in move it. Private pages are named by their URL, so that a new view
under a private name is never cached without anyone remembering to say so.
"""

from collections.abc import Callable

from csp.constants import SELF
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from booking.payments import gateway

# Every page under these URL namespaces is someone's own: her admin and console, and the
# client's intake by link.
PRIVATE_NAMESPACES = frozenset({"admin", "console", "intake"})
# And these pages: a booking's own pages by its private link, the client's bookings, the
# way back from Checkout, and the pages that show what a booker typed (the details form
# after a round trip) or where their link went ("check your email").
PRIVATE_URL_NAMES = frozenset(
    {
        "booking:manage",
        "booking:confirm",
        "booking:check_email",
        "booking:details",
        "booking:reschedule",
        "booking:cancel",
        "booking:receipt",
        "booking:hardship",
        "booking:invite",
        "booking:send_link",
        "booking:my_bookings",
        "payments:checkout_return",
        "payments:checkout_cancel",
        "payments:checkout_resume",
        "payments:pay_link",
    }
)


# The one page that needs a source every other page is denied, by URL name: the authenticator
# app's QR code is an image in a data: URI (allauth.mfa), on the page where she turns TOTP on.
EXTRA_SOURCES = {"mfa_activate_totp": {"img-src": [SELF, "data:"]}}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with Checkout's origin allowed as a form's destination.

    Browsers apply form-action to the redirects that follow a form's submission too: the
    "Confirm and pay" form posts here and is sent on to Checkout, which 'self' alone
    would stop.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponse, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        extra: dict[str, list[str]] = {}
        origin = gateway.checkout_origin()
        if origin:
            extra["form-action"] = [origin]
        match = getattr(request, "resolver_match", None)
        if match is not None:
            extra |= EXTRA_SOURCES.get(match.view_name, {})
        if extra:
            update = dict(parts.update or {})
            for directive, sources in extra.items():
                update[directive] = [*update.get(directive, ()), *sources]
            parts.update = update
        return parts


def is_private(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return match.view_name in PRIVATE_URL_NAMES or bool(
        PRIVATE_NAMESPACES.intersection(match.namespaces)
    )


class PrivatePagesMiddleware:
    """``Cache-Control: no-store, private`` (Django's never-cache headers) on every private
    page, so that neither a shared cache nor the browser's history keeps a copy of a
    booking, an intake or the admin for the next person at the same computer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_private(request):
            add_never_cache_headers(response)
        return response
