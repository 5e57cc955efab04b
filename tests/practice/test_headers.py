"""Every page carries the enforced Content-Security-Policy; private pages are never stored;
``check --deploy`` stays clean with production settings."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings

from booking import links
from booking.payments import gateway
from booking.views import AWAITING_SESSION_KEY
from intake.links import fill_path
from intake.models import Assignment
from tests.accounts.support import make_user
from tests.factories import insert_booking, make_session_offering

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in header.split(";") if part.strip()
    )


@pytest.fixture
def booking(assessment, now):
    return insert_booking(assessment, now + timedelta(days=2))


@pytest.fixture
def pages(client, booking, practitioner):
    """A page of each kind, by path: public, a booking's own, intake, sign-in, the admin."""
    assignment = Assignment.objects.create(
        booking=booking, email=booking.client_email, name=booking.client_name
    )
    manage = links.manage_path(booking)
    return {
        "home": "/",
        "privacy": "/privacy/",
        "slots": "/book/assessment/",
        "details": "/book/assessment/details/?start=2026-12-03T09:00:00Z&tz=Europe/Berlin",
        "manage": manage,
        "cancel": manage + "cancel/",
        "reschedule": manage + "reschedule/",
        "intake": fill_path(assignment),
        "sign in": "/accounts/login/code/",
        "password sign-in": "/accounts/login/",
        "not found": "/no-such-page/",
    }


def test_every_html_page_carries_the_enforced_policy(client, pages):
    for name, path in pages.items():
        response = client.get(path)
        assert response["Content-Type"].startswith("text/html"), name
        assert "Content-Security-Policy-Report-Only" not in response, name
        policy = directives(response)
        assert POLICY.items() <= policy.items(), (name, policy)
        for kind in ("script-src", "style-src"):
            sources = policy[kind].split()
            assert sources[0] == "'self'", (name, kind, sources)
            assert all(re.fullmatch(r"'nonce-[A-Za-z0-9+/=]+'", s) for s in sources[1:]), name


def test_the_admin_pages_carry_the_policy(client, booking):
    client.force_login(make_user("mara@example.org", is_staff=True, is_superuser=True))
    for path in ("/admin/", f"/admin/booking/booking/{booking.pk}/change/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert POLICY.items() <= directives(response).items(), path


def test_an_inline_script_runs_by_the_nonce_the_header_names(client, assessment, now):
    page = client.post(
        "/book/assessment/details/", {"start": "2026-12-03T09:00:00Z", "timezone": "UTC"}
    )
    body = page.content.decode()
    assert 'id="error-summary"' in body
    [nonce] = re.findall(r'<script nonce="([^"]+)">', body)
    assert f"'nonce-{nonce}'" in directives(page)["script-src"].split()
    # A fresh one for each response.
    again = client.post(
        "/book/assessment/details/", {"start": "2026-12-03T09:00:00Z", "timezone": "UTC"}
    )
    assert f"'nonce-{nonce}'" not in again["Content-Security-Policy"]


def test_no_page_template_has_an_inline_script_without_a_nonce_or_a_style_attribute():
    """Emails are not pages: their inline styles stay."""
    root = Path(django_settings.BASE_DIR) / "templates"
    for template in root.rglob("*.html"):
        relative = template.relative_to(root).as_posix()
        if relative.startswith(("email/", "account/email/")):
            continue
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'nonce="{{ request.csp_nonce }}"' in tag, (relative, tag)
        assert not re.search(r"<[a-z][^>]*\sstyle=", text), relative
        assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", text), relative
        assert "javascript:" not in text, relative


def test_the_pay_forms_may_be_sent_on_to_stripe_checkout(client, settings, assessment):
    """Browsers check form-action on the redirect that follows a form too."""
    settings.STRIPE_SECRET_KEY = "sk_test_pytest"
    settings.STRIPE_API_BASE = ""
    sources = directives(client.get("/"))["form-action"].split()
    assert sources == ["'self'", "https://checkout.stripe.com"]

    settings.STRIPE_API_BASE = "http://127.0.0.1:8111"  # a stand-in over HTTP
    assert directives(client.get("/"))["form-action"].split() == [
        "'self'",
        "http://127.0.0.1:8111",
    ]

    settings.STRIPE_SECRET_KEY = ""  # payments off, or the stand-in on this very site
    assert directives(client.get("/"))["form-action"] == "'self'"


def test_the_local_standin_checkout_page_styles_itself_by_the_nonce(client, settings, assessment):
    settings.DEBUG = True
    settings.STRIPE_SECRET_KEY = ""
    session = client.post(
        "/stripe/standin/v1/checkout/sessions",
        urlencode(
            {
                "mode": "payment",
                "success_url": "http://testserver/",
                "cancel_url": "http://testserver/",
                "line_items[0][price_data][unit_amount]": "12000",
                "line_items[0][price_data][currency]": "eur",
                "line_items[0][price_data][product_data][name]": "A session",
                "line_items[0][quantity]": "1",
            }
        ),
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": f"Bearer {gateway.STANDIN_API_KEY}"},
    ).json()
    page = client.get(session["url"].removeprefix("http://testserver"))
    assert "Local stand-in for Stripe Checkout" in page.content.decode()
    [nonce] = re.findall(r'<style nonce="([^"]+)">', page.content.decode())
    assert f"'nonce-{nonce}'" in directives(page)["style-src"].split()


PRIVATE = ("manage", "cancel", "reschedule", "intake", "details")
PUBLIC = ("home", "privacy", "slots")


def test_private_pages_are_never_stored_and_public_ones_may_be(client, pages, booking):
    for name in PRIVATE:
        response = client.get(pages[name])
        assert response.status_code == 200, name
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= cache_control, (name, cache_control)
    for name in PUBLIC:
        assert "no-store" not in client.get(pages[name]).get("Cache-Control", ""), name


def test_the_check_your_email_page_is_never_stored(client, booking):
    """It names the address the confirmation went to."""
    session = client.session
    session[AWAITING_SESSION_KEY] = str(booking.public_id)
    session.save()

    response = client.get("/book/assessment/check-your-email/")

    assert response.status_code == 200
    assert {"no-store", "private"} <= {p.strip() for p in response["Cache-Control"].split(",")}


def test_the_invite_the_receipt_and_my_bookings_are_never_stored(client, practitioner, now):
    from booking.payments.models import Payment

    booking = insert_booking(make_session_offering(practitioner), now + timedelta(days=2))
    Payment.objects.create(
        booking=booking,
        amount=booking.offering.price,
        currency=booking.offering.currency,
        state=Payment.State.PAID,
        created_at=booking.consented_at,
    )
    client.force_login(make_user(booking.client_email))
    manage = links.manage_path(booking)
    for path in (manage + "invite.ics", manage + "receipt/", "/my/bookings/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
        assert "private" in response["Cache-Control"], path


def test_the_admin_and_the_intake_review_are_never_stored(client, booking):
    client.force_login(make_user("mara@example.org", is_staff=True, is_superuser=True))
    for path in (
        "/admin/",
        f"/admin/booking/booking/{booking.pk}/change/",
        "/intake/questionnaires/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "STRIPE_", "INTAKE_"))
    } | {
        "DJANGO_SETTINGS_MODULE": "practice.settings",
        "SECRET_KEY": Fernet.generate_key().decode() * 2,
        "SITE_URL": "https://book.example.org",
        "ALLOWED_HOSTS": "book.example.org",
        "EMAIL_HOST": "smtp.example.org",
        "INTAKE_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "STRIPE_SECRET_KEY": "sk_live_example",
        "STRIPE_WEBHOOK_SECRET": "whsec_example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_only_the_authenticator_page_may_show_a_data_image(client, practitioner):
    """Its QR code is a data: URI; no other page may load one."""
    password = "a long and unusual passphrase"
    client.force_login(make_user("mara@example.org", password=password, is_staff=True))
    client.post("/accounts/reauthenticate/", {"password": password})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    assert directives(page)["img-src"].split() == ["'self'", "data:"]
    assert "img-src" not in directives(client.get("/my/bookings/"))
