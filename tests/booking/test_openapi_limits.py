"""Every limit the server enforces on the JSON API is stated in its OpenAPI document, with
the value the forms and the database hold, so that the two cannot drift apart."""

import re
from datetime import date, timedelta
from zoneinfo import available_timezones

import pytest
from django.core.exceptions import ValidationError

from booking import api, api_forms, free_calls, services
from booking.forms import BookingDetailsForm, CouplesDetailsForm
from booking.models import Booking
from practice.models import Offering
from tests.booking.test_api import REQUIRED, api_client, get_slots, post_booking  # noqa: F401
from tests.factories import make_session_offering

SCHEMAS = api.DOCUMENT["components"]["schemas"]
REQUEST = SCHEMAS["BookingRequest"]["properties"]
SLOTS = api.DOCUMENT["paths"]["/slots"]["get"]
SLOT_PARAMETERS = {parameter["name"]: parameter["schema"] for parameter in SLOTS["parameters"]}


def test_each_booking_field_states_the_length_the_api_form_enforces():
    limited = {
        name: field.max_length
        for name, field in api_forms.BookingRequest.base_fields.items()
        if getattr(field, "max_length", None)
    }
    assert set(limited) == {
        "offering",
        "name",
        "email",
        "timezone",
        "note",
        "partner_name",
        "partner_email",
    }
    assert {name: REQUEST[name].get("maxLength") for name in limited} == limited


def test_the_api_and_the_booking_pages_share_each_limit_and_the_database_holds_it():
    pages = BookingDetailsForm.base_fields | CouplesDetailsForm.base_fields
    for name in ("name", "email", "note", "partner_name", "partner_email"):
        assert pages[name].max_length == REQUEST[name]["maxLength"], name
    columns = {
        "name": "client_name",
        "email": "client_email",
        "timezone": "client_timezone",
        "partner_name": "partner_name",
        "partner_email": "partner_email",
    }
    for name, column in columns.items():
        assert Booking._meta.get_field(column).max_length == REQUEST[name]["maxLength"], name
    slug = Offering._meta.get_field("slug").max_length
    assert REQUEST["offering"]["maxLength"] == SLOT_PARAMETERS["offering"]["maxLength"] == slug


def test_the_slots_query_states_its_limits():
    form = api_forms.SlotsQuery.base_fields
    assert SLOT_PARAMETERS["offering"]["maxLength"] == form["offering"].max_length
    assert SLOT_PARAMETERS["timezone"]["maxLength"] == form["timezone"].max_length
    assert SLOTS["x-max-range-days"] == api_forms.MAX_SLOT_DAYS == 62
    assert f"At most {api_forms.MAX_SLOT_DAYS} days at a time." in SLOTS["description"]


def test_the_slots_query_refuses_one_day_past_the_stated_range(api_client, assessment, now):  # noqa: F811
    first = date(2026, 12, 2)
    days = SLOTS["x-max-range-days"]
    last = first + timedelta(days=days - 1)
    assert get_slots(api_client, start=first, end=last).status_code == 200
    response = get_slots(api_client, start=first, end=last + timedelta(days=1))
    assert response.status_code == 400
    assert response.json() == {"errors": {"end": [api_forms.RANGE_TOO_LONG]}}


def _longer_than(limit: int, *, email: bool) -> str:
    if not email:
        return "a" * (limit + 1)
    domain = "example.org"
    while len("a" * 64 + "@" + domain) <= limit:
        domain = "b" * min(63, limit + 1 - len("a" * 64 + "@." + domain)) + "." + domain
    return "a" * 64 + "@" + domain


@pytest.mark.parametrize("name", ["offering", "name", "email", "timezone", "note"])
def test_the_api_refuses_one_character_past_each_stated_length(
    api_client,  # noqa: F811
    assessment,
    now,
    name,
):
    limit = REQUEST[name]["maxLength"]
    value = _longer_than(limit, email=name == "email")
    assert len(value) == limit + 1

    response = post_booking(api_client, **{name: value})

    assert response.status_code == 400
    assert name in response.json()["errors"]
    assert not Booking.objects.exists()


def test_the_partner_fields_are_stated_as_required_for_couples_and_they_are(
    api_client,  # noqa: F811
    practitioner,
    now,
):
    couples = Offering.Kind.COUPLES_SESSION
    for name in ("partner_name", "partner_email"):
        assert REQUEST[name]["x-required-when"] == {"offering.kind": couples}
        assert f"when the offering's `kind` is `{couples}`" in REQUEST[name]["description"]
    make_session_offering(
        practitioner, slug="couples", kind=couples, price=0, returning_clients_only=False
    )

    response = post_booking(api_client, offering="couples")

    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "partner_name": [api.PARTNER_FIELD_REQUIRED],
            "partner_email": [api.PARTNER_FIELD_REQUIRED],
        }
    }


def test_the_repeated_assessment_answer_is_documented():
    operation = api.DOCUMENT["paths"]["/bookings"]["post"]
    assert operation["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Refusal"
    }
    refusal = SCHEMAS["Refusal"]["properties"]
    assert services.AlreadyBooked.reason in refusal["reason"]["enum"]
    assert refusal["link_sent"]["type"] == "boolean"
    assert (
        f"less than {free_calls.RESEND_LINK_EVERY // 60} minutes ago"
        in (refusal["link_sent"]["description"])
    )


# The offering, stated non-empty where it is required


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_offering_is_stated_invalid_and_refused(api_client, assessment, now, blank):  # noqa: F811
    for schema in (REQUEST["offering"], SLOT_PARAMETERS["offering"]):
        assert schema["minLength"] == 1
        assert not re.search(schema["pattern"], blank)
        assert re.search(schema["pattern"], "assessment")

    booked = post_booking(api_client, offering=blank)
    listed = get_slots(api_client, offering=blank, start="2026-12-03", end="2026-12-04")

    assert booked.status_code == listed.status_code == 400
    assert booked.json() == listed.json() == {"errors": {"offering": [REQUIRED]}}
    assert not Booking.objects.exists()


# No NUL byte in any text: PostgreSQL cannot store one, and the forms refuse it


TEXTS = ["offering", "name", "email", "note", "partner_name", "partner_email"]


@pytest.mark.parametrize("name", TEXTS)
def test_each_text_field_is_stated_nul_free_and_a_nul_is_refused(
    api_client,  # noqa: F811
    assessment,
    now,
    name,
):
    assert not re.search(REQUEST[name]["pattern"], "Ana\x00")
    value = "ana\x00@example.org" if "email" in name else "Ana\x00"

    response = post_booking(api_client, **{name: value})

    assert response.status_code == 400
    assert name in response.json()["errors"]
    assert not Booking.objects.exists()


def test_the_not_blank_pattern_reads_whitespace_as_the_forms_strip_it():
    """Django strips what ``str.strip`` strips (the separators \\x1c–\\x1f included)."""
    pattern = REQUEST["name"]["pattern"]
    for blank in (" ", "\t\n", "\x1c\x1f", "\u2003", "\u3000"):
        assert blank.strip() == ""
        assert not re.search(pattern, blank), repr(blank)
    for text in ("Ana", " Ana ", "\u00e9"):
        assert re.search(pattern, text), repr(text)


# Time zones: the document lists exactly the names the server takes


def test_the_timezone_enum_is_every_name_the_server_accepts_and_only_those():
    stated = REQUEST["timezone"]["enum"]
    assert SLOT_PARAMETERS["timezone"]["enum"] == ["", *stated]
    assert {"Europe/Berlin", "Asia/Calcutta", "Asia/Kolkata", "UTC", "Etc/UTC"} <= set(stated)
    field = api_forms.BookingRequest.base_fields["timezone"]
    for zone in stated:
        assert field.clean(zone), zone
        assert len(zone) <= REQUEST["timezone"]["maxLength"]
    for zone in available_timezones() - set(stated):
        with pytest.raises(ValidationError):
            field.clean(zone)


def test_an_empty_slots_timezone_is_stated_and_read_as_the_practitioners(
    api_client,  # noqa: F811
    assessment,
    now,
):
    assert "" in SLOT_PARAMETERS["timezone"]["enum"]

    response = get_slots(api_client, start="2026-12-03", end="2026-12-03", timezone="")

    assert response.status_code == 200
    assert response.json()["timezone"] == "Europe/Berlin"


# Every status an operation can answer, with its headers


def test_booking_states_its_rate_limit_answer_with_retry_after():
    responses = api.DOCUMENT["paths"]["/bookings"]["post"]["responses"]
    limited = api.DOCUMENT["components"]["responses"]["RateLimited"]
    assert responses["429"] == {"$ref": "#/components/responses/RateLimited"}
    assert limited["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RateLimited"
    }
    assert SCHEMAS["RateLimited"]["required"] == ["error", "reason", "retry_after"]
    assert limited["headers"] == {"Retry-After": {"$ref": "#/components/headers/Retry-After"}}
    header = api.DOCUMENT["components"]["headers"]["Retry-After"]
    assert header["required"] is True
    assert header["schema"] == {"type": "integer", "minimum": 1}


def test_a_wrong_method_states_the_allow_header_it_gets(api_client, db):  # noqa: F811
    not_allowed = api.DOCUMENT["components"]["responses"]["MethodNotAllowed"]
    assert not_allowed["headers"] == {"Allow": {"$ref": "#/components/headers/Allow"}}

    response = api_client.delete("/api/v1/slots")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
