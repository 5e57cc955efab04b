"""Who gets into the console: the practitioner alone, and only with her second factor.

Everyone else signed in gets the plain 404 of a page that is not there; a sensitive action
asks her to confirm who she is again.
"""

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.http import HttpResponse
from django.urls import include, path

from console.access import sensitive
from tests.accounts.support import make_user, sign_in_by_code
from tests.console.support import add_totp, make_account, sign_in_with_factor

pytestmark = pytest.mark.django_db

CONSOLE_PAGES = [
    "/console/",
    "/console/week/",
    "/console/clients/",
    "/console/hours/",
    "/console/hours/support/",
    "/console/offerings/",
    "/console/money/",
    "/console/book/",
]


def current_code(secret: str) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_someone_not_signed_in_is_asked_to_sign_in_and_comes_back(client, practitioner):
    response = client.get("/console/week/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/?next=/console/week/"


@pytest.mark.parametrize("path", CONSOLE_PAGES + ["/console/security/"])
@pytest.mark.parametrize(
    "fields",
    [{}, {"is_staff": True}, {"is_staff": True, "is_superuser": True}],
    ids=["client", "staff", "superuser"],
)
def test_anyone_signed_in_but_her_gets_a_plain_404(client, practitioner, path, fields):
    someone = make_account("sam@example.org", **fields)
    sign_in_with_factor(client, someone)

    assert client.get(path).status_code == 404


def test_without_a_second_factor_she_is_led_to_set_one_up(client, practitioner):
    practitioner.user = make_account(practitioner.email)
    practitioner.save(update_fields=["user"])
    client.force_login(practitioner.user)

    for page in CONSOLE_PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == "/console/security/"
    setup = client.get("/console/security/")
    assert setup.status_code == 200
    assert b"One step before your console opens" in setup.content
    assert b'href="/accounts/2fa/totp/activate/"' in setup.content
    # Before a factor exists, the console's other pages are not offered.
    assert b'href="/console/week/"' not in setup.content


def test_a_session_that_did_not_use_her_factor_asks_for_it(client, practitioner_user):
    client.force_login(practitioner_user)

    response = client.get("/console/week/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=/console/week/"


@pytest.mark.parametrize("path", CONSOLE_PAGES + ["/console/security/"])
def test_with_her_factor_every_page_opens(console, path):
    assert console.get(path).status_code == 200


def test_signing_in_by_code_asks_for_the_app_code_then_opens_her_console(client, practitioner):
    user = make_user(practitioner.email)
    practitioner.user = user
    practitioner.save(update_fields=["user"])
    secret = add_totp(user)

    after_code = sign_in_by_code(client, practitioner.email)
    assert after_code.status_code == 302
    assert after_code["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/console/").status_code == 302  # not signed in until the second step

    done = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})

    assert done.status_code == 302
    assert done["Location"] == "/console/"
    assert client.get("/console/").status_code == 200


def test_a_new_authenticator_app_opens_the_console_without_asking_again(client, practitioner):
    practitioner.user = make_account(practitioner.email)
    practitioner.save(update_fields=["user"])
    sign_in_with_factor(client, practitioner.user, reauthenticated=True)
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session["mfa.totp.secret"]

    client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})

    assert client.get("/console/week/").status_code == 200


def _refund(request):
    return HttpResponse("refunded")


urlpatterns = [
    path("sensitive/", sensitive(_refund)),
    path("export/", sensitive(_refund, reading_too=True)),
    path("", include("practice.urls")),
]


@pytest.mark.urls(__name__)
def test_a_sensitive_action_asks_her_to_confirm_who_she_is(client, practitioner_user):
    sign_in_with_factor(client, practitioner_user)

    assert client.get("/sensitive/").content == b"refunded"  # reading the page is fine
    asked = client.post("/sensitive/")
    assert asked.status_code == 302
    # With her second factor, she confirms with it first (the code by email is one way of others).
    assert asked["Location"].startswith("/accounts/2fa/reauthenticate/")

    sign_in_with_factor(client, practitioner_user, reauthenticated=True)
    assert client.post("/sensitive/").content == b"refunded"


@pytest.mark.urls(__name__)
def test_an_export_asks_even_to_read_it(client, practitioner_user):
    sign_in_with_factor(client, practitioner_user)

    assert client.get("/export/").status_code == 302

    sign_in_with_factor(client, practitioner_user, reauthenticated=True)
    assert client.get("/export/").content == b"refunded"
