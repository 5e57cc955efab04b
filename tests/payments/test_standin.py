"""The stand-in answers the real ``stripe`` library like Stripe, and is never reachable
outside a DEBUG server without Stripe keys."""

from urllib.parse import urlencode

import pytest
import requests
import stripe
from django.core import mail
from django.urls import reverse

from booking.models import Booking
from booking.payments import gateway, views
from booking.payments.standin import StripeStandIn, sign
from tests.factories import booking_emails
from tests.payments.fixtures import API_KEY, THURSDAY_10_BERLIN, WEBHOOK_SECRET

SESSION = {
    "mode": "payment",
    "line_items": [
        {
            "quantity": 1,
            "price_data": {
                "currency": "eur",
                "unit_amount": 12000,
                "product_data": {"name": "Single session"},
            },
        }
    ],
    "success_url": "https://example.org/ok?session_id={CHECKOUT_SESSION_ID}",
    "cancel_url": "https://example.org/cancel",
}


@pytest.fixture
def stripe_client(standin, settings):
    return stripe.StripeClient(API_KEY, base_addresses={"api": settings.STRIPE_API_BASE})


def in_minutes(minutes: int) -> int:
    import time

    return int(time.time()) + minutes * 60


def test_sessions_are_created_read_and_expired_like_stripes(stripe_client, standin):
    session = stripe_client.v1.checkout.sessions.create(
        SESSION | {"expires_at": in_minutes(31), "metadata": {"booking": "b1"}}
    )
    assert (session.object, session.status, session.payment_status) == (
        "checkout.session",
        "open",
        "unpaid",
    )
    assert session.url.endswith(f"/pay/{session.id}")
    assert session.metadata.booking == "b1"

    assert stripe_client.v1.checkout.sessions.retrieve(session.id).id == session.id
    assert stripe_client.v1.checkout.sessions.expire(session.id).status == "expired"
    [event] = standin.take_outbox()
    assert event["type"] == "checkout.session.expired"


def test_errors_come_back_as_stripes_exceptions(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as too_soon:
        stripe_client.v1.checkout.sessions.create(SESSION | {"expires_at": in_minutes(29)})
    assert too_soon.value.param == "expires_at"
    assert too_soon.value.http_status == 400

    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe_client.v1.checkout.sessions.retrieve("cs_missing")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")


def test_a_wrong_key_is_refused(standin, settings):
    other = stripe.StripeClient("sk_live_nope", base_addresses={"api": settings.STRIPE_API_BASE})
    with pytest.raises(stripe.AuthenticationError):
        other.v1.checkout.sessions.retrieve("cs_any")


def test_an_idempotency_key_replays_and_refuses_other_parameters(stripe_client, standin):
    params = SESSION | {"expires_at": in_minutes(40)}
    first = stripe_client.v1.checkout.sessions.create(params, options={"idempotency_key": "k1"})
    again = stripe_client.v1.checkout.sessions.create(params, options={"idempotency_key": "k1"})
    assert first.id == again.id
    assert len(standin.sessions) == 1

    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.checkout.sessions.create(
            params | {"customer_email": "x@example.org"}, options={"idempotency_key": "k1"}
        )


def test_events_are_signed_with_stripes_scheme(stripe_client, standin):
    session = stripe_client.v1.checkout.sessions.create(SESSION | {"expires_at": in_minutes(31)})
    event = standin.complete(session.id)
    body, header = standin.signed(event)

    verified = stripe.Webhook.construct_event(body, header, WEBHOOK_SECRET)
    assert verified.type == "checkout.session.completed"
    assert verified.data.object.payment_status == "paid"
    timestamp = header.split(",")[0].removeprefix("t=")
    assert header == sign(body.decode(), WEBHOOK_SECRET, int(timestamp))


def test_the_checkout_page_shows_the_amount_and_the_buttons(stripe_client, standin):
    session = stripe_client.v1.checkout.sessions.create(SESSION | {"expires_at": in_minutes(31)})
    page = requests.get(session.url, timeout=10)
    assert page.status_code == 200
    assert "120.00 EUR" in page.text
    assert 'value="pay"' in page.text and 'value="cancel"' in page.text

    cancel = requests.post(
        session.url, data={"action": "cancel"}, allow_redirects=False, timeout=10
    )
    assert (cancel.status_code, cancel.headers["Location"]) == (303, SESSION["cancel_url"])
    paid = requests.post(session.url, data={"action": "pay"}, allow_redirects=False, timeout=10)
    assert paid.headers["Location"] == f"https://example.org/ok?session_id={session.id}"
    again = requests.post(session.url, data={"action": "pay"}, allow_redirects=False, timeout=10)
    assert again.status_code == 400  # a session is paid once


# --- in-process, for `make run` ----------------------------------------------------------


def form(params: dict, prefix: str = "") -> dict:
    """Stripe's form encoding, enough for these tests."""
    flat = {}
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else key
        if isinstance(value, dict):
            flat |= form(value, name)
        elif isinstance(value, list):
            flat |= form(dict(enumerate(value)), name)
        else:
            flat[name] = str(value)
    return flat


@pytest.fixture
def fresh_local_standin():
    views._standin = None
    yield
    views._standin = None


@pytest.mark.django_db
def test_with_debug_and_no_keys_the_stand_in_is_mounted_in_process(
    client, settings, fresh_local_standin
):
    settings.DEBUG = True
    settings.STRIPE_SECRET_KEY = ""
    assert gateway.standin_enabled()
    url = reverse("payments:standin", kwargs={"path": "v1/checkout/sessions"})

    answer = client.post(
        url,
        urlencode(form(SESSION | {"expires_at": in_minutes(31)})),
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": f"Bearer {gateway.STANDIN_API_KEY}"},
    )

    assert answer.status_code == 200
    session = answer.json()
    assert session["url"] == f"http://testserver/stripe/standin/pay/{session['id']}"
    page = client.get(reverse("payments:standin", kwargs={"path": f"pay/{session['id']}"}))
    assert "120.00 EUR" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("debug", "key"), [(False, ""), (False, "sk_test_x"), (True, "sk_test_x")]
)
def test_the_stand_in_is_never_reachable_otherwise(
    client, settings, debug, key, fresh_local_standin
):
    settings.DEBUG, settings.STRIPE_SECRET_KEY = debug, key

    assert not gateway.standin_enabled()
    for path in ("v1/checkout/sessions", "pay/cs_test_x", ""):
        assert client.get(reverse("payments:standin", kwargs={"path": path})).status_code == 404
    assert views._standin is None


def test_without_debug_and_without_keys_the_gateway_refuses(settings):
    settings.DEBUG, settings.STRIPE_SECRET_KEY = False, ""
    with pytest.raises(gateway.PaymentsNotConfigured):
        gateway.client()
    with pytest.raises(gateway.InvalidSignature):
        gateway.verify_webhook(b"{}", "t=1,v1=00")


@pytest.mark.django_db(transaction=True)
def test_make_run_pays_end_to_end_offline(
    live_server, settings, session_offering, now, fresh_local_standin
):
    """`make run` without keys: Checkout, the Pay button and the signed webhook all come
    from the stand-in inside the running server; nothing leaves 127.0.0.1."""
    from booking.payments import checkout as payment_checkout

    settings.DEBUG = True
    settings.STRIPE_SECRET_KEY = ""
    settings.SITE_URL = live_server.url
    mail.outbox.clear()

    booking, payment, url = payment_checkout.hold_for_payment(
        offering=session_offering,
        start=THURSDAY_10_BERLIN,
        client_user=None,
        client_name="Ana Sousa",
        client_email="ana@example.org",
        client_timezone="Europe/Berlin",
    )
    assert url.startswith(live_server.url + "/stripe/standin/pay/cs_test_")

    paid = requests.post(url, data={"action": "pay"}, allow_redirects=False, timeout=30)
    assert paid.status_code == 303
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED  # the webhook came before the redirect
    assert views.local_standin().delivery_errors == []
    assert len(booking_emails(mail.outbox)) == 2

    # Held from no browser, so the return page sends no one on: the neutral thank-you.
    page = requests.get(paid.headers["Location"], allow_redirects=False, timeout=30)
    assert page.status_code == 200
    assert "please check your email" in page.text
    assert len(booking_emails(mail.outbox)) == 2


def test_the_stand_in_imports_no_django():
    import subprocess
    import sys

    code = (
        "import sys, booking.payments.standin as s; "
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')], "
        "'django imported'; print('ok')"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr
    assert StripeStandIn  # the class is what tests and the DEBUG mount both use
