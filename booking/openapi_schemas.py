"""The bodies of the JSON API's OpenAPI document (booking.openapi): what a client sends
and what it gets back, as JSON Schema.

Each limit is the constant the form that parses the field enforces (booking.api_forms,
booking.forms), and each choice the model's own, so the document cannot promise less or
more than the server holds to; tests/booking/test_openapi_limits.py compares them.
"""

from booking.api_forms import SLUG_MAX_LENGTH
from booking.forms import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TIMEZONE_MAX_LENGTH,
)
from booking.free_calls import RESEND_LINK_EVERY
from booking.models import Booking
from booking.refusals import CONFLICTS, Unbookable
from booking.services import AlreadyBooked
from practice.models import Offering
from practice.timezones import accepted_timezones

ISO_EXAMPLE = "2026-12-03T04:00:00-05:00"
COUPLES = Offering.Kind.COUPLES_SESSION.value

# Django's text fields refuse a NUL byte (PostgreSQL cannot store one), and strip the ends,
# so a required text must hold something besides whitespace.
NO_NUL = r"^[^\u0000]*$"
NOT_BLANK = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"


def text(max_length: int, *, required: bool = False, **extra) -> dict:
    """A string as the API's forms take it: at most ``max_length`` characters, no NUL,
    and when ``required`` more than whitespace."""
    schema = {"type": "string", "maxLength": max_length}
    schema |= {"minLength": 1, "pattern": NOT_BLANK} if required else {"pattern": NO_NUL}
    return schema | extra


def optional_text(max_length: int, **extra) -> dict:
    """A string that may also be left out, ``null`` or empty."""
    return text(max_length, **extra) | {"type": ["string", "null"]}


TIMEZONE = {
    "type": "string",
    "maxLength": TIMEZONE_MAX_LENGTH,
    "enum": list(accepted_timezones()),
    "description": "An IANA zone (Area/City). Legacy names a browser may report "
    "(Asia/Calcutta) are accepted and answered under the listed name (Asia/Kolkata).",
    "examples": ["America/New_York"],
}
OFFERING_SLUG = text(
    SLUG_MAX_LENGTH,
    required=True,
    description="The offering's slug (`slug` in GET /offerings).",
    examples=["assessment", "couples", "session"],
)
_PARTNER_REQUIRED = (
    f"Required, non-empty, when the offering's `kind` is `{COUPLES}`; ignored otherwise."
)
_EMAIL = {"format": "email", "pattern": NO_NUL}

SCHEMAS: dict = {
    "Offering": {
        "type": "object",
        "required": [
            "slug",
            "name",
            "kind",
            "duration_minutes",
            "price",
            "currency",
            "returning_clients_only",
        ],
        "additionalProperties": False,
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": list(Offering.Kind.values)},
            "duration_minutes": {"type": "integer", "minimum": 5},
            "price": {
                "type": "string",
                "pattern": r"^\d+\.\d{2}$",
                "description": "A decimal amount as a string, e.g. `0.00`, `120.00`.",
            },
            "currency": {"type": "string", "examples": ["EUR"]},
            "returning_clients_only": {"type": "boolean"},
        },
    },
    "OfferingList": {
        "type": "object",
        "required": ["offerings"],
        "additionalProperties": False,
        "properties": {
            "offerings": {"type": "array", "items": {"$ref": "#/components/schemas/Offering"}}
        },
    },
    "Slot": {
        "type": "object",
        "required": ["start", "end"],
        "additionalProperties": False,
        "properties": {
            "start": {"type": "string", "format": "date-time", "examples": [ISO_EXAMPLE]},
            "end": {"type": "string", "format": "date-time"},
        },
    },
    "SlotList": {
        "type": "object",
        "required": ["offering", "timezone", "slots"],
        "additionalProperties": False,
        "properties": {
            "offering": {"type": "string", "description": "The offering's slug."},
            "timezone": {"type": "string", "description": "The zone of the times."},
            "slots": {"type": "array", "items": {"$ref": "#/components/schemas/Slot"}},
        },
    },
    "BookingRequest": {
        "type": "object",
        "required": ["offering", "start", "name", "email", "timezone", "consent"],
        "properties": {
            "offering": OFFERING_SLUG,
            "start": {
                "type": "string",
                "format": "date-time",
                "description": "A slot's start, with its UTC offset (a naive time is "
                "refused), between the years 2 and 9998.",
                "examples": [ISO_EXAMPLE],
            },
            "name": text(NAME_MAX_LENGTH, required=True),
            "email": {"type": "string", "maxLength": EMAIL_MAX_LENGTH, **_EMAIL}
            | {
                "description": "For a paid offering, the signed-in account's address "
                "is used instead."
            },
            "timezone": TIMEZONE
            | {
                "description": "The client's IANA zone: times in the answer and in "
                "emails are given in it."
            },
            "note": optional_text(
                NOTE_MAX_LENGTH, description="What brings them, in their words."
            ),
            "partner_name": optional_text(
                NAME_MAX_LENGTH,
                description=f"The partner's name. {_PARTNER_REQUIRED}",
                **{"x-required-when": {"offering.kind": COUPLES}},
            ),
            "partner_email": optional_text(
                EMAIL_MAX_LENGTH,
                **_EMAIL,
                description=f"{_PARTNER_REQUIRED} The partner gets their own private intake "
                "link. Must differ from `email` and from the signed-in account's address.",
                **{"x-required-when": {"offering.kind": COUPLES}},
            ),
            "consent": {
                "const": True,
                "description": "Agreement to the privacy notice: JSON true only.",
            },
        },
    },
    "Booking": {
        "type": "object",
        "required": ["id", "status", "start", "end", "manage_url"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "status": {"type": "string", "enum": list(Booking.Status.values)},
            "start": {
                "type": "string",
                "format": "date-time",
                "description": "In the client's zone.",
            },
            "end": {"type": "string", "format": "date-time"},
            "manage_url": {
                "type": "string",
                "format": "uri",
                "description": "Private link to reschedule or cancel.",
            },
            "checkout_url": {
                "type": "string",
                "format": "uri",
                "description": "Paid offerings: where the client pays.",
            },
            "hold_expires_at": {
                "type": "string",
                "format": "date-time",
                "description": "Paid offerings: the slot is held until then.",
            },
        },
    },
    "AwaitingConfirmation": {
        "type": "object",
        "required": ["id", "status", "start", "end", "confirm_by", "message"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "status": {"const": Booking.Status.HELD.value},
            "start": {"type": "string", "format": "date-time"},
            "end": {"type": "string", "format": "date-time"},
            "confirm_by": {
                "type": "string",
                "format": "date-time",
                "description": "Unconfirmed by then, the time is freed again.",
            },
            "message": {"type": "string"},
        },
    },
    "Refusal": {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {"type": "string"},
            "reason": {
                "type": "string",
                "enum": sorted(CONFLICTS) + [AlreadyBooked.reason],
                "description": "Why the booking was refused; `error` says it in words.",
            },
            "link_sent": {
                "type": "boolean",
                "description": "With `already_booked`: whether that booking's link "
                "was emailed again just now (false: it was sent less than "
                f"{RESEND_LINK_EVERY // 60} minutes ago and is not sent again).",
            },
        },
    },
    "RateLimited": {
        "type": "object",
        "required": ["error", "reason", "retry_after"],
        "additionalProperties": False,
        "properties": {
            "error": {"type": "string"},
            "reason": {
                "enum": ["rate_limited", "awaiting_confirmation"],
                "description": "`awaiting_confirmation`: this network's free calls awaiting "
                "their email confirmation are at their ceiling; confirming them makes room.",
            },
            "retry_after": {
                "type": "integer",
                "minimum": 1,
                "description": "Seconds to wait, as in `Retry-After`.",
            },
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {"type": "string"},
            "reason": {
                "type": "string",
                "enum": list(Unbookable),
                "description": "Why a time was refused; `error` says it in words.",
            },
        },
    },
    "ValidationErrors": {
        "type": "object",
        "required": ["errors"],
        "additionalProperties": False,
        "properties": {
            "errors": {
                "type": "object",
                "description": "Messages by field; `__all__` for the request as a "
                "whole (malformed JSON, unreadable request).",
                "additionalProperties": {
                    "type": "array",
                    "items": {"type": "string"},
                    "minItems": 1,
                },
            }
        },
    },
}
