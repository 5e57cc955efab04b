"""Every limit the server enforces on the JSON API is stated in its OpenAPI document, with
the value the forms and the database hold, so that the two cannot drift apart."""

from datetime import date, timedelta

import pytest

from booking import api, api_forms, services
from booking.forms import BookingDetailsForm, CouplesDetailsForm
from booking.models import Booking
from practice.models import Offering
from tests.booking.test_api import api_client, get_slots, post_booking  # noqa: F401
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
        f"less than {services.RESEND_LINK_EVERY // 60} minutes ago"
        in (refusal["link_sent"]["description"])
    )
