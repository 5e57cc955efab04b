"""Anonymous reads of the JSON API go straight to their view (practice.middleware.
ApiReadsMiddleware); everything else takes the whole middleware chain."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

QUERY = {"offering": "assessment", "start": "2026-12-03", "end": "2026-12-03"}


def test_an_anonymous_read_is_answered_by_its_view_with_the_security_headers(
    client, assessment, now
):
    answer = client.get("/api/v1/slots", QUERY)
    assert answer.status_code == 200 and answer.json()["slots"]
    assert answer["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware still runs
    assert answer["Referrer-Policy"] == "same-origin"
    # What the rest of the chain would have added: nothing a JSON answer needs.
    assert "Content-Security-Policy" not in answer
    assert "X-Frame-Options" not in answer
    assert not answer.cookies


def test_errors_and_unknown_paths_of_the_api_still_answer_in_json(client, assessment):
    assert client.get("/api/v1/slots", {"offering": "assessment"}).json()["errors"]
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and "error" in missing.json()
    assert client.get("/api/v1/slots\x00").status_code == 404  # the NUL check comes first


def test_a_visitor_with_a_session_takes_the_whole_chain(client, assessment):
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-real-session"
    answer = client.get("/api/v1/slots", QUERY)
    assert answer.status_code == 200
    assert "Content-Security-Policy" in answer


def test_a_write_takes_the_whole_chain(client, assessment):
    answer = client.post("/api/v1/bookings", "{}", content_type="application/json")
    assert answer.status_code == 400
    assert "Content-Security-Policy" in answer


def test_pages_outside_the_api_take_the_whole_chain(client, assessment):
    assert "Content-Security-Policy" in client.get("/book/assessment/")
