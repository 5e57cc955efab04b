"""A walk over the OpenAPI document's error answers: for bad inputs to GET /slots and
POST /bookings the server answers one of the statuses the document lists for that
operation, never 500, and always as JSON with ``error`` or ``errors``."""

import json

import pytest
from django.test import Client

from booking.api_forms import RANGE_TOO_LONG
from booking.forms import EMAIL_MAX_LENGTH
from booking.openapi import DOCUMENT

GOOD = {
    "offering": "assessment",
    "start": "2026-12-03T04:00:00-05:00",
    "name": "Ana",
    "email": "ana@example.org",
    "timezone": "America/New_York",
    "consent": True,
}


def documented(path: str, method: str) -> set[int]:
    responses = DOCUMENT["paths"][path][method]["responses"]
    return {int(code) for code in responses if code.startswith(("4", "5"))} - {500}


def assert_documented_error(response, path: str, method: str) -> dict:
    assert response.status_code in documented(path, method), (
        response.status_code,
        response.content[:300],
    )
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert "error" in body or "errors" in body, body
    return body


@pytest.fixture
def api(assessment, now):
    return Client()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"offering": "assessment"},
        {"offering": "nobody-offers-this", "start": "2026-12-03", "end": "2026-12-04"},
        {"offering": "assessment", "start": "tomorrow", "end": "2026-12-04"},
        {"offering": "assessment", "start": "2026-12-03", "end": "2026-13-40"},
        {"offering": "assessment", "start": "2026-12-04", "end": "2026-12-03"},
        {"offering": "assessment", "start": "2026-12-01", "end": "2027-02-01"},  # 63 days
        {"offering": "assessment", "start": "0001-01-01", "end": "0001-01-02"},
        {"offering": "assessment", "start": "9999-12-30", "end": "9999-12-31"},
        {"offering": "assessment", "start": "2026-12-03", "end": "2026-12-04", "timezone": "X"},
        {"offering": "a" * 500, "start": "2026-12-03", "end": "2026-12-04"},
        {"offering": ["assessment", "x"], "start": "2026-12-03", "end": "2026-12-04"},
    ],
)
def test_a_bad_slots_query_gets_a_documented_json_error(api, query):
    response = api.get("/api/v1/slots", query)
    assert_documented_error(response, "/slots", "get")


def test_a_63_day_range_is_refused_and_62_days_answered(api):
    base = {"offering": "assessment", "start": "2026-12-03", "timezone": "Europe/Berlin"}
    too_long = api.get("/api/v1/slots", base | {"end": "2027-02-03"})
    assert too_long.status_code == 400
    assert too_long.json() == {"errors": {"end": [RANGE_TOO_LONG]}}
    assert api.get("/api/v1/slots", base | {"end": "2027-02-02"}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[]",
        b"null",
        b'"text"',
        b"1e999",
        b"{}",
        json.dumps(GOOD | {"offering": "nobody-offers-this"}).encode(),
        json.dumps(GOOD | {"offering": 7}).encode(),
        json.dumps(GOOD | {"start": 7}).encode(),
        json.dumps(GOOD | {"start": ["2026-12-03T04:00:00-05:00"]}).encode(),
        json.dumps(GOOD | {"start": {"at": 1}}).encode(),
        json.dumps(GOOD | {"start": "2026-12-03T04:00:00"}).encode(),
        json.dumps(GOOD | {"start": "9999-12-31T23:59:59+00:00"}).encode(),
        json.dumps(GOOD | {"start": "0001-01-01T00:00:00+00:00"}).encode(),
        json.dumps(GOOD | {"start": "2026-12-03T04:00:00-23:59"}).encode(),
        json.dumps(GOOD | {"name": 3}).encode(),
        json.dumps(GOOD | {"name": None}).encode(),
        json.dumps(GOOD | {"email": ["ana@example.org"]}).encode(),
        json.dumps(GOOD | {"email": "a" * EMAIL_MAX_LENGTH + "@example.org"}).encode(),
        json.dumps(GOOD | {"timezone": 5}).encode(),
        json.dumps(GOOD | {"timezone": ["Europe/Berlin"]}).encode(),
        json.dumps(GOOD | {"timezone": "Mars/Olympus"}).encode(),
        json.dumps(GOOD | {"consent": "true"}).encode(),
        json.dumps(GOOD | {"note": {"a": 1}}).encode(),
        json.dumps(GOOD | {"note": "x" * 100_000}).encode(),
        json.dumps(GOOD | {"partner_email": 1}).encode(),
        json.dumps(GOOD | {"start": "2026-12-01T09:00:00+00:00"}).encode(),  # past
        json.dumps(GOOD | {"start": "2026-12-03T04:07:00-05:00"}).encode(),  # off grid
        json.dumps(GOOD | {"start": "2026-12-05T10:00:00+01:00"}).encode(),  # Saturday
        json.dumps(GOOD | {"start": "2027-06-03T10:00:00+02:00"}).encode(),  # beyond horizon
    ],
)
def test_a_bad_booking_request_gets_a_documented_json_error(api, body):
    response = api.post("/api/v1/bookings", body, content_type="application/json")
    assert_documented_error(response, "/bookings", "post")


def test_a_body_not_sent_as_json_gets_415(api):
    response = api.post("/api/v1/bookings", GOOD)
    assert response.status_code == 415
    assert_documented_error(response, "/bookings", "post")


def test_an_overlong_email_is_refused_with_the_forms_limit(api):
    email = "a" * (EMAIL_MAX_LENGTH - len("@example.org") + 1) + "@example.org"
    response = api.post(
        "/api/v1/bookings", GOOD | {"email": email}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "email" in response.json()["errors"]
