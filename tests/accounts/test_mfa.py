"""The practitioner can turn on an authenticator app (allauth.mfa, TOTP); from then on a
sign-in code alone does not open her account."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import call_command

from tests.accounts.support import code_from, make_user, request_code, signed_in_user_id

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase"
START = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def totp_now(secret: str, moment: datetime) -> str:
    return format_hotp_value(hotp_value(secret, int(moment.timestamp()) // 30))


def test_the_practitioner_turns_on_an_authenticator_app_and_then_needs_it(
    client, practitioner, settings
):
    mara = make_user("mara@example.org", password=PASSWORD, is_staff=True)
    with time_machine.travel(START, tick=False):
        client.force_login(mara)
        client.post("/accounts/reauthenticate/", {"password": PASSWORD})
        page = client.get("/accounts/2fa/totp/activate/")
        assert page.status_code == 200
        assert "issuer=Lindqvist%20Coaching" in page.context["totp_url"]
        assert page.context["totp_svg"].startswith("<?xml")
        secret = page.context["form"].secret
        activated = client.post("/accounts/2fa/totp/activate/", {"code": totp_now(secret, START)})
        assert activated.status_code == 302
    stored = Authenticator.objects.get(user=mara, type="totp").data["secret"]
    assert secret not in stored  # encrypted at rest
    # The keys rotate; the authenticator app keeps working with the new key alone.
    new_key = Fernet.generate_key().decode()
    settings.INTAKE_ENCRYPTION_KEYS = [new_key, *settings.INTAKE_ENCRYPTION_KEYS]
    call_command("rotate_intake_keys", stdout=io.StringIO())
    settings.INTAKE_ENCRYPTION_KEYS = [new_key]
    assert Authenticator.objects.get(user=mara, type="totp").data["secret"] != stored
    client.logout()

    later = START + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        asked = request_code(client, "mara@example.org")
        after_code = client.post(asked["Location"], {"code": code_from(mail.outbox[-1])})
        assert after_code["Location"] == "/accounts/2fa/authenticate/"
        assert signed_in_user_id(client) is None  # the code alone is not enough

        done = client.post(after_code["Location"], {"code": totp_now(secret, later)})

    assert done.status_code == 302
    assert signed_in_user_id(client) == str(mara.pk)
