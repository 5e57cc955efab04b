"""Single sessions are for returning clients: on the page and in the API, a visitor is
asked to sign in, a signed-in newcomer is offered the free call, a returning client goes on."""

import json
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from booking import api
from booking.models import Booking
from practice.models import KnownClient
from tests.accounts.support import make_user, text
from tests.factories import insert_booking, make_session_offering

pytestmark = pytest.mark.django_db

LAST_MONTH = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
SLOT_PARAM = "2026-12-03T09:00:00Z"


@pytest.fixture
def session(assessment):
    return make_session_offering(assessment.practitioner)


@pytest.fixture
def newcomer():
    return make_user("new@example.org")


@pytest.fixture
def returning(assessment):
    user = make_user("sam@example.org")
    insert_booking(assessment, LAST_MONTH, email="sam@example.org", status="completed")
    return user


def slot_links(page: str) -> bool:
    return 'class="slot"' in page


def test_a_visitor_is_asked_to_sign_in_and_offered_the_free_call(client, session, now):
    response = client.get("/book/session/?tz=Europe/Berlin")
    page = text(response)

    assert response.templates[0].name == "booking/returning_only.html"
    assert "If that's you, sign in with your email and you can choose a time." in page
    next_url = quote("/book/session/?tz=Europe/Berlin", safe="")
    assert f'href="/accounts/login/code/?next={next_url}">Sign in with your email</a>' in (
        response.content.decode()
    )
    assert 'href="/book/assessment/">Book a free assessment call</a>' in page
    assert not slot_links(page)


def test_a_signed_in_newcomer_is_kindly_offered_the_free_call(client, session, newcomer, now):
    client.force_login(newcomer)

    page = text(client.get("/book/session/"))

    assert "Single sessions follow a first conversation with Dr. Mara Lindqvist" in page
    assert "we don't have one on record for new@example.org yet" in page
    assert 'href="/book/assessment/">Book a free assessment call</a>' in page
    assert "Sign in with your email" not in page
    assert not slot_links(page)


def test_a_returning_client_sees_the_week_of_slots(client, session, returning, now):
    client.force_login(returning)

    response = client.get("/book/session/?tz=Europe/Berlin")

    assert response.templates[0].name == "booking/slots.html"
    page = text(response)
    assert 'aria-label="Thursday 3 December, 10:00"' in page
    assert f"/book/session/details/?start={SLOT_PARAM}" in page


def test_a_client_the_practitioner_marked_sees_the_slots_too(client, session, now):
    KnownClient.objects.create(email="marked@example.org")
    client.force_login(make_user("marked@example.org"))

    assert slot_links(text(client.get("/book/session/")))


def test_signing_in_from_the_session_page_leads_back_to_it(client, session, now):
    from tests.accounts.support import sign_in_by_code

    insert_booking(session, LAST_MONTH, email="sam@example.org", status="completed")
    refused = client.get("/book/session/")
    sign_in_url = refused.context["sign_in_url"]
    assert sign_in_url == "/accounts/login/code/?next=%2Fbook%2Fsession%2F"

    done = sign_in_by_code(client, "sam@example.org", next_url="/book/session/")

    assert done["Location"] == "/book/session/"
    assert slot_links(text(client.get("/book/session/")))


def test_the_details_page_keeps_the_same_door(client, session, newcomer, now):
    anonymous = client.get(f"/book/session/details/?start={SLOT_PARAM}")
    assert anonymous.templates[0].name == "booking/returning_only.html"
    assert anonymous.context["sign_in_url"] == ("/accounts/login/code/?next=%2Fbook%2Fsession%2F")
    client.force_login(newcomer)
    page = text(client.get(f"/book/session/details/?start={SLOT_PARAM}"))
    assert "Single sessions follow a first conversation" in page


def test_a_returning_client_confirms_the_time_and_terms_before_paying(
    client, session, returning, now
):
    client.force_login(returning)

    page = text(client.get(f"/book/session/details/?start={SLOT_PARAM}"))

    assert "Confirm your session" in page
    assert "Continue to payment" in page
    assert not Booking.objects.filter(offering=session).exists()


# The API: the same door, as a 403 with a message.


def post_booking(client, offering):
    body = {
        "offering": offering.slug,
        "start": SLOT_PARAM,
        "name": "Sam",
        "email": "sam@example.org",
        "timezone": "Europe/Berlin",
        "note": "",
        "consent": True,
    }
    return client.post("/api/v1/bookings", json.dumps(body), content_type="application/json")


def test_the_api_asks_visitors_to_book_the_free_call_first(client, session, now):
    response = post_booking(client, session)

    assert response.status_code == 403
    assert response.json() == {"error": api.RETURNING_CLIENTS_ONLY}


def test_the_api_tells_a_signed_in_newcomer_sessions_follow_a_first_call(
    client, session, newcomer, now
):
    client.force_login(newcomer)

    response = post_booking(client, session)

    assert response.status_code == 403
    assert response.json() == {"error": api.NOT_YET_A_CLIENT}
    assert api.NOT_YET_A_CLIENT == (
        "Single sessions follow a first conversation, and this account has none yet. Please "
        "book a free assessment call first."
    )


def test_the_api_holds_the_slot_and_answers_the_checkout_for_a_returning_client(
    client, session, returning, now, standin
):
    client.force_login(returning)

    response = post_booking(client, session)

    assert response.status_code == 201
    body = response.json()
    booking = Booking.objects.get(public_id=body["id"])
    assert body["status"] == "held" == booking.status
    assert body["checkout_url"].endswith(booking.payment.checkout_session_id)
    assert datetime.fromisoformat(body["hold_expires_at"]) == booking.hold_expires_at
    assert booking.client == returning and booking.client_email == returning.email


def test_a_returning_client_books_a_free_offering_for_returning_clients(
    client, assessment, returning, now
):
    follow_up = make_session_offering(
        assessment.practitioner, slug="follow-up", name="Follow-up call", price=0
    )
    client.force_login(returning)

    response = post_booking(client, follow_up)

    assert response.status_code == 201, response.json()
    assert Booking.objects.filter(offering=follow_up).count() == 1
