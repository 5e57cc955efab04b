"""Her second factors: what she has, and where to add an authenticator app or a passkey.

The factors themselves are allauth's pages (activate, recovery codes, passkeys); this page is
the console's door to them, the only console page open before she has one.
"""

from allauth.mfa.models import Authenticator
from django.shortcuts import render

from console.access import practitioner_setting_up


@practitioner_setting_up
def security(request):
    factors = {a.type: a for a in Authenticator.objects.filter(user=request.user)}
    passkeys = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.WEBAUTHN)
    recovery = factors.get(Authenticator.Type.RECOVERY_CODES)
    return render(
        request,
        "console/security.html",
        {
            "nav": "security",
            "setting_up": not (Authenticator.Type.TOTP in factors or passkeys),
            "totp": factors.get(Authenticator.Type.TOTP),
            "passkeys": passkeys,
            "recovery_left": len(recovery.wrap().get_unused_codes()) if recovery else None,
        },
    )
