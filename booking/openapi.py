"""The OpenAPI 3.1 description of the JSON API (booking.api), written by hand, as data:
its operations and every status each can answer here, its bodies in booking.openapi_schemas.

Limits and choices come from the forms and models they describe, so the document cannot
drift from what the code accepts; tests compare each response with its schema here, each
limit with the form field that enforces it, and schemathesis fuzzes a live server with it
(tests/booking/test_schemathesis.py).
"""

from booking.api_forms import MAX_SLOT_DAYS
from booking.free_calls import RESEND_LINK_EVERY
from booking.openapi_schemas import OFFERING_SLUG, SCHEMAS, TIMEZONE
from booking.services import AlreadyBooked


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
                        "schema": OFFERING_SLUG,
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
                        "The practitioner's when omitted or empty.",
                        "schema": TIMEZONE | {"enum": ["", *TIMEZONE["enum"]]},
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
                    "address and per email address, or for a signed-in client per account "
                    "(429 with `Retry-After`); past a few free bookings from one network, a "
                    "free one is held (202) until the client confirms it from an email, and "
                    "no manage link is given here; while that network has a few of those "
                    "waiting, another is a 429 with `reason: awaiting_confirmation`."
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
                    "403": _json("Error", "This offering cannot be booked by this caller."),
                    "404": _ref("NotFound"),
                    "409": _json(
                        "Refusal",
                        "The time is held by a booking (`reason`: taken, own_hold), its day "
                        "is fully booked (fully_booked) or the practitioner is busy (busy); "
                        "or this address already has an open assessment call "
                        f"(`reason`: {AlreadyBooked.reason}, with `link_sent`).",
                    ),
                    "429": _ref("RateLimited"),
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
        "schemas": SCHEMAS,
        "headers": {
            "Allow": {
                "description": "The methods this path answers.",
                "schema": {"type": "string", "examples": ["GET, HEAD, OPTIONS"]},
            },
            "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "required": True,
                "schema": {"type": "integer", "minimum": 1},
            },
        },
        "responses": {
            "InvalidInput": _json("ValidationErrors", "Invalid input."),
            "NotFound": _json("Error", "No such offering (or not active), or no such path."),
            "MethodNotAllowed": _json("Error", "The method is not allowed; see `Allow`.")
            | {"headers": {"Allow": {"$ref": "#/components/headers/Allow"}}},
            "RateLimited": _json(
                "RateLimited",
                "Too many bookings from this network or for this address in a short time; "
                "try again after `Retry-After` seconds.",
            )
            | {"headers": {"Retry-After": {"$ref": "#/components/headers/Retry-After"}}},
            "ServerError": _json("Error", "An unexpected failure on the server."),
        },
    },
}
