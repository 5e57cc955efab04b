"""Correctly signed bodies that are not events we can read answer 400 and are recorded as
rejected (id when usable, reason, when; never the body), and a signature dated beyond the
tolerance in the future is refused like a stale one. Signed with Stripe's own scheme."""

import json
import time

import pytest
import stripe
from django.urls import reverse

from booking.models import Booking
from booking.payments import gateway, webhook_events
from booking.payments.models import Payment, RejectedWebhook, WebhookEvent
from tests.payments.fixtures import WEBHOOK_SECRET, press

pytestmark = pytest.mark.django_db(transaction=True)

SESSION = {"id": "cs_test_1", "object": "checkout.session", "metadata": {}}


def event(**fields) -> dict:
    return {"id": "evt_1", "object": "event", "type": "checkout.session.completed"} | fields


def post_signed(client, payload: str, *, timestamp: int | None = None):
    header = stripe.WebhookSignature.generate_signature_header(
        payload, WEBHOOK_SECRET, timestamp=timestamp
    )
    return client.post(
        reverse("payments:webhook"),
        payload.encode(),
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )


def deep(levels: int) -> str:
    return (
        '{"id": "evt_deep", "type": "x", "data": {"object": '
        + '{"a": ' * levels
        + "1"
        + ("}" * levels)
        + "}}"
    )


MALFORMED = {
    "a list": ("[]", "", webhook_events.NOT_AN_OBJECT),
    "an empty object": ("{}", "", webhook_events.NO_ID),
    "a string": ('"evt"', "", webhook_events.NOT_AN_OBJECT),
    "not JSON": ("{not json", "", webhook_events.NOT_JSON),
    "no data": (json.dumps(event()), "evt_1", webhook_events.NO_DATA_OBJECT),
    "data not an object": (json.dumps(event(data=[1])), "evt_1", webhook_events.NO_DATA_OBJECT),
    "no object": (json.dumps(event(data={})), "evt_1", webhook_events.NO_DATA_OBJECT),
    "object a list": (
        json.dumps(event(data={"object": []})),
        "evt_1",
        webhook_events.NO_DATA_OBJECT,
    ),
    "no id": (
        json.dumps({"type": "checkout.session.completed", "data": {"object": SESSION}}),
        "",
        webhook_events.NO_ID,
    ),
    "a numeric id": (json.dumps(event(id=5, data={"object": SESSION})), "", webhook_events.NO_ID),
    "a 300-character id": (
        json.dumps(event(id="evt_" + "x" * 296, data={"object": SESSION})),
        "",
        webhook_events.NO_ID,
    ),
    "a NUL byte in the id": (
        json.dumps(event(id="evt_\x00", data={"object": SESSION})),
        "",
        webhook_events.NO_ID,
    ),
    "a non-string type": (
        json.dumps(event(type=["checkout.session.completed"], data={"object": SESSION})),
        "evt_1",
        webhook_events.NO_TYPE,
    ),
    "a 300-character type": (
        json.dumps(event(type="x" * 300, data={"object": SESSION})),
        "evt_1",
        webhook_events.NO_TYPE,
    ),
    "a session id that is a number": (
        json.dumps(event(data={"object": {"id": 7}})),
        "evt_1",
        "unusable data.object.id",
    ),
    "a 300-character session id": (
        json.dumps(event(data={"object": {"id": "cs_" + "x" * 300}})),
        "evt_1",
        "unusable data.object.id",
    ),
    "a NUL byte in the payment intent": (
        json.dumps(event(data={"object": SESSION | {"payment_intent": "pi_\x00"}})),
        "evt_1",
        "unusable data.object.payment_intent",
    ),
    "metadata a string": (
        json.dumps(event(data={"object": SESSION | {"metadata": "x"}})),
        "evt_1",
        webhook_events.BAD_METADATA,
    ),
    "a refunded amount in words": (
        json.dumps(
            event(type="charge.refunded", data={"object": {"id": "ch_1", "amount_refunded": "x"}})
        ),
        "evt_1",
        webhook_events.BAD_AMOUNT,
    ),
    "deep nesting": (deep(100), "evt_deep", webhook_events.TOO_DEEP),
    "nesting past the parser": (deep(100_000), "", webhook_events.NOT_JSON),
}


@pytest.mark.parametrize(("payload", "event_id", "reason"), MALFORMED.values(), ids=MALFORMED)
def test_a_signed_malformed_event_is_refused_and_recorded_as_rejected(
    payload, event_id, reason, client, standin, now
):
    answer = post_signed(client, payload)

    assert answer.status_code == 400
    assert answer.json() == {"error": "malformed event", "reason": reason}
    rejected = RejectedWebhook.objects.get()
    assert (rejected.stripe_event_id, rejected.reason) == (event_id, reason)
    assert rejected.received_at is not None
    assert not WebhookEvent.objects.exists()


def test_a_rejection_stores_nothing_of_the_body(client, standin, now):
    secret_email = "ana.private@example.org"
    payload = json.dumps(
        event(data={"object": {"id": 7, "customer_email": secret_email, "pad": "x" * 50_000}})
    )

    post_signed(client, payload)

    rejected = RejectedWebhook.objects.get()
    stored = " ".join(str(getattr(rejected, f.attname)) for f in RejectedWebhook._meta.fields)
    assert secret_email not in stored
    assert len(stored) < 200


def test_a_foreign_payment_reference_is_not_looked_up(client, standin, now):
    """A metadata.payment that is no UUID is not one of ours: the session is unknown."""
    payload = json.dumps(event(data={"object": SESSION | {"metadata": {"payment": "nope"}}}))

    answer = post_signed(client, payload)

    assert answer.status_code == 200
    assert WebhookEvent.objects.get().outcome == "unknown session"


def test_a_badly_signed_body_is_refused_but_not_recorded(client, standin, now):
    answer = client.post(
        reverse("payments:webhook"),
        b"[]",
        content_type="application/json",
        headers={"Stripe-Signature": "t=1,v1=00"},
    )

    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid signature"}
    assert not RejectedWebhook.objects.exists()


def test_a_signature_dated_in_the_future_beyond_the_tolerance_is_refused(
    hold, standin, deliver, now
):
    booking, payment, url = hold()
    press(url)
    [completed] = standin.take_outbox()
    later = int(time.time()) + gateway.WEBHOOK_TOLERANCE_SECONDS + 60

    answer = deliver(completed, timestamp=later)

    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid signature"}
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert (booking.status, payment.state) == (Booking.Status.HELD, Payment.State.PENDING)
    assert not WebhookEvent.objects.exists()


def test_a_signature_a_little_ahead_of_our_clock_is_accepted(hold, standin, deliver, now):
    booking, payment, url = hold()
    press(url)
    [completed] = standin.take_outbox()

    answer = deliver(completed, timestamp=int(time.time()) + 60)  # Stripe's clock runs fast

    assert answer.json()["outcome"] == "confirmed"
