"""The OpenAPI 3.1 description of the JSON API (booking.api), written by hand, as data.

Limits and choices come from the forms and models they describe, so the document cannot
drift from what the code accepts; tests compare each response with its schema here, and
each limit with the form field that enforces it.
"""

from booking.api_forms import MAX_SLOT_DAYS, SLUG_MAX_LENGTH
from booking.forms import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TIMEZONE_MAX_LENGTH,
)
from booking.models import Booking
from booking.refusals import CONFLICTS, Unbookable
from booking.services import RESEND_LINK_EVERY, AlreadyBooked
from practice.models import Offering

_ISO_EXAMPLE = "2026-12-03T04:00:00-05:00"
_COUPLES = Offering.Kind.COUPLES_SESSION.value
_TIMEZONE = {
    "type": "string",
    "maxLength": TIMEZONE_MAX_LENGTH,
    "description": "An IANA zone (Area/City). Legacy names a browser may report "
    "(Asia/Calcutta) are accepted and answered under the listed name (Asia/Kolkata).",
    "examples": ["America/New_York"],
}
_PARTNER_REQUIRED = (
    f"Required, non-empty, when the offering's `kind` is `{_COUPLES}`; ignored otherwise."
)


def _json(schema_name: str, description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }


def _ref(response_name: str) -> dict:
    return {"$ref": f"#/components/responses/{response_name}"}


# Any endpoint: an unreadable request (too many query fields, a body over Django's size
# limit), a wrong method, an unexpected failure.
_COMMON_ERRORS = {
    "400": _ref("InvalidInput"),
    "405": _ref("MethodNotAllowed"),
    "500": _ref("ServerError"),
}

DOCUMENT: dict = {
    "openapi": "3.1.0",
    "info": {
        "title": "Booking API",
        "version": "1.0.0",
        "description": (
            "Offerings, bookable slots and bookings, for embedding the booking widget in the "
            'practice\'s own site. Every answer is JSON, errors included: `{"error": message}`, '
            'or `{"errors": {field: [messages]}}` for invalid input (`__all__` for the '
            "request as a whole). Times are ISO 8601 with the offset of the zone asked for. "
            "Cross-origin calls are answered for the origins the practice allows."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/offerings": {
            "get": {
                "operationId": "listOfferings",
                "summary": "What can be booked: the active offerings, in display order.",
                "responses": {
                    "200": _json("OfferingList", "The active offerings."),
                    **_COMMON_ERRORS,
                },
            }
        },
        "/slots": {
            "get": {
                "operationId": "listSlots",
                "summary": "Bookable slots of one offering between two dates.",
                "x-max-range-days": MAX_SLOT_DAYS,
                "description": (
                    "`start` and `end` are dates in `timezone`, `end` included: the slots "
                    "starting from `start` 00:00 up to (not including) the day after `end` "
                    f"00:00. At most {MAX_SLOT_DAYS} days at a time. Slot times carry the "
                    "offset of `timezone` on their own date, so it changes across a DST "
                    "change."
                ),
                "parameters": [
                    {
                        "name": "offering",
                        "in": "query",
                        "required": True,
                        "description": "The offering's slug.",
                        "schema": {"type": "string", "maxLength": SLUG_MAX_LENGTH},
                    },
                    {
                        "name": "start",
                        "in": "query",
                        "required": True,
                        "description": "First date, in `timezone`.",
                        "schema": {"type": "string", "format": "date"},
                    },
                    {
                        "name": "end",
                        "in": "query",
                        "required": True,
                        "description": "Last date (included), in `timezone`; not before "
                        f"`start`, and at most {MAX_SLOT_DAYS - 1} days after it "
                        f"({MAX_SLOT_DAYS} days in all).",
                        "schema": {"type": "string", "format": "date"},
                    },
                    {
                        "name": "timezone",
                        "in": "query",
                        "required": False,
                        "description": "The zone of the dates and of the answer's times. "
                        "The practitioner's when omitted.",
                        "schema": _TIMEZONE,
                    },
                ],
                "responses": {
                    "200": _json("SlotList", "The slots, earliest first."),
                    "400": _ref("InvalidInput"),
                    "404": _ref("NotFound"),
                    **_COMMON_ERRORS,
                },
            }
        },
        "/bookings": {
            "post": {
                "operationId": "createBooking",
                "summary": "Book a free offering (confirmed at once), or hold a paid one.",
                "description": (
                    "A free offering is confirmed at once. A paid one needs a signed-in "
                    "client (the session cookie), is held while they pay and answers with "
                    "`checkout_url` and `hold_expires_at`. Returning-clients-only offerings "
                    "need a signed-in returning client (403 otherwise). One open free "
                    "assessment call per email address: a second one is a 409 with "
                    f"`reason: {AlreadyBooked.reason}`, and `link_sent` says whether the existing "
                    "booking's link was emailed again now (at most once in "
                    f"{RESEND_LINK_EVERY // 60} minutes per booking). A couples session "
                    "needs `partner_name` and `partner_email`. Bookings are limited per client "
                    "address and per email address (429 with `Retry-After`); past a few free "
                    "bookings from one network, a free one is held (202) until the client "
                    "confirms it from an email, and no manage link is given here."
                ),
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/BookingRequest"}
                        }
                    },
                },
                "responses": {
                    "201": _json("Booking", "Booked and confirmed; an email is on its way."),
                    "202": _json(
                        "AwaitingConfirmation",
                        "Held until `confirm_by`: the client confirms it from the email sent "
                        "to the address given.",
                    ),
                    "429": {
                        "description": "Too many bookings from this address or for this "
                        "email in a short time; try again after `Retry-After` seconds.",
                        "headers": {
                            "Retry-After": {
                                "description": "Seconds to wait.",
                                "schema": {"type": "integer", "minimum": 1},
                            }
                        },
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/RateLimited"}
                            }
                        },
                    },
                    "403": _json("Error", "This offering cannot be booked by this caller."),
                    "404": _ref("NotFound"),
                    "409": _json(
                        "Refusal",
                        "The time is held by a booking (`reason`: taken, own_hold), its day "
                        "is fully booked (fully_booked) or the practitioner is busy (busy); "
                        "or this address already has an open assessment call "
                        f"(`reason`: {AlreadyBooked.reason}, with `link_sent`).",
                    ),
                    "503": _json("Error", "Payment cannot be taken at the moment."),
                    "415": _json("Error", "The body was not sent as application/json."),
                    **_COMMON_ERRORS,
                    # After the common errors: this operation's 400 says more.
                    "400": {
                        "description": "Invalid input, or a time that cannot be booked now "
                        "(`reason`: past, too_soon, too_far, day_off, off_grid).",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {"$ref": "#/components/schemas/ValidationErrors"},
                                        {"$ref": "#/components/schemas/Error"},
                                    ]
                                }
                            }
                        },
                    },
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "getOpenAPI",
                "summary": "This document.",
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    **_COMMON_ERRORS,
                },
            }
        },
    },
    "components": {
        "schemas": {
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
                    "offerings": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Offering"},
                    }
                },
            },
            "Slot": {
                "type": "object",
                "required": ["start", "end"],
                "additionalProperties": False,
                "properties": {
                    "start": {
                        "type": "string",
                        "format": "date-time",
                        "examples": [_ISO_EXAMPLE],
                    },
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
                    "offering": {
                        "type": "string",
                        "maxLength": SLUG_MAX_LENGTH,
                        "description": "The offering's slug.",
                    },
                    "start": {
                        "type": "string",
                        "format": "date-time",
                        "description": "A slot's start, with its UTC offset (a naive time is "
                        "refused), between the years 2 and 9998.",
                        "examples": [_ISO_EXAMPLE],
                    },
                    "name": {"type": "string", "minLength": 1, "maxLength": NAME_MAX_LENGTH},
                    "email": {
                        "type": "string",
                        "format": "email",
                        "maxLength": EMAIL_MAX_LENGTH,
                        "description": "For a paid offering, the signed-in account's address "
                        "is used instead.",
                    },
                    "timezone": _TIMEZONE
                    | {
                        "description": "The client's IANA zone: times in the answer and in "
                        "emails are given in it."
                    },
                    "note": {
                        "type": ["string", "null"],
                        "maxLength": NOTE_MAX_LENGTH,
                        "description": "What brings them, in their words.",
                    },
                    "partner_name": {
                        "type": ["string", "null"],
                        "maxLength": NAME_MAX_LENGTH,
                        "description": f"The partner's name. {_PARTNER_REQUIRED}",
                        "x-required-when": {"offering.kind": _COUPLES},
                    },
                    "partner_email": {
                        "type": ["string", "null"],
                        "format": "email",
                        "maxLength": EMAIL_MAX_LENGTH,
                        "description": f"{_PARTNER_REQUIRED} The partner gets their own "
                        "private intake link. Must differ from `email` and from the "
                        "signed-in account's address.",
                        "x-required-when": {"offering.kind": _COUPLES},
                    },
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
            "RateLimited": {
                "type": "object",
                "required": ["error", "reason", "retry_after"],
                "additionalProperties": False,
                "properties": {
                    "error": {"type": "string"},
                    "reason": {"const": "rate_limited"},
                    "retry_after": {"type": "integer", "minimum": 1},
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
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    }
                },
            },
        },
        "responses": {
            "InvalidInput": _json("ValidationErrors", "Invalid input."),
            "NotFound": _json("Error", "No such offering (or not active), or no such path."),
            "MethodNotAllowed": _json("Error", "The method is not allowed; see `Allow`."),
            "ServerError": _json("Error", "An unexpected failure on the server."),
        },
    },
}
