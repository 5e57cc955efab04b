"""The practitioner's account as the console sees her: signed in, with a second factor.

``console`` is a Django test client in a session that used her authenticator app, as a real
sign-in leaves it; ``sign_in_with_factor`` does the same for any client (or browser
context, through ``session_cookie``).
"""

import time

import pytest
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import get_user_model


def make_account(email: str, **fields):
    user = get_user_model().objects.create_user(username=email, email=email, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def add_totp(user) -> str:
    """Her authenticator app: returns the secret, from which tests compute codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def sign_in_with_factor(client, user, *, reauthenticated: bool = False) -> None:
    """Signed in as after an emailed code and the app's code (``reauthenticated``: and
    confirmed again just now, as the sensitive actions ask)."""
    client.force_login(user)
    session = client.session
    record = {"method": "mfa", "at": time.time(), "type": "totp"}
    if reauthenticated:
        record["reauthenticated"] = True
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "code", "at": time.time()},
        record,
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


def session_cookie(client, live_server_url: str) -> dict:
    """The test client's session as a cookie for a Playwright browser context."""
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.session.session_key,
        "url": live_server_url,
    }


@pytest.fixture
def practitioner_user(practitioner):
    user = make_account(practitioner.email)
    practitioner.user = user
    practitioner.save(update_fields=["user"])
    add_totp(user)
    return user


@pytest.fixture
def console(client, practitioner_user):
    sign_in_with_factor(client, practitioner_user)
    return client
