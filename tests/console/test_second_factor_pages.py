"""allauth's second-factor pages as she meets them: her way back to the console, her own
page for the list of factors, and confirming who she is with her app when she has no
password."""

import time

import pytest
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests.console.support import add_totp, make_account, sign_in_with_factor

pytestmark = pytest.mark.django_db


def code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def signed_in(session, user, *, at: float) -> None:
    """The session as a sign-in by emailed code at ``at`` leaves it."""
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "code", "at": at}]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


@pytest.fixture
def her(practitioner):
    user = make_account(practitioner.email)
    practitioner.user = user
    practitioner.save(update_fields=["user"])
    return user


def test_allauths_list_of_factors_sends_her_to_her_console_page(client, her):
    add_totp(her)
    sign_in_with_factor(client, her)

    response = client.get("/accounts/2fa/")

    assert response.status_code == 302
    assert response["Location"] == "/console/security/"


def test_a_client_keeps_allauths_list(client):
    client.force_login(make_account("sam@example.org"))

    assert client.get("/accounts/2fa/").status_code == 200


def test_without_a_password_she_confirms_who_she_is_with_her_app(client, her):
    secret = add_totp(her)
    sign_in_with_factor(client, her)
    assert not her.has_usable_password()

    asked = client.get("/console/money/payments.csv?month=2026-12")
    page = client.get(asked["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Please confirm it is you" in text
    assert "← Back to your console" in text
    assert "Send me a sign-in code" in text  # another way, listed below
    assert "password" not in text.lower()

    confirmed = client.post(asked["Location"], {"code": code(secret)}, follow=True)

    assert confirmed.status_code == 200
    assert confirmed["Content-Disposition"] == 'attachment; filename="payments-2026-12.csv"'


def test_setting_up_the_app_right_after_signing_in_asks_no_second_code(client, her):
    client.force_login(her)
    session = client.session

    signed_in(session, her, at=time.time())

    page = client.get("/accounts/2fa/totp/activate/")

    assert page.status_code == 200
    assert "Set up your authenticator app" in page.content.decode()
    assert "← Back to your console" in page.content.decode()


def test_an_old_sign_in_is_asked_again_before_changing_factors(client, her):
    client.force_login(her)
    session = client.session

    signed_in(session, her, at=time.time() - 3600)

    assert client.get("/accounts/2fa/totp/activate/").status_code == 302
