"""Signing in by emailed code, with the Django client, as a person would: for an account
that exists and for an address never seen before, which must look exactly the same."""

import runpy
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.db import connection

from practice import adapters
from tests.accounts.support import (
    CONFIRM,
    SIGN_IN,
    code_from,
    make_user,
    request_code,
    request_code_afresh,
    sign_in_by_code,
    signed_in_user_id,
    text,
)

pytestmark = pytest.mark.django_db


def test_an_existing_client_signs_in_with_the_code_from_the_email(client, practitioner):
    user = make_user("sam@example.org")

    page = client.get(SIGN_IN).content.decode()
    assert "Sign in with your email" in page
    asked = request_code(client, "sam@example.org")
    assert asked.status_code == 302
    assert asked["Location"] == CONFIRM
    confirm_page = client.get(CONFIRM).content.decode()
    assert "We've sent a code to <strong>sam@example.org</strong>" in confirm_page
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.org"]

    done = client.post(CONFIRM, {"code": code_from(mail.outbox[0])})

    assert done.status_code == 302
    assert done["Location"] == "/my/bookings/"
    assert signed_in_user_id(client) == str(user.pk)


def test_an_email_never_seen_before_gets_in_with_just_the_code(client, practitioner):
    response = sign_in_by_code(client, "New.Person@Example.org")

    assert response.status_code == 302
    user = get_user_model().objects.get()
    assert signed_in_user_id(client) == str(user.pk)
    assert user.email == "new.person@example.org"
    assert not user.has_usable_password()
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (
        "new.person@example.org",
        True,
        True,
    )
    assert "new.person@example.org" in client.get("/my/bookings/").content.decode()


def test_known_and_unknown_addresses_see_the_same_pages_and_emails(client, practitioner):
    make_user("known@example.org")

    known = request_code(client, "known@example.org")
    client.logout()
    unknown = request_code(client, "unknown@example.org")

    assert known["Location"] == unknown["Location"] == CONFIRM
    first, second = mail.outbox
    assert first.subject == second.subject == "Your sign-in code"
    assert first.body.replace(code_from(first), "CODE") == second.body.replace(
        code_from(second), "CODE"
    )


def test_the_sign_in_email_carries_the_code_and_nothing_else(client, practitioner):
    make_user("sam@example.org", username="sam-private-handle")

    request_code(client, "sam@example.org")

    message = mail.outbox[0]
    assert message.subject == "Your sign-in code"  # no practice name on a lock screen
    assert "sam-private-handle" not in message.body
    assert "Lindqvist" not in message.subject
    assert message.body == (
        "Here is your sign-in code:\n\n"
        f"    {code_from(message)}\n\n"
        "Type it on the page where you asked for it. It works for 10 minutes.\n\n"
        "If you didn't ask for a code, you can ignore this email: nobody can sign in "
        "without it.\n\n"
        "Warmly,\n"
        "Lindqvist Coaching"
    )
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f"<strong>{code_from(message)}</strong>" in html
    assert "sam-private-handle" not in html


def test_sign_in_leads_back_to_where_the_client_was_going(client, practitioner):
    make_user("sam@example.org")

    response = sign_in_by_code(client, "sam@example.org", next_url="/book/session/")

    assert response["Location"] == "/book/session/"


def test_a_wrong_code_is_refused_kindly_and_three_end_the_attempt(client, practitioner):
    user = make_user("sam@example.org")
    request_code(client, "sam@example.org")

    first = client.post(CONFIRM, {"code": "WRONG-CODE"})
    assert adapters.INCORRECT_CODE in text(first)
    client.post(CONFIRM, {"code": "WRONG-CODE"})
    last = client.post(CONFIRM, {"code": "WRONG-CODE"}, follow=True)

    assert last.redirect_chain[-1][0] == SIGN_IN
    assert adapters.TOO_MANY_ATTEMPTS in text(last)
    assert signed_in_user_id(client) is None
    # The right code from that attempt no longer works either.
    client.post(CONFIRM, {"code": code_from(mail.outbox[0])})
    assert signed_in_user_id(client) != str(user.pk)


def test_asking_for_codes_too_often_answers_429_with_a_friendly_message(practitioner):
    make_user("sam@example.org")
    for _ in range(3):  # ACCOUNT_RATE_LIMITS: three codes a minute per address
        assert request_code_afresh("sam@example.org").status_code == 302

    response = request_code_afresh("SAM@example.org")

    assert response.status_code == 429
    assert response["Retry-After"] == "300"
    assert adapters.TOO_MANY_ATTEMPTS in text(response)
    assert "Please try again in 5 minutes." in text(response)
    assert len(mail.outbox) == 3


def test_asking_for_codes_for_many_addresses_from_one_place_is_limited(practitioner):
    for n in range(10):  # ten a minute per IP address, each may create an account
        assert request_code_afresh(f"person{n}@example.org").status_code == 302

    response = request_code_afresh("person10@example.org")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert adapters.TOO_MANY_ATTEMPTS in text(response)
    assert get_user_model().objects.count() == 10


def test_too_many_password_attempts_get_the_sites_own_429_page(client, practitioner):
    for _ in range(30):  # "login": 30/m/ip
        client.post("/accounts/login/", {"login": "sam@example.org", "password": "nope"})

    response = client.post("/accounts/login/", {"login": "sam@example.org", "password": "x"})

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "Please wait a moment" in page
    assert "Please try again in a minute." in page
    assert 'href="/static/site.css"' in page


def test_too_many_wrong_passwords_for_one_account_answer_429(client, practitioner):
    make_user("mara@example.org", password="a long and unusual passphrase")
    for _ in range(5):  # "login_failed": 5/5m per account
        wrong = client.post("/accounts/login/", {"login": "mara@example.org", "password": "no"})
        assert wrong.status_code == 200

    response = client.post("/accounts/login/", {"login": "mara@example.org", "password": "no"})

    assert response.status_code == 429
    assert response["Retry-After"] == "300"
    assert adapters.TOO_MANY_ATTEMPTS in text(response)


def test_a_deactivated_account_is_neither_recreated_nor_told(client, practitioner):
    make_user("gone@example.org", is_active=False)

    response = request_code(client, "gone@example.org")

    assert response["Location"] == CONFIRM  # the same page as everyone else
    assert get_user_model().objects.count() == 1
    assert mail.outbox == []


def test_a_password_still_works_for_those_who_set_one(client, practitioner):
    user = make_user("mara@example.org", password="a long and unusual passphrase")

    response = client.post(
        "/accounts/login/",
        {"login": "MARA@example.org", "password": "a long and unusual passphrase"},
    )

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_the_sign_in_pages_wear_the_sites_look(client, practitioner):
    for path in (SIGN_IN, "/accounts/login/", "/accounts/signup/"):
        page = client.get(path).content.decode()
        assert 'href="/static/site.css"' in page, path
        assert "Lindqvist Coaching" in page, path  # the header
        assert "Privacy notice" in page, path  # the footer
        assert '<main id="content" class="narrow account-page">' in page, path
        assert '<div class="field">' in page, path  # labels above inputs
        assert "Username" not in page, path


def test_signing_out_is_a_post_from_the_header(client, practitioner):
    user = make_user("sam@example.org")
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "My bookings" in page
    assert 'action="/accounts/logout/"' in page

    client.post("/accounts/logout/")

    assert signed_in_user_id(client) is None
    assert 'href="/accounts/login/code/">Sign in</a>' in client.get("/").content.decode()


def test_rate_limits_live_in_the_database_cache_by_default():
    assert settings.CACHES["default"]["BACKEND"] == ("django.core.cache.backends.db.DatabaseCache")
    table = settings.CACHES["default"]["LOCATION"]
    assert table in connection.introspection.table_names()  # made with the test database
    cache.set("probe", "shared", 30)
    assert cache.get("probe") == "shared"


def test_redis_url_switches_the_cache_to_redis(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/2")
    namespace = runpy.run_path(str(Path(settings.BASE_DIR) / "practice" / "settings.py"))
    assert namespace["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/2",
    }


def test_signing_up_with_an_address_that_has_an_account_gives_nothing_away(client, practitioner):
    make_user("sam@example.org", username="sam-private-handle")

    response = client.post("/accounts/signup/", {"email": "sam@example.org"})
    client.logout()
    fresh = client.post("/accounts/signup/", {"email": "new@example.org"})

    assert response["Location"] == fresh["Location"] == "/accounts/confirm-email/"
    existing, new = mail.outbox
    assert existing.subject == "Signing in"
    assert "http://testserver/accounts/login/code/" in existing.body
    assert "sam-private-handle" not in existing.body
    assert "password" not in existing.body.lower()
    assert new.subject == "Your confirmation code"


def test_signing_up_on_the_signup_page_works_with_just_an_email(client, practitioner):
    asked = client.post("/accounts/signup/", {"email": "new@example.org"})

    done = client.post(asked["Location"], {"code": code_from(mail.outbox[-1])})

    assert done.status_code == 302
    user = get_user_model().objects.get(email="new@example.org")
    assert signed_in_user_id(client) == str(user.pk)
    assert not user.has_usable_password()
