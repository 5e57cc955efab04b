"""Every way text comes in from outside, walked with NUL bytes and very long values: the
answer is a clear refusal (a form with its message, a 400 with JSON, a neutral page or a
404), never a 5xx, and nothing is written. PostgreSQL refuses a NUL byte and a value longer
than its column where SQLite would store both, so the walk runs on both databases."""

import json
from datetime import timedelta
from uuid import uuid4

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client

from booking.models import Booking, BookingEvent
from booking.payments.models import Payment, WebhookEvent
from practice.validators import EMAIL_MAX_LENGTH, EMAIL_TOO_LONG, NUL_CHARACTER
from tests.factories import insert_booking
from tests.payments.fixtures import THURSDAY_10_BERLIN

pytestmark = pytest.mark.django_db(transaction=True)

NUL = "ana\x00sousa"
LONG = "x" * 10_000
# One past the column, and far past it: Django's own email check stops at 320 characters.
EMAIL_255 = "a" * (EMAIL_MAX_LENGTH + 1 - len("@example.org")) + "@example.org"
EMAIL_LONG = "a" * 10_000 + "@example.org"
TEXTS = [NUL, LONG]
EMAILS = ["ana\x00@example.org", EMAIL_255, EMAIL_LONG]
SLOT = THURSDAY_10_BERLIN.isoformat()


def rows() -> dict[str, int]:
    models = [Booking, BookingEvent, Payment, WebhookEvent, get_user_model(), EmailAddress]
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def booked(assessment, now):
    """A real booking, so that the walk's ids sit beside one that exists."""
    return insert_booking(assessment, THURSDAY_10_BERLIN + timedelta(days=1))


def get(path: str, **query):
    return lambda client: client.get(path, query)


def post(path: str, data: dict):
    return lambda client: client.post(path, data)


def post_json(path: str, data: dict):
    return lambda client: client.post(path, json.dumps(data), content_type="application/json")


def booking_form(value: str, field: str) -> dict:
    data = {
        "start": SLOT,
        "timezone": "Europe/Berlin",
        "name": "Ana",
        "email": "ana@example.org",
        "note": "",
        "consent": "on",
    }
    return data | {field: value}


def api_booking(value: str, field: str) -> dict:
    data = {
        "offering": "assessment",
        "start": SLOT,
        "name": "Ana",
        "email": "ana@example.org",
        "timezone": "Europe/Berlin",
        "consent": True,
    }
    return data | {field: value}


FORM_TEXTS = ["start", "timezone", "name", "email", "note"]  # consent is a box: any value ticks it
API_TEXTS = ["offering", "start", "name", "email", "timezone", "consent"]


def text_entry_points(value: str) -> list:
    some_id = uuid4()
    return [
        get("/stripe/checkout/return/", session_id=value),
        get("/book/assessment/", tz=value, week=value),
        get("/book/assessment/details/", start=value, tz=value),
        get("/api/v1/slots", offering=value, start="2026-12-03", end="2026-12-04"),
        get("/api/v1/slots", offering="assessment", timezone=value, start=value, end=value),
        get(f"/booking/{some_id}/{value}/"),
        get(f"/booking/{some_id}/{value}/cancel/"),
        get(f"/stripe/checkout/{some_id}/{value}/cancel/"),
        get(f"/stripe/checkout/{some_id}/{value}/resume/"),
        get(f"/intake/{value}/"),
        get(f"/intake/{value}/review/"),
        get(f"/book/{value}/"),
        get(f"/{value}/"),
        *[post("/book/assessment/details/", booking_form(value, f)) for f in FORM_TEXTS],
        *[post_json("/api/v1/bookings", api_booking(value, f)) for f in API_TEXTS],
        post("/accounts/login/code/confirm/", {"code": value}),
        post("/accounts/login/", {"login": value, "password": value}),
    ]


def email_entry_points(email: str) -> list:
    return [
        post("/accounts/login/code/", {"email": email}),
        post("/accounts/signup/", {"email": email, "password1": "a long enough passphrase 42"}),
        post("/accounts/login/", {"login": email, "password": "whatever it is"}),
        post("/accounts/password/reset/", {"email": email}),
        post("/book/assessment/details/", booking_form(email, "email")),
        post_json("/api/v1/bookings", api_booking(email, "email")),
    ]


def walk(entry_points) -> list[tuple[int, int]]:
    """Each entry point from a fresh browser; the 5xx answers and the rows written."""
    broken = []
    for number, request in enumerate(entry_points):
        before = rows()
        response = request(Client(raise_request_exception=False))
        if response.status_code >= 500 or rows() != before:
            broken.append((number, response.status_code))
    return broken


@pytest.mark.parametrize("value", TEXTS, ids=["nul", "10000-chars"])
def test_texts_with_nul_bytes_or_ten_thousand_characters_are_refused_everywhere(
    value, booked, assessment
):
    assert walk(text_entry_points(value)) == []


@pytest.mark.parametrize("email", EMAILS, ids=["nul", "255-chars", "10000-chars"])
def test_impossible_email_addresses_are_refused_everywhere(email, booked, assessment):
    assert walk(email_entry_points(email)) == []


@pytest.mark.parametrize("email", [EMAIL_255, EMAIL_LONG])
def test_a_sign_in_code_for_an_overlong_address_says_why_and_creates_no_account(email, db):
    response = Client().post("/accounts/login/code/", {"email": email})

    assert response.status_code == 200
    assert EMAIL_TOO_LONG in response.content.decode()
    assert not get_user_model().objects.exists()


def test_a_nul_byte_in_a_sign_in_address_is_named(db):
    response = Client().post("/accounts/login/code/", {"email": "ana\x00@example.org"})

    assert response.status_code == 200
    assert NUL_CHARACTER in response.content.decode()
    assert not get_user_model().objects.exists()


def test_a_nul_byte_in_a_session_cookie_starts_a_fresh_session(assessment, now):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"

    assert client.get("/book/assessment/").status_code == 200


def test_the_local_standin_refuses_nonsense_too(settings, db):
    settings.DEBUG, settings.STRIPE_SECRET_KEY = True, ""
    client = Client(raise_request_exception=False)
    for value in TEXTS:
        assert client.get(f"/stripe/standin/pay/{value}").status_code == 404
        assert client.post(f"/stripe/standin/pay/{value}", {"action": value}).status_code < 500
    answer = client.post(
        "/stripe/standin/v1/checkout/sessions",
        b"\xff\xfe",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": "Bearer sk_test_local_standin"},
    )
    assert 400 <= answer.status_code < 500


@pytest.mark.parametrize("email", EMAILS, ids=["nul", "255-chars", "10000-chars"])
def test_a_signed_in_client_cannot_add_an_impossible_address(email, returning):
    client = Client(raise_request_exception=False)
    client.force_login(returning)
    before = rows()

    response = client.post("/accounts/email/", {"action_add": "", "email": email})

    assert response.status_code == 200
    assert rows() == before
