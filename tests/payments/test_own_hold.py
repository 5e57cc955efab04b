"""Back from Stripe Checkout: the client's own unpaid hold is theirs to continue or let go,
never "someone booked it"; and a returning client's name is filled in for them."""

import html
import json
from datetime import UTC, datetime, timedelta

import pytest

from booking import refusals
from booking.links import manage_token
from booking.models import Booking
from tests.factories import insert_booking
from tests.payments.fixtures import THURSDAY_10_BERLIN

pytestmark = pytest.mark.django_db(transaction=True)

SLOT_PARAM = THURSDAY_10_BERLIN.strftime("%Y-%m-%dT%H:%M:%SZ")
PAY_PAGE = f"/book/session/details/?start={SLOT_PARAM}&tz=America/New_York"


def start_paying(client, returning) -> str:
    client.force_login(returning)
    response = client.post(
        "/book/session/details/",
        {"start": SLOT_PARAM, "timezone": "America/New_York", "name": "Ana", "consent": "on"},
    )
    assert response.status_code == 302
    return response["Location"]


def test_back_from_checkout_offers_to_continue_to_payment_or_choose_another_time(
    client,
    returning,
    session_offering,
    standin,
    now,
):
    checkout_url = start_paying(client, returning)

    back = client.get(PAY_PAGE)

    page = html.unescape(back.content.decode())
    assert back.status_code == 409
    assert "<h1>This time is held for you</h1>" in page
    assert (
        "You started paying for Thursday 3 December, 4:00 AM (New York time), and the time is "
        "held for you "
        "while the payment page is open. You can continue to payment, or choose another time."
    ) in page
    assert (
        "It stays held until 3:31 AM on Wednesday 2 December (New York time). "
        "Nothing has been charged yet."
    ) in page
    assert "Someone" not in page
    hold = Booking.objects.get()
    resume = client.get(f"/stripe/checkout/{hold.public_id}/{manage_token(hold)}/resume/")
    assert resume.status_code == 302
    assert resume["Location"] == checkout_url  # the same Checkout Session, not a second one
    assert len(standin.sessions) == 1

    release = client.get(f"/stripe/checkout/{hold.public_id}/{manage_token(hold)}/cancel/")
    assert release.status_code == 302
    hold.refresh_from_db()
    assert hold.status == Booking.Status.EXPIRED
    assert client.get(PAY_PAGE).status_code == 200  # the time is free again, for anyone


def test_a_hold_that_ends_after_midnight_names_its_day_and_zone(
    client,
    returning,
    session_offering,
    standin,
    time_machine,
):
    # Thursday 3 December, 23:49 in Berlin: the hold (its 30 minutes and Stripe's slack)
    # ends on Friday.
    time_machine.move_to(datetime(2026, 12, 3, 22, 49, tzinfo=UTC), tick=False)
    client.force_login(returning)
    friday_16 = "2026-12-04T15:00:00Z"
    assert (
        client.post(
            "/book/session/details/",
            {"start": friday_16, "timezone": "Europe/Berlin", "name": "Ana", "consent": "on"},
        ).status_code
        == 302
    )

    back = client.get(f"/book/session/details/?start={friday_16}&tz=Europe/Berlin")

    page = html.unescape(back.content.decode())
    assert (
        "You started paying for Friday 4 December, 16:00 (Berlin time), and the time is held "
        "for you while the payment page is open."
    ) in page
    assert (
        "It stays held until 00:20 on Friday 4 December (Berlin time). "
        "Nothing has been charged yet."
    ) in page


def test_a_hold_that_ended_cannot_be_resumed(
    client,
    returning,
    session_offering,
    standin,
    now,
):
    start_paying(client, returning)
    hold = Booking.objects.get()
    token = manage_token(hold)
    client.get(f"/stripe/checkout/{hold.public_id}/{token}/cancel/")

    resume = client.get(f"/stripe/checkout/{hold.public_id}/{token}/resume/", follow=True)

    assert (
        "The time held for you has been let go, so nothing is booked. Please pick a time again."
        in html.unescape(resume.content.decode())
    )
    assert len(standin.sessions) == 1


def test_someone_elses_hold_is_taken_not_yours(
    client,
    returning,
    session_offering,
    standin,
    now,
):
    insert_booking(
        session_offering,
        THURSDAY_10_BERLIN,
        status=Booking.Status.HELD,
        email="ben@example.org",
        hold_expires_at=now + timedelta(minutes=20),
    )
    client.force_login(returning)

    page = html.unescape(client.get(PAY_PAGE).content.decode())

    assert "<h1>That time was just taken</h1>" in page
    assert "Continue to payment" not in page


def test_a_returning_clients_name_is_filled_in_on_their_first_paid_booking(
    client,
    returning,
    session_offering,
    assessment,
    now,
):
    insert_booking(
        assessment,
        now - timedelta(days=30),
        status=Booking.Status.COMPLETED,
        email="ana@example.org",
        client_name="Ana Sousa",
    )  # the free call, booked before there was an account
    client.force_login(returning)

    page = html.unescape(client.get(PAY_PAGE).content.decode())

    assert 'name="name" value="Ana Sousa"' in page


def test_the_api_says_a_time_overlapping_the_clients_own_hold_is_held_for_them(
    client,
    returning,
    session_offering,
    standin,
    now,
):
    client.force_login(returning)

    def post(start: str):
        body = {
            "offering": "session",
            "start": start,
            "name": "Ana",
            "email": returning.email,
            "timezone": "Asia/Tokyo",
            "consent": True,
        }
        return client.post("/api/v1/bookings", json.dumps(body), content_type="application/json")

    assert post(SLOT_PARAM).status_code == 201
    response = post("2026-12-03T09:30:00Z")

    assert response.status_code == 409
    assert response.json() == {
        "error": "You started paying for Thursday 3 December, 18:00 (Tokyo time), and the time "
        "is held for you while the payment page is open. You can continue to payment, or "
        "choose another "
        "time.",
        "reason": "own_hold",
    }


def test_only_the_clients_own_hold_gives_its_links(session_offering, now):
    """The refusal page's "continue to payment" links carry the hold's private token, so the
    hold it names is looked up again and must be the client's own, never another's."""
    theirs = insert_booking(
        session_offering,
        THURSDAY_10_BERLIN,
        email="other@example.org",
        status=Booking.Status.HELD,
        hold_expires_at=now + timedelta(minutes=30),
    )
    found = {
        email: refusals.own_hold(
            offering=session_offering, start=THURSDAY_10_BERLIN, now=now, client_email=email
        )
        for email in ("ana@example.org", "Other@Example.org", "")
    }

    assert found == {"ana@example.org": None, "Other@Example.org": theirs, "": None}
