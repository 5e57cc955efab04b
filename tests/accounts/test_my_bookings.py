""" "My bookings": the signed-in client's own bookings, upcoming and past, each with its time
in the client's zone (and the practitioner's) and its manage link. Nobody else's."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import links
from booking.models import Booking
from tests.accounts.support import add_email, make_user, text
from tests.factories import insert_booking, make_session_offering

pytestmark = pytest.mark.django_db

THURSDAY = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # 10:00 Berlin, 04:00 New York
LAST_MONTH = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def test_my_bookings_needs_a_signed_in_client(client):
    response = client.get("/my/bookings/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/?next=/my/bookings/"


def test_the_header_offers_sign_in_or_my_bookings(client, practitioner):
    assert 'href="/accounts/login/code/">Sign in</a>' in text(client.get("/"))
    client.force_login(make_user())
    page = text(client.get("/"))
    assert 'href="/my/bookings/">My bookings</a>' in page
    assert ">Sign in</a>" not in page


def test_my_bookings_shows_only_the_clients_own_bookings(client, assessment, now):
    user = make_user("sam@example.org")
    add_email(user, "sam.work@example.org", verified=True)
    add_email(user, "sam.unproved@example.org", verified=False)
    by_email = insert_booking(
        assessment, THURSDAY, email="SAM@example.org", client_timezone="America/New_York"
    )
    by_second_email = insert_booking(
        assessment, THURSDAY + timedelta(days=1), email="sam.work@example.org"
    )
    owned = insert_booking(
        assessment, THURSDAY + timedelta(days=4), email="typo@example.org", client=user
    )
    unproved = insert_booking(
        assessment, THURSDAY + timedelta(days=5), email="sam.unproved@example.org"
    )
    someone_elses = insert_booking(
        assessment, THURSDAY + timedelta(days=6), email="someone@example.org"
    )
    client.force_login(user)

    response = client.get("/my/bookings/")

    page = text(response)
    for booking in (by_email, by_second_email, owned):
        assert links.manage_path(booking) in page
    for booking in (unproved, someone_elses):
        assert links.manage_path(booking) not in page
    assert [row.booking for row in response.context["upcoming"]] == [
        by_email,
        by_second_email,
        owned,
    ]


def test_each_booking_shows_its_time_in_the_clients_zone_and_the_practitioners(
    client, assessment, now
):
    user = make_user("sam@example.org")
    insert_booking(
        assessment, THURSDAY, email="sam@example.org", client_timezone="America/New_York"
    )
    client.force_login(user)

    page = text(client.get("/my/bookings/"))

    assert "Thursday 3 December, 4:00–4:30 AM" in page
    assert "(New York time)" in page
    assert "That is Thursday 3 December, 10:00–10:30 for Dr. Mara Lindqvist (Berlin time)." in page
    assert "Free assessment call" in page
    assert "Confirmed" in page


def test_past_and_cancelled_bookings_are_listed_apart_most_recent_first_lapsed_holds_not(
    client, assessment, now
):
    user = make_user("sam@example.org")
    session = make_session_offering(assessment.practitioner)
    older = insert_booking(assessment, LAST_MONTH, email="sam@example.org", status="completed")
    newer = insert_booking(
        session, LAST_MONTH + timedelta(days=7), email="sam@example.org", status="completed"
    )
    cancelled = insert_booking(
        assessment, THURSDAY, email="sam@example.org", status=Booking.Status.CANCELLED
    )
    lapsed_hold = insert_booking(
        session,
        THURSDAY + timedelta(days=1),
        email="sam@example.org",
        status=Booking.Status.HELD,
        hold_expires_at=now - timedelta(minutes=1),
    )
    upcoming = insert_booking(assessment, THURSDAY + timedelta(days=2), email="sam@example.org")
    client.force_login(user)

    response = client.get("/my/bookings/")

    assert [row.booking for row in response.context["upcoming"]] == [upcoming]
    past = response.context["past"]
    # A hold whose payment never came was never the client's booking: it is not listed.
    assert [row.booking for row in past] == [cancelled, newer, older]
    assert [row.status_label for row in past] == ["Cancelled", "Completed", "Completed"]
    assert [row.badge for row in past] == ["muted", "", ""]
    page = text(response)
    assert links.manage_path(lapsed_hold) not in page
    assert page.index("Coming up") < page.index(links.manage_path(upcoming))
    assert page.index("Earlier") < page.index(links.manage_path(older))


def test_the_page_reads_the_bookings_in_three_queries_however_many_there_are(
    client, assessment, now
):
    user = make_user("sam@example.org")
    insert_booking(assessment, THURSDAY, email="sam@example.org")
    client.force_login(user)

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/my/bookings/").status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    one = queries()
    session = make_session_offering(assessment.practitioner)
    for days in range(1, 8):
        insert_booking(
            session if days % 2 else assessment,
            THURSDAY + timedelta(days=days, hours=1),
            email="sam@example.org",
        )
    many = queries()

    assert len(many) == len(one)
    # The page's own reads: the verified addresses, the bookings with their offering and
    # practitioner, and their intakes. (The rest: the session, the user, the practice name.)
    own = [sql for sql in many if "account_emailaddress" in sql or "booking_booking" in sql]
    assert len(own) == 2
    assert len([sql for sql in many if "intake_assignment" in sql]) == 1


def test_my_bookings_links_the_clients_own_intake_but_never_a_partners(client, assessment, now):
    from intake.links import fill_path
    from intake.models import Assignment

    user = make_user("sam@example.org")
    booking = insert_booking(assessment, THURSDAY, email="sam@example.org")
    mine = Assignment.objects.create(booking=booking, email="Sam@Example.org", name="Sam")
    partner = Assignment.objects.create(
        booking=booking, email="kim@example.org", name="Kim", role="partner"
    )
    client.force_login(user)

    page = text(client.get("/my/bookings/"))

    assert f'href="{fill_path(mine)}">Questions before your call' in page
    assert fill_path(partner) not in page
