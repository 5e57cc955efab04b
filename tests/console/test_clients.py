"""Her clients: the list she searches, a page per client, and the returning-client mark."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Booking
from console.clients import client_key
from practice.models import KnownClient
from tests.conftest import NOW
from tests.console.client_data import hardship_for, intake_for, paid_session
from tests.console.support import make_account, sign_in_with_factor
from tests.factories import insert_booking

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def page_of(console, email: str):
    return console.get(f"/console/clients/{client_key(email)}/")


# --- who may look ----------------------------------------------------------------------------


@pytest.mark.parametrize("fields", [{}, {"is_staff": True}], ids=["client", "staff"])
def test_nobody_but_her_sees_a_client_page(client, practitioner, assessment, now, fields):
    insert_booking(assessment, NOW + DAY, email="zoe@example.org")
    someone = make_account("someone@example.org", **fields)
    sign_in_with_factor(client, someone)
    key = client_key("zoe@example.org")

    for path in [f"/console/clients/{key}/", f"/console/clients/{key}/erase/"]:
        assert client.get(path).status_code == 404
    assert client.post(f"/console/clients/{key}/returning/", {"note": "x"}).status_code == 404
    assert not KnownClient.objects.exists()


def test_signed_out_she_is_asked_to_sign_in(client, practitioner, assessment):
    response = client.get("/console/clients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unknown_key_is_a_plain_404(console, assessment):
    insert_booking(assessment, NOW + DAY, email="zoe@example.org")
    assert console.get("/console/clients/0123456789abcdef0123456789abcdef/").status_code == 404
    assert console.get("/console/clients/zoe@example.org/").status_code == 404


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_everyone_once_whatever_the_case_of_their_email(
    console, assessment, session, couples, now
):
    insert_booking(assessment, NOW - 30 * DAY, email="Zoe@Example.org", client_name="Zoë Brandt")
    insert_booking(
        session,
        NOW - 3 * DAY,
        email="zoe@example.org",
        client_name="Zoë Brandt",
        status=Booking.Status.COMPLETED,
    )
    insert_booking(session, NOW + 2 * DAY, email="ZOE@example.org", client_name="Zoë Brandt")
    insert_booking(assessment, NOW + DAY, email="new@example.org", client_name="Noa Fischer")
    insert_booking(
        couples,
        NOW - 10 * DAY,
        email="lee@example.org",
        client_name="Lee Park",
        partner_name="Kim Park",
        partner_email="kim@example.org",
    )
    KnownClient.objects.create(email="marked@example.org", note="Worked together in 2024")

    response = console.get("/console/clients/")

    assert response.status_code == 200
    text = response.content.decode()
    assert text.count("zoe@example.org") == 1
    assert "Zoe@Example.org" not in text and "ZOE@" not in text
    # The next session first, then the latest last session, then those with none.
    order = [text.index(e) for e in ["new@", "zoe@", "lee@", "marked@"]]
    assert order == sorted(order)
    assert "kim@example.org" in text  # a couples partner is a client too
    rows = {c.email: c for c in response.context["page"].object_list}
    assert rows["zoe@example.org"].sessions == 3  # the free call, the completed one, the next
    assert rows["zoe@example.org"].returning
    assert rows["new@example.org"].is_new and not rows["new@example.org"].returning
    assert rows["marked@example.org"].returning
    assert rows["zoe@example.org"].name == "Zoë Brandt"
    # No email in any link: each client is reached by an opaque key.
    assert f'href="/console/clients/{client_key("zoe@example.org")}/"' in text
    assert "clients/zoe@" not in text


def test_search_finds_by_name_or_email_forgiving_case_and_accents(console, assessment, now):
    insert_booking(assessment, NOW + DAY, email="zoe@example.org", client_name="Zoë Brandt")
    insert_booking(assessment, NOW + 2 * DAY, email="noa@example.org", client_name="Noa Fischer")

    def found(query):
        response = console.get("/console/clients/", {"q": query})
        return [c.email for c in response.context["page"].object_list]

    assert found("zoe") == ["zoe@example.org"]
    assert found("BRANDT") == ["zoe@example.org"]
    assert found("noa@exa") == ["noa@example.org"]
    assert found("fischer noa") == ["noa@example.org"]
    assert found("nobody") == []
    assert "No one by that name or email" in console.get("/console/clients/?q=nobody").text


def test_the_list_is_fifty_a_page(console, assessment, now):
    for i in range(53):
        insert_booking(assessment, NOW - (i + 1) * DAY, email=f"c{i:02}@example.org")

    first = console.get("/console/clients/")
    second = console.get("/console/clients/", {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert [c.email for c in second.context["page"].object_list] == [
        "c50@example.org",
        "c51@example.org",
        "c52@example.org",
    ]
    assert "Page 2 of 2" in second.text


# --- a client's page ---------------------------------------------------------------------------


def test_her_page_of_a_client_shows_bookings_money_intakes_and_hardship(
    console, assessment, session, now
):
    call = insert_booking(
        assessment,
        NOW - 40 * DAY,
        email="zoe@example.org",
        client_name="Zoë Brandt",
        status=Booking.Status.COMPLETED,
        client_timezone="America/New_York",
    )
    past = paid_session(
        session,
        NOW - 10 * DAY,
        email="zoe@example.org",
        name="Zoë Brandt",
        refund=Decimal("60.00"),
        status=Booking.Status.CANCELLED,
        client_timezone="America/New_York",
    )
    hardship_for(past)
    ahead = paid_session(
        session,
        NOW + 3 * DAY,
        email="zoe@example.org",
        name="Zoë Brandt",
        client_timezone="America/New_York",
    )
    intake_for(ahead, answers={"what_brings_you": "sleep"})
    intake_for(past)

    response = page_of(console, "zoe@example.org")

    assert response.status_code == 200
    text = response.content.decode()
    assert "<h1>Zoë Brandt</h1>" in text
    assert "New York" in text
    assert f'href="/console/bookings/{ahead.public_id}/"' in text
    assert f'href="/console/bookings/{call.public_id}/"' in text
    assert response.context["client"].upcoming == [ahead]
    assert response.context["client"].past == [past, call]
    assert "120.00 EUR" in text and "Refund of 60.00 EUR (50 %)" in text
    assert f'href="/intake/review/{ahead.public_id}/"' in text
    assert ": sent" in text and "invited, not started" in text
    assert "approved" in text
    assert f'href="/console/book/?client={client_key("zoe@example.org")}"' in text
    assert "Returning client" in text
    # Reading her client page reads no answers: only the intake review does, and logs it.
    assert "sleep" not in text


def test_a_partner_page_shows_the_couples_session_but_not_the_clients_money(console, couples, now):
    booking = paid_session(
        couples,
        NOW - 5 * DAY,
        email="lee@example.org",
        name="Lee Park",
        partner_name="Kim Park",
        partner_email="kim@example.org",
    )

    response = page_of(console, "kim@example.org")

    assert response.status_code == 200
    assert "<h1>Kim Park</h1>" in response.text
    assert "as partner" in response.text
    assert response.context["client"].past == [booking]
    assert response.context["client"].payments == []


def test_the_client_page_queries_do_not_grow_with_bookings(console, assessment, session, now):
    def add(count, email, hours):
        for i in range(count):
            booking = paid_session(
                session,
                NOW - (i + 1) * DAY + timedelta(hours=hours),
                email=email,
                name="Zoë Brandt",
                refund=Decimal("10.00") if i % 2 else None,
            )
            intake_for(booking, answers={"what_brings_you": "x"} if i % 3 else None)
            if i % 4 == 0:
                hardship_for(booking)
            insert_booking(assessment, NOW + (i + 1) * DAY + timedelta(hours=hours), email=email)

    add(2, "few@example.org", hours=2)
    add(40, "many@example.org", hours=4)

    def queries(email):
        page_of(console, email)  # warm up the session and the questionnaire files
        with CaptureQueriesContext(connection) as captured:
            assert page_of(console, email).status_code == 200
        return len(captured.captured_queries)

    few, many = queries("few@example.org"), queries("many@example.org")
    assert few == many
    assert many <= 16


# --- the returning-client mark ---------------------------------------------------------------


def test_marking_a_client_as_returning_keeps_her_note_and_emails_no_one(console, assessment, now):
    insert_booking(assessment, NOW - 5 * DAY, email="Noa@Example.org", client_name="Noa Fischer")
    key = client_key("noa@example.org")

    response = console.post(
        f"/console/clients/{key}/returning/", {"note": "Worked together in 2024"}, follow=True
    )

    known = KnownClient.objects.get()
    assert known.email == "noa@example.org"
    assert known.note == "Worked together in 2024"
    assert "Worked together in 2024" in response.text
    assert "Saved: they can book the sessions for returning clients." in response.text
    assert mail.outbox == []

    console.post(f"/console/clients/{key}/returning/", {"note": "Since 2023"})
    assert KnownClient.objects.get().note == "Since 2023"


def test_a_mark_without_a_note_comes_back_with_the_error(console, assessment, now):
    insert_booking(assessment, NOW - 5 * DAY, email="noa@example.org")

    response = console.post(
        f"/console/clients/{client_key('noa@example.org')}/returning/", {"note": "  "}
    )

    assert response.status_code == 400
    assert "One thing to fix before we can save this" in response.text
    assert 'href="#id_note"' in response.text
    assert not KnownClient.objects.exists()


def test_removing_the_mark_asks_first_then_removes_it(console, assessment, now):
    insert_booking(assessment, NOW - 5 * DAY, email="noa@example.org")
    KnownClient.objects.create(email="noa@example.org", note="Worked together in 2024")
    url = f"/console/clients/{client_key('noa@example.org')}/returning/remove/"

    asked = console.get(url)
    assert asked.status_code == 200
    assert "Remove the returning-client mark?" in asked.text
    assert "only be able to book a free assessment call" in asked.text
    assert KnownClient.objects.exists()

    done = console.post(url, follow=True)
    assert not KnownClient.objects.exists()
    assert "The returning-client mark and its note are removed." in done.text
    assert "Mark as returning client" in done.text


def test_a_client_known_only_by_the_mark_has_a_page(console, practitioner, now):
    KnownClient.objects.create(email="marked@example.org", note="Referred by a colleague")

    response = page_of(console, "marked@example.org")

    assert response.status_code == 200
    assert "<h1>marked@example.org</h1>" in response.text
    assert "Referred by a colleague" in response.text
