"""Booking creation and rescheduling are limited per client address and per email
address: over a limit the API answers 429 with Retry-After and a JSON body, the pages a
warm 429 page that keeps what was typed, and nothing is written or emailed.

Time is frozen at Wednesday 2026-12-02 08:00 UTC; 2026-12-03 09:00 UTC onwards is bookable.
"""

import html
import json
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from booking import links
from booking.models import Booking
from practice import ratelimits

THURSDAY = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


def start_at(n: int) -> str:
    """The n-th half hour from Thursday 10:00 Berlin: distinct, bookable slots."""
    return (THURSDAY + timedelta(minutes=30 * n)).isoformat().replace("+00:00", "Z")


def post_api(client: Client, n: int, *, email: str | None = None, ip="203.0.113.7", **headers):
    body = {
        "offering": "assessment",
        "start": start_at(n),
        "name": "Ana",
        "email": email or f"person{n}@example.org",
        "timezone": "Europe/Berlin",
        "note": "",
        "consent": True,
    }
    return client.post(
        "/api/v1/bookings",
        data=json.dumps(body),
        content_type="application/json",
        REMOTE_ADDR=ip,
        headers=headers,
    )


def post_form(client: Client, n: int, *, email: str | None = None, ip="203.0.113.7", **data):
    form = {
        "start": start_at(n),
        "timezone": "Europe/Berlin",
        "name": "Ana Lima",
        "email": email or f"person{n}@example.org",
        "note": "Sleep, mostly",
        "consent": "on",
    }
    return client.post("/book/assessment/details/", form | data, REMOTE_ADDR=ip)


@pytest.fixture
def limits(settings):
    """Small limits, and no email confirmation in the way, so that one limit is tested at
    a time."""
    settings.BOOKING_RATE_LIMITS = {
        "book": {"ip": "3/h", "email": "2/h"},
        "reschedule": {"ip": "2/h", "email": ""},
    }
    settings.FREE_CALLS_PER_NETWORK = "1000/d"
    return settings.BOOKING_RATE_LIMITS


def test_the_defaults_let_a_couple_and_a_typo_through(client, assessment, now):
    # Ana books for herself, misspells her partner's address, then books for him rightly.
    for n, email in enumerate(("ana@example.org", "joao@exmaple.org", "joao@example.org")):
        assert post_api(client, n, email=email).status_code == 201
    assert Booking.objects.filter(status=Booking.Status.CONFIRMED).count() == 3


def test_the_api_answers_429_with_retry_after_past_the_limit_per_address(
    client, assessment, now, limits
):
    for n in range(3):
        assert post_api(client, n).status_code == 201
    emails_before = len(mail.outbox)

    response = post_api(client, 3)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert response.json() == {
        "error": (
            "Several bookings came from this address or for this email in a short time, so "
            "new ones are paused for a while. Please try again after Retry-After seconds."
        ),
        "reason": "rate_limited",
        "retry_after": int(response["Retry-After"]),
    }
    assert Booking.objects.count() == 3
    assert len(mail.outbox) == emails_before
    # Another address is not held back by this one.
    assert post_api(client, 4, ip="198.51.100.1").status_code == 201


def test_the_api_limits_one_email_address_across_client_addresses(client, assessment, now, limits):
    assert post_api(client, 0, email="ana@example.org", ip="198.51.0.1").status_code == 201
    # Asking again (the existing call's link is resent, at most once in ten minutes)
    # counts as well: each ask may email the address.
    assert post_api(client, 2, email="ana@example.org", ip="198.51.1.1").status_code == 409

    response = post_api(client, 4, email="ANA@example.org", ip="192.0.2.50")

    assert response.status_code == 429
    assert response.json()["reason"] == "rate_limited"
    assert Booking.objects.count() == 1


def test_x_forwarded_for_is_ignored_unless_a_header_is_configured(
    client, assessment, now, limits, settings
):
    for n in range(3):
        post_api(client, n, X_Forwarded_For=f"10.9.{n}.1")
    assert post_api(client, 3, X_Forwarded_For="10.9.9.9").status_code == 429

    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    # The last entry is the one our proxy appended; what the client wrote before it is not
    # believed.
    assert post_api(client, 4, X_Forwarded_For="203.0.113.7, 10.9.9.9").status_code == 201


def test_the_form_answers_a_warm_429_page_and_keeps_what_was_typed(
    client, assessment, now, limits
):
    for n in range(3):
        assert post_form(client, n).status_code == 302
    emails_before = len(mail.outbox)

    response = post_form(client, 3, name="Bea Souza", email="bea@example.org")

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    page = html.unescape(response.content.decode())
    assert "Please wait a moment" in page
    assert "We've had several bookings from this connection or this email address" in page
    assert "Please try again in " in page
    assert "what you typed is kept for you on the form" in page
    assert Booking.objects.count() == 3
    assert len(mail.outbox) == emails_before
    # Back to the details: the same time, and what was typed is still there.
    back = client.get(f"/book/assessment/details/?start={start_at(3)}&tz=Europe/Berlin")
    form = html.unescape(back.content.decode())
    assert 'value="Bea Souza"' in form
    assert 'value="bea@example.org"' in form


def test_rescheduling_is_limited_too(client, assessment, now, limits):
    post_form(client, 0, email="ana@example.org")
    booking = Booking.objects.get()
    for n in (1, 2):
        path = links.manage_path(booking) + "reschedule/"
        assert (
            client.post(path, {"start": start_at(2 * n)}, REMOTE_ADDR="203.0.113.7").status_code
            == 302
        )
        booking.refresh_from_db()

    response = client.post(
        links.manage_path(booking) + "reschedule/",
        {"start": start_at(8)},
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 429
    assert "Your booking is as it was." in html.unescape(response.content.decode())
    booking.refresh_from_db()
    assert booking.start.isoformat().replace("+00:00", "Z") == start_at(4)


def test_a_window_counts_each_hit_once_and_says_when_it_has_room(db):
    rate = ratelimits.Rate(amount=2, seconds=60)
    at = 60 * 16_666_667 + 30.0  # 30 s into a minute
    assert ratelimits.take("test:a", rate, now=at) is None
    assert ratelimits.take("test:a", rate, now=at + 1) is None
    assert ratelimits.take("test:a", rate, now=at + 2) == 28
    assert ratelimits.take("test:b", rate, now=at + 2) is None  # another subject
    assert ratelimits.take("test:a", rate, now=at + 31) is None  # the next window


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_never_overshoot_the_limit():
    """Django's DatabaseCache.incr is a read then a write: counted with it, threads racing
    would each read the same count. Here every hit is an add() of its own key."""
    rate = ratelimits.Rate(amount=5, seconds=3600)
    results = []
    barrier = threading.Barrier(8)

    def hit():
        try:
            barrier.wait()
            results.append(ratelimits.take("test:race", rate))
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(result is None for result in results) == 5


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("203.0.113.7", "203.0.113.0/24"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.0/24"),
    ],
)
def test_a_network_is_the_ipv4_24_or_the_ipv6_64(ip, network):
    assert ratelimits.network_of(ip) == network


def test_emails_are_not_kept_in_clear_in_the_cache(client, assessment, now, limits):
    post_api(client, 0, email="secret.person@example.org")
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM django_cache")
        keys = " ".join(row[0] for row in cursor.fetchall())
    assert "limit:book:email:" in keys
    assert "secret.person" not in keys


def test_starting_a_paid_checkout_is_limited_too(
    client, returning, session_offering, standin, now, settings
):
    settings.BOOKING_RATE_LIMITS = {"book": {"ip": "", "email": "1/h"}}
    client.force_login(returning)

    def pay(n: int):
        form = {"start": start_at(2 * n), "timezone": "Europe/Berlin", "name": "Ana"}
        return client.post("/book/session/details/", form | {"consent": "on"})

    assert pay(0).status_code == 302  # to the checkout page
    response = pay(1)

    assert response.status_code == 429
    assert "Back to your details" in response.content.decode()
    assert Booking.objects.count() == 1
    assert len(standin.sessions) == 1


OFFICE = "198.51.100.20"  # one address for a whole office or household
FRIDAY_SESSION = "2026-12-04T09:00:00Z"  # 10:00 in Berlin, clear of the free calls


@pytest.fixture
def office_full(client, assessment, now, settings):
    """The default limits per address, and ten free calls booked from the office already:
    its address is at its limit for anyone booking without signing in."""
    settings.BOOKING_RATE_LIMITS = {"book": {"ip": "10/h,30/d", "email": "5/h,10/d"}}
    settings.FREE_CALLS_PER_NETWORK = "1000/d"
    for n in range(10):
        assert post_api(client, n, ip=OFFICE).status_code == 201
    assert post_api(client, 10, ip=OFFICE).status_code == 429


def test_a_signed_in_client_pays_from_an_address_full_of_others_free_calls_by_form(
    client, office_full, returning, session_offering, standin
):
    client.force_login(returning)
    form = {"start": FRIDAY_SESSION, "timezone": "Europe/Berlin", "name": "Ana", "consent": "on"}

    response = client.post("/book/session/details/", form, REMOTE_ADDR=OFFICE)

    assert response.status_code == 302
    assert len(standin.sessions) == 1
    assert Booking.objects.get(offering=session_offering).status == Booking.Status.HELD


def test_a_signed_in_client_pays_from_an_address_full_of_others_free_calls_by_api(
    client, office_full, returning, session_offering, standin
):
    client.force_login(returning)
    body = {
        "offering": "session",
        "start": FRIDAY_SESSION,
        "name": "Ana",
        "email": returning.email,
        "timezone": "Europe/Berlin",
        "consent": True,
    }

    response = client.post(
        "/api/v1/bookings", json.dumps(body), content_type="application/json", REMOTE_ADDR=OFFICE
    )

    assert response.status_code == 201, response.json()
    assert response.json()["checkout_url"]
    assert len(standin.sessions) == 1


def test_a_signed_in_client_is_limited_per_account_wherever_they_book_from(
    client, returning, session_offering, standin, now, settings
):
    settings.BOOKING_RATE_LIMITS = {"book": {"ip": "1/h", "email": "2/h"}}
    client.force_login(returning)

    def pay(n: int, ip: str):
        form = {"start": start_at(2 * n), "timezone": "Europe/Berlin", "name": "Ana"}
        return client.post("/book/session/details/", form | {"consent": "on"}, REMOTE_ADDR=ip)

    assert pay(0, "192.0.2.1").status_code == 302
    assert pay(1, "192.0.2.1").status_code == 302  # past the address's limit: not theirs
    assert pay(2, "192.0.2.99").status_code == 429  # the account's limit, from anywhere
    assert len(standin.sessions) == 2


def test_back_to_your_details_after_a_pause_keeps_the_consent_tick(
    client, assessment, now, limits
):
    for n in range(3):
        assert post_form(client, n).status_code == 302

    assert post_form(client, 3, name="Bea Souza", email="bea@example.org").status_code == 429

    back = client.get(f"/book/assessment/details/?start={start_at(3)}&tz=Europe/Berlin")
    [consent] = re.findall(r'<input type="checkbox" name="consent"[^>]*>', back.content.decode())
    assert " checked" in consent
