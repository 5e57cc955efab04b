"""The shape a correctly signed webhook body must have before anything acts on it.

A valid signature says the body came from Stripe (or from whoever holds the secret), not
that it is an event we can read: ``[]``, ``{}``, an event without ``data`` or ``id``, an id
no column can hold, a type that is not text, or nesting deep enough to exhaust the stack
all got as far as the handlers and answered 500. ``parse`` refuses each with a reason
(the webhook answers 400) and ``record_rejection`` keeps a note of it: the event's id
when it is usable, the reason and when, never the body, which may be large and carries the
client's email address and payment details.
"""

import json
import uuid
from datetime import datetime

from booking.payments.models import RejectedWebhook
from practice.validators import ID_MAX_LENGTH, text_error

TYPE_MAX_LENGTH = 100  # WebhookEvent.type
# Stripe's own events nest a handful of levels; anything far deeper is not from it.
MAX_DEPTH = 32
# The fields of data.object the handlers read and look up (services.process_event).
OBJECT_IDS = ("id", "payment_intent")

NOT_JSON = "not JSON"
NOT_AN_OBJECT = "not a JSON object"
TOO_DEEP = f"nested more than {MAX_DEPTH} levels"
NO_ID = "no usable id"
NO_TYPE = "no usable type"
NO_DATA_OBJECT = "no data.object"
BAD_OBJECT_FIELD = "unusable data.object.{name}"
BAD_METADATA = "data.object.metadata is not an object"
BAD_AMOUNT = "data.object.amount_refunded is not a whole amount"


class MalformedEvent(Exception):
    """A signed body that is not an event we can act on; ``event_id`` when it had one."""

    def __init__(self, reason: str, event_id: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.event_id = event_id


def parse(payload: bytes | str) -> dict:
    """The event in ``payload`` as plain JSON values; MalformedEvent naming what is wrong.

    A ``metadata.payment`` that is not a UUID cannot be one of our payments (we put our
    payment's public id there), so it is set aside and the session is simply unknown.
    """
    try:
        values = json.loads(payload)
    except (ValueError, RecursionError):
        raise MalformedEvent(NOT_JSON) from None
    if not isinstance(values, dict):
        raise MalformedEvent(NOT_AN_OBJECT)
    event_id = _usable(values.get("id"), ID_MAX_LENGTH) or ""
    if _deeper_than(values, MAX_DEPTH):
        raise MalformedEvent(TOO_DEEP, event_id)
    if not event_id:
        raise MalformedEvent(NO_ID)
    if not _usable(values.get("type"), TYPE_MAX_LENGTH):
        raise MalformedEvent(NO_TYPE, event_id)
    data = values.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        raise MalformedEvent(NO_DATA_OBJECT, event_id)
    for name in OBJECT_IDS:
        if obj.get(name) is not None and not _usable(obj[name], ID_MAX_LENGTH):
            raise MalformedEvent(BAD_OBJECT_FIELD.format(name=name), event_id)
    metadata = obj.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise MalformedEvent(BAD_METADATA, event_id)
    if metadata and not _is_uuid(metadata.get("payment")):
        metadata.pop("payment", None)
    amount = obj.get("amount_refunded")
    if amount is not None and (type(amount) is not int or amount < 0):
        raise MalformedEvent(BAD_AMOUNT, event_id)
    return values


def record_rejection(error: MalformedEvent, *, now: datetime) -> RejectedWebhook:
    return RejectedWebhook.objects.create(
        stripe_event_id=error.event_id, reason=error.reason, received_at=now
    )


def _usable(value, max_length: int) -> str | None:
    if isinstance(value, str) and value and not text_error(value, max_length=max_length):
        return value
    return None


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _deeper_than(values, limit: int) -> bool:
    """Whether lists and objects nest more than ``limit`` levels (without recursion)."""
    stack = [(values, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
