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

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest

from practice.models import Practitioner
from practice.second_factor import ask_for_second_factor


def practitioner_of(user) -> Practitioner | None:
    """The practitioner whose account ``user`` is, or None."""
    if user is None or not user.is_authenticated:
        return None
    return Practitioner.objects.filter(user=user).first()


def _enter(request: HttpRequest, *, setup: bool):
    """None when the request may go on; otherwise the answer that stops it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    practitioner = practitioner_of(request.user)
    if practitioner is None:
        raise Http404
    request.practitioner = practitioner
    return ask_for_second_factor(request, setting_up=setup)


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
