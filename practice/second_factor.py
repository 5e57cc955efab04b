"""The practitioner's second factor: whether she has one and whether this session used it.

Her console (console.access) and her reading of intake answers (intake.review_views) both
ask for it, so it lives here, below both. Recovery codes are a factor's fallback, not a
factor of their own.
"""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def has_second_factor(user) -> bool:
    return is_mfa_enabled(user, types=SECOND_FACTORS)


def used_second_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in (or a later confirmation) used the second factor."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def ask_for_second_factor(
    request: HttpRequest, *, setting_up: bool = False
) -> HttpResponse | None:
    """None when the signed-in practitioner's session used her factor; otherwise where to
    send her: to set one up (unless ``setting_up`` is that page), or to type its code."""
    if not has_second_factor(request.user):
        return None if setting_up else redirect("console:security")
    if not used_second_factor(request):
        return redirect_to_login(request.get_full_path(), login_url="mfa_reauthenticate")
    return None
