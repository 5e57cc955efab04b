"""Her second factors in Chromium, through allauth's own pages under our CSP: setting up
the authenticator app, her recovery codes, the code step at sign-in, confirming who she is
before a download, and a passkey added and signed in with (a virtual authenticator)."""

import csv
import io
import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail

from tests.accounts.support import code_from
from tests.console.support import make_account
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_csp_browser import PolicyWatch

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "mara@example.org"


@pytest.fixture
def her(practitioner, settings):
    """The practitioner's account, signing in by emailed code, with no password and no
    second factor yet. One window of tolerance on each side lets the test use three codes
    of one half-minute, since each code is good only once."""
    settings.MFA_TOTP_TOLERANCE = 1
    user = make_account(EMAIL)
    assert not user.has_usable_password()
    practitioner.user = user
    practitioner.save(update_fields=["user"])
    return user


def app_code(secret: str, step: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def sign_in_by_code(page, watch, base: str, next_path: str, label: str) -> None:
    page.goto(base + next_path)
    page.wait_for_url(re.compile(r"/accounts/login/code/"))
    watch.check(page, f"{label}: the sign-in page")
    page.locator("input[name=email]").fill(EMAIL)
    page.get_by_role("button", name="Email me a code").click()
    page.locator("input[name=code]").wait_for()
    watch.check(page, f"{label}: the emailed code to type")
    page.locator("input[name=code]").fill(code_from(mail.outbox[-1]))
    page.get_by_role("button", name="Sign in").click()


def no_sideways_scroll(page, viewport) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{page.url} scrolls sideways"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_she_sets_up_the_app_signs_in_with_it_and_confirms_a_download(
    browser, live_server, her, viewport
):
    base = live_server.url
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    watch = PolicyWatch(context)
    page = context.new_page()

    sign_in_by_code(page, watch, base, "/console/", "first sign-in")
    page.wait_for_url(re.compile(r"/console/security/$"))
    watch.check(page, "led to set up a second factor")
    page.get_by_role("link", name="Set up an authenticator app").click()

    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    page.get_by_role("heading", name="Set up your authenticator app").wait_for()
    qr = page.locator("img.totp-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code shows"
    watch.check(page, "setting up the app")
    no_sideways_scroll(page, viewport)
    assert page.get_by_role("link", name="← Back to your console").is_visible()
    # Each load of the page makes a new secret (the policy check loaded it once more).
    page.reload()
    secret = page.get_by_label("The key, to type instead of scanning").input_value()
    page.locator("input[name=code]").fill(app_code(secret))
    page.get_by_role("button", name="Turn on").click()

    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    watch.check(page, "her recovery codes")
    no_sideways_scroll(page, viewport)
    codes = page.get_by_label("Unused codes").input_value().split()
    assert len(codes) == 10
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the codes").click()
    assert download.value.path().read_text().split() == codes
    page.get_by_role("link", name="Continue to your console").click()
    page.wait_for_url(base + "/console/")
    watch.check(page, "her console, open at last")
    assert Authenticator.objects.filter(user=her, type=Authenticator.Type.TOTP).exists()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    watch.check(page, "signed out")

    sign_in_by_code(page, watch, base, "/console/money/", "signing in again")
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_role("heading", name="One more step to sign in").wait_for()
    watch.check(page, "the app's code at sign-in")
    no_sideways_scroll(page, viewport)
    page.get_by_label("Code").fill(app_code(secret, 1))
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(base + "/console/money/")
    watch.check(page, "the money page")

    page.get_by_role("link", name=re.compile(r"^Download .* as CSV$")).click()
    # She signed in by code and has no password: she confirms with her app.
    page.wait_for_url(re.compile(r"/accounts/2fa/reauthenticate/"))
    page.get_by_role("heading", name="Please confirm it is you").wait_for()
    watch.check(page, "confirming it is her before the download")
    no_sideways_scroll(page, viewport)
    assert page.get_by_role("link", name="← Back to your console").is_visible()
    page.get_by_label("Code").fill(app_code(secret, -1))
    with page.expect_download() as download:
        page.get_by_role("button", name="Confirm").click()
    assert re.fullmatch(r"payments-\d{4}-\d{2}\.csv", download.value.suggested_filename)
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert next(csv.reader(io.StringIO(text)))[:3] == ["date", "type", "client name"]
    context.close()


def virtual_authenticator(page):
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    added = session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return session, added["authenticatorId"]


def test_she_adds_a_passkey_and_signs_in_with_it(browser, live_server, her, settings):
    from tests.console.support import add_totp

    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    add_totp(her)
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP)
    watch = PolicyWatch(context)
    page = context.new_page()
    session, authenticator_id = virtual_authenticator(page)
    # She is signed in with her app; adding a passkey right after is recent enough.
    from django.test import Client

    from tests.console.support import session_cookie, sign_in_with_factor

    client = Client()
    sign_in_with_factor(client, her, reauthenticated=True)
    context.add_cookies([session_cookie(client, base)])

    page.goto(base + "/console/security/")
    watch.check(page, "her security page")
    page.get_by_role("link", name="Add a passkey").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/webauthn/$"))
    page.get_by_role("heading", name="Your passkeys").wait_for()
    watch.check(page, "her passkeys, none yet")
    page.get_by_role("link", name="Add a passkey").click()
    page.get_by_role("heading", name="Add a passkey").wait_for()
    watch.check(page, "adding a passkey")
    # Each load of the page asks the browser a new challenge (the check loaded it again).
    page.reload()
    page.get_by_label("Name").fill("This laptop")
    page.get_by_role("button", name="Add the passkey").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    watch.check(page, "after adding the passkey")
    assert Authenticator.objects.filter(user=her, type=Authenticator.Type.WEBAUTHN).exists()
    stored = session.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(stored["credentials"]) == 1

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    watch.check(page, "signed out")
    sign_in_by_code(page, watch, base, "/console/week/", "signing in with the passkey")
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    watch.check(page, "the second step, with a passkey to use")
    page.reload()
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(base + "/console/week/")
    watch.check(page, "her week, signed in with the passkey")
    page.goto(base + "/accounts/2fa/webauthn/")
    page.get_by_role("link", name="Remove This laptop").wait_for()
    watch.check(page, "her passkeys, one added")
    context.close()
