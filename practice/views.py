"""The practice's public pages: the two buttons, the privacy notice, and "please wait".

Both name the practitioner through the ``practitioner`` every template gets
(practice.context_processors).
"""

from allauth.account import views as allauth_views
from allauth.mfa.base import views as mfa_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control

from booking.services import PRIVACY_NOTICE_VERSION
from practice.adapters import TOO_MANY_ATTEMPTS
from practice.models import Offering, Practitioner
from practice.ratelimits import wait_words

# allauth renders its own limits' page with this (practice.urls.handler429), and the
# sign-in forms' limits come here through practice.adapters; a minute is its shortest
# window, and the page says to wait at least that long.
SIGN_IN_WAIT = 60
# A sign-in paused for repeated tries (ACCOUNT_RATE_LIMITS login_failed and the code
# requests per address) waits up to five minutes; TOO_MANY_ATTEMPTS says "a few minutes".
SIGN_IN_PAUSE = 5 * 60
TRY_AGAIN = "Please try again in {wait}."


# The offerings the home page has its own buttons for; any others are listed below them.
MAIN_SLUGS = ("assessment", "session", "couples_session")


def home(request: HttpRequest) -> HttpResponse:
    active = list(Offering.objects.filter(is_active=True))
    offerings = {o.slug: o for o in active}
    more = [o for o in active if o.slug not in MAIN_SLUGS]
    return render(request, "home.html", {"offerings": offerings, "more": more})


def privacy(request: HttpRequest) -> HttpResponse:
    """The notice clients consent to; its version is the one bookings record."""
    return render(request, "privacy.html", {"version": PRIVACY_NOTICE_VERSION})


# A day: long enough that browsers stop asking on every page, short enough that a new icon
# (or a hashed static name) reaches them soon.
FAVICON_MAX_AGE = 24 * 60 * 60


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's, the payment
    stand-in's); send them to the site's icon instead of logging a 404 on every visit.
    Temporary, so that a renamed static file is never stuck in a browser's cache."""
    response = HttpResponseRedirect(static("favicon.svg"))
    patch_cache_control(response, public=True, max_age=FAVICON_MAX_AGE)
    return response


def too_many_requests(
    request: HttpRequest,
    *,
    retry_after: int = SIGN_IN_WAIT,
    message: str = "",
    back_url: str = "",
    back_label: str = "",
    kept: bool = False,
    try_again: str = "",
) -> HttpResponse:
    """429 with ``Retry-After``: how long to wait, in words and in seconds, and no blame
    (a shared network or a retrying browser gets here as easily as a script).
    ``try_again`` (with ``{wait}``) replaces "Please try again in …" when there is more
    the visitor can do than wait."""
    wait = wait_words(retry_after)
    context = {
        "wait": wait,
        "try_again": (try_again or TRY_AGAIN).format(wait=wait),
        "message": message,
        "back_url": back_url,
        "back_label": back_label,
        "kept": kept,
    }
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def handler429(request: HttpRequest) -> HttpResponse:
    """allauth's rate limits (sign-in, sign-up) answer with the practice's page."""
    return too_many_requests(request)


class SignInLimitsAnswer429:
    """allauth tells a sign-in form over its limits (``too_many_login_attempts``) with a
    form error on a 200 page; answer 429 with ``Retry-After`` instead, as the booking
    limits do, so that clients and scripts alike see they must wait."""

    def form_invalid(self, form) -> HttpResponse:
        codes = {error.code for errors in form.errors.as_data().values() for error in errors}
        if "too_many_login_attempts" in codes:
            return too_many_requests(
                self.request,
                retry_after=SIGN_IN_PAUSE,
                message=TOO_MANY_ATTEMPTS,
                back_url=self.request.get_full_path(),
                back_label="Back to sign-in",
            )
        return super().form_invalid(form)


class LoginView(SignInLimitsAnswer429, allauth_views.LoginView):
    pass


class RequestLoginCodeView(SignInLimitsAnswer429, allauth_views.RequestLoginCodeView):
    pass


def mfa_index(request: HttpRequest) -> HttpResponse:
    """allauth's list of second factors, where it sends her after a change: the practitioner
    has her own page for them in the console (its wording, and the way back to her work)."""
    if request.user.is_authenticated and Practitioner.objects.filter(user=request.user).exists():
        return HttpResponseRedirect(reverse("console:security"))
    return mfa_views.index(request)
