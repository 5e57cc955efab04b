"""The Stripe webhook: verify one delivery, then act on the event it carries, once.

A repeated event id changes nothing (booking.payments.event_log); a Checkout paid goes to
the confirmation shared with the success page; a Checkout ended releases its hold unless
something was paid; a charge refunded (by us or from Stripe's dashboard) updates the total.
"""

from datetime import datetime

from django.utils import timezone

from booking.payments import gateway, payment_links, policy, webhook_events
from booking.payments.confirmation import confirm_payment, payment_for_session, release
from booking.payments.event_log import Duplicate, claim, event_transaction, record, record_alone
from booking.payments.gateway import field
from booking.payments.models import Payment, WebhookEvent
from booking.payments.refunds import locked_payment, set_refunded
from booking.services import lock_practitioner


def handle_webhook(*, payload: bytes, signature: str | None, now: datetime | None = None) -> str:
    """Verify, record and act on one delivery from Stripe; returns the outcome's name.

    Raises gateway.InvalidSignature (answer 400: nothing was read or changed), or
    webhook_events.MalformedEvent for a signed body it cannot read (answer 400; the
    rejection is recorded, without the body). A repeated
    event id changes nothing. Any other error rolls back the event's record with its
    effects, so Stripe's retry handles it afresh.
    """
    try:
        event = gateway.verify_webhook(payload, signature)
    except webhook_events.MalformedEvent as error:
        webhook_events.record_rejection(error, now=now or timezone.now())
        raise
    return process_event(event, now=now)


def process_event(event, *, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if WebhookEvent.objects.filter(stripe_event_id=event.id).exists():
        return "duplicate"
    obj = event.data.object
    kind = event.type
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        outcome = confirm_payment(checkout_session_id=obj.id, session=obj, event=event, now=now)
        return str(outcome.result)
    if kind in ("checkout.session.async_payment_failed", "checkout.session.expired"):
        return _session_ended(event, obj, now=now)
    if kind == "charge.refunded":
        return _charge_refunded(event, obj, now=now)
    record_alone(event, WebhookEvent.Status.IGNORED, "not handled", now)
    return "ignored"


def _session_ended(event, session, *, now: datetime) -> str:
    """Checkout expired, or its delayed payment failed: release the hold if nothing was
    paid. A captured payment is never undone by a late or reordered event."""
    payment = payment_for_session(session.id, session)
    if payment is None or payment_links.outlived_by_hold(payment, now=now):
        outcome = "unknown session" if payment is None else "payment link still held"
        record_alone(event, WebhookEvent.Status.IGNORED, outcome, now)
        return "ignored"
    failed = event.type == "checkout.session.async_payment_failed"
    reason = "payment_failed" if failed else "checkout_expired"
    state = Payment.State.FAILED if failed else Payment.State.EXPIRED
    try:
        release(payment.booking, reason=reason, payment_state=state, now=now, event=event)
    except Duplicate:
        return "duplicate"
    return reason


def _charge_refunded(event, charge, *, now: datetime) -> str:
    """Stripe's word on how much of a charge is refunded, ours or from its dashboard."""
    intent_id = field(charge, "payment_intent") or ""
    payment = Payment.objects.filter(payment_intent_id=intent_id).first() if intent_id else None
    if payment is None:
        record_alone(event, WebhookEvent.Status.IGNORED, "unknown charge", now)
        return "ignored"
    refunded = policy.from_minor(int(field(charge, "amount_refunded") or 0), payment.currency)
    try:
        with event_transaction(event):
            lock_practitioner(payment.booking.practitioner_id)
            claim(event)
            set_refunded(locked_payment(payment.pk), refunded, now=now)
            record(event, WebhookEvent.Status.PROCESSED, "refund recorded", now)
    except Duplicate:
        return "duplicate"
    return "refund recorded"
