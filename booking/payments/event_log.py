"""Each verified Stripe event is recorded once, in the transaction of what it changed.

The event's id is unique in WebhookEvent: a second delivery that arrives while the first is
being handled finds the record under the practitioner's lock (claim), or trips the unique
id at commit (event_transaction); either way it rolls back as Duplicate and changes nothing.
"""

from contextlib import contextmanager
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from booking.payments.gateway import field
from booking.payments.models import WebhookEvent


class Duplicate(Exception):
    """The event was recorded by another delivery meanwhile: roll back, change nothing."""


@contextmanager
def event_transaction(event):
    """One durable transaction that also records ``event``: if another delivery of it was
    recorded meanwhile (the unique id refuses ours), everything rolls back as Duplicate."""
    try:
        with transaction.atomic(durable=True):
            yield
    except IntegrityError:
        if event is not None and WebhookEvent.objects.filter(stripe_event_id=event.id).exists():
            raise Duplicate from None
        raise


def claim(event) -> None:
    """Inside the lock: stop if another delivery of ``event`` has been recorded."""
    if event is not None and WebhookEvent.objects.filter(stripe_event_id=event.id).exists():
        raise Duplicate


def record(event, status: str, outcome: str, now: datetime) -> None:
    if event is None:
        return
    WebhookEvent.objects.create(
        stripe_event_id=event.id,
        type=event.type,
        object_id=field(event.data.object, "id") or "",
        status=status,
        outcome=str(outcome)[:60],
        received_at=now,
        processed_at=timezone.now(),
    )


def record_alone(event, status: str, outcome: str, now: datetime) -> None:
    if event is None:
        return
    try:
        with event_transaction(event):
            record(event, status, outcome, now)
    except Duplicate:
        pass
