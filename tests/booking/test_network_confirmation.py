"""Past a few free bookings from one network (IPv4 /24, IPv6 /64), a new free call is held
until its client confirms it from an email: nobody else is emailed until then, confirming
makes it an ordinary confirmed booking, and unconfirmed it lapses and frees its time. An
address also has only so many unconfirmed bookings at once.

Time is frozen at Wednesday 2026-12-02 08:00 UTC; 2026-12-03 09:00 UTC onwards is bookable.
"""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client

from booking import free_calls, links, selectors, services
from booking.models import Booking, BookingEvent
from booking.payments import checkout
from tests.booking.test_rate_limits import post_api, post_form, start_at
from tests.factories import booking_emails, insert_booking, make_session_offering

# Committed for real: emails and hold expiry follow each commit (transaction.on_commit).
pytestmark = pytest.mark.django_db(transaction=True)

THURSDAY = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def network_threshold(settings):
    settings.FREE_CALLS_PER_NETWORK = "2/d"
    settings.BOOKING_RATE_LIMITS = {"book": {"ip": "100/h", "email": "100/h"}}


def confirm_link(message) -> str:
    found = re.search(r"http://testserver(/booking/[^/\s]+/[0-9a-f]+/confirm/)", message.body)
    assert found, message.body
    return found.group(1)


def fill_network(client: Client, network="203.0.113"):
    for n in range(2):
        assert post_form(client, n, ip=f"{network}.{n + 1}").status_code == 302
    mail.outbox.clear()


def test_a_busy_network_must_confirm_by_email_and_only_then_she_hears_of_it(
    client, assessment, now, network_threshold
):
    fill_network(client)

    with time_machine.travel(now, tick=False):  # however long filling it took
        response = post_form(client, 4, email="bea@example.org", ip="203.0.113.99")

    booking = Booking.objects.get(client_email="bea@example.org")
    assert booking.status == Booking.Status.HELD
    assert booking.hold_expires_at == (now + timedelta(minutes=30)).replace(microsecond=0)
    assert response["Location"] == "/book/assessment/check-your-email/"
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "Check your email to confirm" in page
    assert "sent a link to b…@example.org" in page
    assert links.manage_token(booking) not in page  # the link is only in the email
    # One email, to the address given; nothing to the practitioner yet.
    assert [message.to for message in mail.outbox] == [["bea@example.org"]]
    request = mail.outbox[0]
    assert request.subject.startswith("Please confirm your")
    assert not request.attachments
    # The held time is not free for anyone else meanwhile.
    assert start_at(4) not in {
        slot.start.isoformat().replace("+00:00", "Z")
        for slot in selectors.available_slots(
            offering=assessment, start=THURSDAY, end=THURSDAY + timedelta(days=1), now=now
        )
    }

    path = confirm_link(request)
    shown = client.get(path)  # a mail scanner opening the link confirms nothing
    assert "Confirm my booking" in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]  # its link is in the address bar
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD

    confirmed = Client().post(path)  # from the email, in another browser

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.hold_expires_at is None
    assert confirmed["Location"] == links.manage_path(booking) + "?booked=1"
    assert booking.events.filter(kind=BookingEvent.Kind.CONFIRMED).exists()
    recipients = sorted(tuple(message.to) for message in mail.outbox[1:])
    assert ("bea@example.org",) in recipients
    assert (assessment.practitioner.email,) in recipients
    [confirmation] = [m for m in booking_emails(mail.outbox[1:]) if m.to == ["bea@example.org"]]
    assert "text/calendar" in confirmation.message().as_string()
    # Pressing again says it is confirmed, and leads no further (see the last test).
    again = Client().post(path)
    assert again.status_code == 200
    assert "This booking is confirmed" in html.unescape(again.content.decode())


def test_an_unconfirmed_call_lapses_and_frees_its_time(client, assessment, now, network_threshold):
    fill_network(client)
    post_form(client, 4, email="bea@example.org", ip="203.0.113.99")
    booking = Booking.objects.get(client_email="bea@example.org")
    path = confirm_link(mail.outbox[0])

    with time_machine.travel(now + timedelta(minutes=31), tick=False):
        assert services.expire_holds() == 1
        booking.refresh_from_db()
        assert booking.status == Booking.Status.EXPIRED
        free = selectors.available_slots(
            offering=assessment,
            start=THURSDAY,
            end=THURSDAY + timedelta(days=1),
            now=now + timedelta(minutes=31),
        )
        assert start_at(4) in {slot.start.isoformat().replace("+00:00", "Z") for slot in free}
        late = Client().get(path)
        assert late.status_code == 410
        assert "This time was freed" in late.content.decode()
        assert Client().post(path).status_code == 409
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    assert [message.to for message in mail.outbox] == [["bea@example.org"]]  # nothing more


def test_another_network_books_at_once(client, assessment, now, network_threshold):
    fill_network(client)

    assert post_form(client, 4, email="bea@example.org", ip="203.0.114.1").status_code == 302

    assert Booking.objects.get(client_email="bea@example.org").status == "confirmed"


def test_ipv6_addresses_of_one_64_are_one_network(client, assessment, now, network_threshold):
    for n in range(2):
        post_form(client, n, ip=f"2001:db8:5:6::{n + 1}")

    post_form(client, 4, email="bea@example.org", ip="2001:db8:5:6:ffff::1")

    assert Booking.objects.get(client_email="bea@example.org").status == "held"


def test_the_api_says_check_your_email_and_gives_no_manage_link(
    client, assessment, now, network_threshold
):
    fill_network(client)

    with time_machine.travel(now, tick=False):  # however long filling it took
        response = post_api(client, 4, email="bea@example.org", ip="203.0.113.99")

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "held"
    assert body["confirm_by"] == "2026-12-02T09:30:00+01:00"
    assert body["message"].startswith("Check your email to confirm")
    assert "manage_url" not in body
    assert links.manage_token(Booking.objects.get(client_email="bea@example.org")) not in (
        response.content.decode()
    )


def test_asking_again_resends_the_confirmation_not_the_manage_link(
    client, assessment, now, network_threshold
):
    fill_network(client)
    post_form(client, 4, email="bea@example.org", ip="203.0.113.99")
    booking = Booking.objects.get(client_email="bea@example.org")
    mail.outbox.clear()

    response = post_api(client, 6, email="bea@example.org", ip="198.51.100.1")

    assert response.status_code == 409
    assert response.json()["error"] == free_calls.AWAITING_CONFIRMATION_EXISTS
    assert len(mail.outbox) == 1
    assert "/confirm/" in mail.outbox[0].body
    assert links.manage_token(booking) not in mail.outbox[0].body


def test_an_address_has_only_so_many_unconfirmed_bookings(
    client, assessment, now, network_threshold, settings
):
    settings.MAX_UNCONFIRMED_PER_ADDRESS = 2
    sessions = make_session_offering(assessment.practitioner)
    for hours in (30, 32):
        insert_booking(
            sessions,
            THURSDAY + timedelta(hours=hours),
            status=Booking.Status.HELD,
            email="bea@example.org",
            hold_expires_at=now + timedelta(minutes=20),
        )
    fill_network(client)

    response = post_api(client, 4, email="bea@example.org", ip="203.0.113.99")

    assert response.status_code == 409
    assert response.json()["error"] == services.TOO_MANY_UNCONFIRMED.format(count=2)
    assert Booking.objects.filter(client_email="bea@example.org").count() == 2
    assert mail.outbox == []


def test_the_unconfirmed_ceiling_holds_for_unpaid_holds_too(assessment, now, settings, standin):
    settings.MAX_UNCONFIRMED_PER_ADDRESS = 1
    sessions = make_session_offering(assessment.practitioner)
    insert_booking(
        sessions,
        THURSDAY + timedelta(hours=30),
        status=Booking.Status.HELD,
        email="sam@example.org",
        hold_expires_at=now + timedelta(minutes=20),
    )
    from booking import services

    with pytest.raises(services.BookingError) as refusal:
        checkout.hold_for_payment(
            offering=sessions,
            start=THURSDAY + timedelta(hours=48),
            client_user=None,
            client_name="Sam",
            client_email="sam@example.org",
            client_timezone="Europe/Berlin",
        )
    assert refusal.value.message == services.TOO_MANY_UNCONFIRMED.format(count=1)
    assert Booking.objects.count() == 1


def test_a_forged_confirm_link_opens_nothing(client, assessment, now, network_threshold):
    fill_network(client)
    post_form(client, 4, email="bea@example.org", ip="203.0.113.99")
    booking = Booking.objects.get(client_email="bea@example.org")
    forged = f"/booking/{booking.public_id}/{links.manage_token(booking)}/confirm/"

    assert client.post(forged).status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD


def hold_two_calls(client: Client) -> None:
    """A full network, then two calls from it awaiting their confirmation: its ceiling."""
    fill_network(client)
    for n, who in ((4, "bea"), (5, "cai")):
        response = post_form(client, n, email=f"{who}@example.org", ip="203.0.113.99")
        assert response["Location"] == "/book/assessment/check-your-email/"
    mail.outbox.clear()


def test_a_network_has_only_two_calls_awaiting_confirmation_on_the_pages(
    client, assessment, now, network_threshold
):
    hold_two_calls(client)

    response = post_form(client, 6, name="Dee", email="dee@example.org", ip="203.0.113.42")

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 30 * 60
    page = html.unescape(response.content.decode())
    assert "still waiting to be confirmed from their emails" in page
    assert (
        "Please confirm the bookings waiting in your email first, or try again in 30 minutes."
        in page
    )
    assert "what you typed is kept for you on the form" in page
    assert not Booking.objects.filter(client_email="dee@example.org").exists()
    assert Booking.objects.filter(status=Booking.Status.HELD).count() == 2
    assert mail.outbox == []


def test_a_network_has_only_two_calls_awaiting_confirmation_in_the_api(
    client, assessment, now, network_threshold
):
    hold_two_calls(client)

    response = post_api(client, 6, email="dee@example.org", ip="203.0.113.42")

    assert response.status_code == 429
    assert response["Retry-After"] == str(response.json()["retry_after"])
    assert response.json() == {
        "error": "Some free calls booked from this network are still waiting to be confirmed "
        "from their emails. Please confirm the bookings waiting in your email first, or try "
        "again in 30 minutes.",
        "reason": "awaiting_confirmation",
        "retry_after": int(response["Retry-After"]),
    }
    assert not Booking.objects.filter(client_email="dee@example.org").exists()
    assert mail.outbox == []


def test_confirming_a_waiting_call_makes_room_for_another(
    client, assessment, now, network_threshold
):
    hold_two_calls(client)
    booking = Booking.objects.get(client_email="bea@example.org")
    path = f"/booking/{booking.public_id}/{links.confirm_token(booking)}/confirm/"
    assert Client().post(path).status_code == 302

    response = post_api(client, 6, email="dee@example.org", ip="203.0.113.42")

    assert response.status_code == 202
    assert Booking.objects.get(client_email="dee@example.org").status == Booking.Status.HELD


def test_confirm_link_after_confirming_and_rescheduling_leads_to_no_manage_link(
    client, assessment, now, network_threshold
):
    fill_network(client)
    post_form(client, 4, email="bea@example.org", ip="203.0.113.99")
    path = confirm_link(mail.outbox[0])
    booking = Booking.objects.get(client_email="bea@example.org")
    assert Client().post(path).status_code == 302
    booking.refresh_from_db()
    old_manage = links.manage_path(booking)
    moved = Client().post(old_manage + "reschedule/", {"start": start_at(8)})
    assert moved.status_code == 302
    booking.refresh_from_db()
    assert links.manage_path(booking) != old_manage
    mail.outbox.clear()

    for opened in (Client().get(path), Client().post(path)):
        assert opened.status_code == 200
        page = html.unescape(opened.content.decode())
        assert "This booking is confirmed" in page
        assert "The link to change or cancel it is in your confirmation email" in page
        assert links.manage_token(booking) not in page
        assert "bea@example.org" not in page
        assert "no-store" in opened["Cache-Control"]
    assert mail.outbox == []

    # Its one action emails the current link to the booking's own address.
    sent = Client().post(path, {"send_link": "1"})

    assert sent.status_code == 200
    assert "b…@example.org" in html.unescape(sent.content.decode())
    assert links.manage_token(booking) not in sent.content.decode()
    [message] = mail.outbox
    assert message.to == ["bea@example.org"]
    assert links.manage_path(booking) in message.body
