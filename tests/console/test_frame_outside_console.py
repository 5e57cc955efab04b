"""Her pages outside console/ (allauth's second-factor pages; the intake review
in tests/intake/test_review_frame.py) are drawn in
her console's frame, with its bar and nav, while the clients meeting the same allauth pages
keep the client site's header exactly as before."""

import time

import pytest

from tests.console.support import make_account, sign_in_with_factor
from tests.console.test_second_factor_pages import her, signed_in  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

NAV = ["Today", "Week", "Clients", "Hours", "Offerings", "Money", "Sign-in security"]


def console_nav_shown(text: str) -> bool:
    return 'class="console-nav"' in text and all(f">{name}</a>" in text for name in NAV)


def test_setting_up_her_app_she_is_in_her_console_bar_with_no_other_page_offered(
    client,
    her,  # noqa: F811
):
    client.force_login(her)
    signed_in(client.session, her, at=time.time())

    text = client.get("/accounts/2fa/totp/activate/").content.decode()

    assert "Set up your authenticator app" in text
    assert '<header class="console-bar">' in text
    assert "My bookings" not in text
    assert not console_nav_shown(text)  # nothing else of the console before her factor
    assert "Book for a client" not in text
    assert "← Back to your console" in text
    assert ">Sign out</button>" in text


def test_confirming_who_she_is_shows_her_whole_console_nav(client, practitioner_user):
    sign_in_with_factor(client, practitioner_user)

    asked = client.get("/console/money/payments.csv?month=2026-12")
    text = client.get(asked["Location"]).content.decode()

    assert "Please confirm it is you" in text
    assert console_nav_shown(text)
    assert "Book for a client" in text
    assert "My bookings" not in text
    assert '<header class="site">' not in text


def test_making_new_recovery_codes_is_in_her_console_frame(client, practitioner_user):
    sign_in_with_factor(client, practitioner_user)

    text = client.get("/accounts/2fa/recovery-codes/generate/").content.decode()

    assert "Make new recovery codes" in text
    assert console_nav_shown(text)
    assert "My bookings" not in text


def test_a_client_keeps_the_client_sites_header_on_allauths_pages(client):
    client.force_login(make_account("sam@example.org"))

    text = client.get("/accounts/2fa/").content.decode()

    assert 'href="/my/bookings/">My bookings</a>' in text
    assert "console-bar" not in text
    assert "← Back to your console" not in text


def test_someone_signing_in_sees_the_client_sites_header(client, practitioner_user):
    text = client.get("/accounts/login/code/").content.decode()

    assert '<header class="site">' in text
    assert "console-bar" not in text
    assert ">Sign in</a>" in text
