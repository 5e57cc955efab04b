"""The stand-in for Stripe served over real HTTP on 127.0.0.1, and helpers to play Stripe.

One wsgiref server (threaded) for the session; each test gets a fresh StripeStandIn behind
it, and settings that point the real ``stripe`` library at it. Events wait in the
stand-in's outbox until a test delivers them, signed with the real scheme, to the webhook
view through Django's test client: in order, twice, late, reordered, or forged.
"""

import socketserver
import threading
from datetime import UTC, datetime
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import requests
from django.core import mail
from django.urls import reverse

from booking.models import Booking
from booking.payments import checkout as payment_checkout
from booking.payments import checkout_access
from booking.payments.models import RefundTier
from booking.payments.standin import StripeStandIn
from practice.models import KnownClient
from tests.factories import make_session_offering

WEBHOOK_SECRET = "whsec_test_secret_for_pytest"
API_KEY = "sk_test_pytest"
# Thursday 3 December 2026, 10:00 in Berlin; the clock stands at Wednesday 08:00 UTC.
THURSDAY_10_BERLIN = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Switch:
    """The session's server hands each request to the current test's stand-in."""

    current: StripeStandIn | None = None

    def __call__(self, environ, start_response):
        return self.current(environ, start_response)


@pytest.fixture(scope="session")
def standin_server():
    switch = _Switch()
    server = make_server(
        "127.0.0.1", 0, switch, server_class=_ThreadingServer, handler_class=_Quiet
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield switch, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def standin(standin_server, settings):
    """A fresh stand-in, with the app's Stripe settings pointing at it."""
    switch, url = standin_server
    switch.current = StripeStandIn(webhook_secret=WEBHOOK_SECRET)
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = url
    yield switch.current
    switch.current = None


@pytest.fixture
def deliver(client, standin):
    """Post an event to the webhook as Stripe would (signed now unless told otherwise)."""

    def post(event, *, timestamp=None, secret=None, signature=None):
        body, header = standin.signed(event, timestamp=timestamp, secret=secret)
        return client.post(
            reverse("payments:webhook"),
            body,
            content_type="application/json",
            headers={"Stripe-Signature": signature if signature is not None else header},
        )

    return post


@pytest.fixture
def flush(deliver, standin):
    """Deliver every waiting event, oldest first; their answers' status codes."""

    def run():
        return [deliver(event).status_code for event in standin.take_outbox()]

    return run


@pytest.fixture
def session_offering(practitioner):
    """A paid hour (120 EUR) with the demo's policy: full ≥ 48 h, half ≥ 24 h, none after."""
    offering = make_session_offering(practitioner, min_notice_minutes=60)
    RefundTier.objects.bulk_create(
        [
            RefundTier(offering=offering, min_hours_before_start=48, refund_percent=100),
            RefundTier(offering=offering, min_hours_before_start=24, refund_percent=50),
        ]
    )
    return offering


@pytest.fixture
def returning(django_user_model):
    """A signed-up client the practitioner knows (KnownClient), who may book sessions."""
    from allauth.account.models import EmailAddress

    user = django_user_model.objects.create_user(username="ana", email="ana@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    KnownClient.objects.create(email=user.email)
    return user


def started_here(client, booking: Booking) -> None:
    """Make ``client`` the browser that started ``booking``'s checkout, as the details page
    and the API note it in the session."""
    session = client.session
    started = session.get(checkout_access.SESSION_KEY, [])
    session[checkout_access.SESSION_KEY] = [*started, str(booking.public_id)]
    session.save()


@pytest.fixture
def hold(session_offering, standin, django_user_model, client, now):
    """Hold a slot for payment as a returning client would, from the test's ``client``
    (which Checkout's return page then recognises as the browser that started it), on the
    suite's clock: the slots it holds are fixed days."""

    def run(start=THURSDAY_10_BERLIN, email="ana@example.org", **kwargs):
        held = payment_checkout.hold_for_payment(
            offering=kwargs.pop("offering", session_offering),
            start=start,
            client_user=kwargs.pop("client_user", None),
            client_name=kwargs.pop("client_name", "Ana Sousa"),
            client_email=email,
            client_timezone=kwargs.pop("client_timezone", "America/New_York"),
            **kwargs,
        )
        started_here(client, held[0])
        return held

    return run


def press(checkout_url: str, action: str = "pay") -> requests.Response:
    """Press a button on the stand-in's checkout page, as the client's browser would."""
    return requests.post(checkout_url, data={"action": action}, allow_redirects=False, timeout=10)


@pytest.fixture
def paid(hold, standin, flush, now):
    """Ana's session on Thursday 10:00 Berlin, paid through the stand-in and confirmed by
    its webhook (25 h ahead: the demo's policy gives 50 % back); the emails cleared."""
    booking, _payment, url = hold()
    press(url)
    flush()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    mail.outbox.clear()
    return booking
