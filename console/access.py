"""Who may enter the console: the practitioner alone, signed in with a second factor.

Everyone else signed in (clients, staff, the operator's superuser) gets a 404, the same
answer as for a page that does not exist, so the console gives no hint that it is there.
Someone not signed in is sent to sign in, so that her bookmark works. A practitioner
without a second factor is led to set one up before anything else; one with a second
factor whose session did not use it (she signed in before adding it) is asked for it once.
Sensitive actions (refunds, erasing a client, exports) add ``sensitive``: allauth asks her
to confirm who she is again when her last sign-in step is more than a few minutes old.
"""

from functools import wraps

from allauth.account.authentication import get_authentication_records
from allauth.account.decorators import reauthentication_required
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.shortcuts import redirect

from practice.models import Practitioner

# The second factors that count: an authenticator app or a passkey (recovery codes are
# their fallback, not a factor of their own).
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def practitioner_of(user) -> Practitioner | None:
    """The practitioner whose account ``user`` is, or None."""
    if user is None or not user.is_authenticated:
        return None
    return Practitioner.objects.filter(user=user).first()


def has_second_factor(user) -> bool:
    return is_mfa_enabled(user, types=SECOND_FACTORS)


def used_second_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in (or a later confirmation) used the second factor."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def _enter(request: HttpRequest, *, setup: bool):
    """None when the request may go on; otherwise the answer that stops it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    practitioner = practitioner_of(request.user)
    if practitioner is None:
        raise Http404
    request.practitioner = practitioner
    if not has_second_factor(request.user):
        return None if setup else redirect("console:security")
    if not used_second_factor(request):
        return redirect_to_login(request.get_full_path(), login_url="mfa_reauthenticate")
    return None


def practitioner_required(view):
    """The console's door: sets ``request.practitioner`` for the view."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        return _enter(request, setup=False) or view(request, *args, **kwargs)

    return wrapped


def practitioner_setting_up(view):
    """The door of the second-factor page itself, open before a factor exists."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        return _enter(request, setup=True) or view(request, *args, **kwargs)

    return wrapped


def sensitive(view, *, reading_too: bool = False):
    """For refunds, erasing and exports: a fresh confirmation of who she is. Only for the
    POST that acts, so the page asking for the action can be read without one; an export
    (``reading_too``) asks for its GET as well. allauth keeps the POST and replays it once
    she has confirmed."""
    return practitioner_required(reauthentication_required(view, allow_get=not reading_too))
