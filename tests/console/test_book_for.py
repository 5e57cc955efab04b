"""Book for a client: every path's booking, its emails and invite, its history row; a new
client and a known one; outside the open times only when she confirms, never over another
booking; bad input comes back with its errors and writes nothing; nobody but her gets in.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from booking import booking_changes, free_calls, selectors, services
from booking.models import Booking, BookingEvent
from booking.payments import payment_links
from booking.payments.models import Payment, Refund, WebhookEvent
from console.clients import client_key
from practice.models import KnownClient, Offering
from tests.console.support import make_account, sign_in_with_factor
from tests.factories import booking_emails, insert_booking, make_offering
from tests.payments.fixtures import THURSDAY_10_BERLIN, press

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/console/book/"


def answers(what, start=THURSDAY_10_BERLIN, **fields) -> dict:
    """Every step's answers at once, as the review step posts them."""
    data = {
        "step": "review",
        "name": "Robin Vale",
        "email": "Robin@Example.org",
        "tz": "America/New_York",
        "offering": what.slug,
        "slot": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return {key: value for key, value in (data | fields).items() if value is not None}


def invite_of(message) -> str:
    parts = [a for a in message.attachments if getattr(a, "get_filename", lambda: "")()]
    if parts:
        return parts[0].get_payload(decode=True).decode()
    return next(content for name, content, _ in message.attachments if name == "invite.ics")


def to(address: str) -> list:
    """The emails about the booking to ``address`` (not the intake invitations beside them)."""
    return [m for m in booking_emails(mail.outbox) if m.to == [address]]


def created_event(booking: Booking) -> BookingEvent:
    return booking.events.get(kind=BookingEvent.Kind.CREATED)


# --- free ---------------------------------------------------------------------------------


def test_a_free_call_for_a_new_client_is_confirmed_with_the_usual_emails(console, assessment, now):
    response = console.post(URL, answers(assessment))

    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console:booking", args=[booking.public_id])
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.client_email == "robin@example.org"
    assert booking.client_timezone == "America/New_York"
    assert booking.privacy_notice_version == services.PRIVACY_NOTICE_VERSION
    event = created_event(booking)
    assert event.actor == "practitioner"
    assert event.data["consent"] == "given_by_practitioner"
    assert event.data["payment"] == "free"
    (client_email,) = to("robin@example.org")
    assert client_email.subject.startswith("Confirmed: your")
    assert "4:00" in client_email.body  # 10:00 in Berlin is 4:00 AM in New York
    assert f"http://testserver/booking/{booking.public_id}/" in client_email.body
    assert "http://testserver/privacy/" in client_email.body
    assert "Dr. Mara Lindqvist entered your name and email address" in client_email.body
    assert "BEGIN:VCALENDAR" in invite_of(client_email)
    assert to("mara@example.org"), "she gets her own copy with her invite, as usual"
    followed = console.get(response["Location"])
    assert "Booked: Robin Vale" in followed.content.decode()


def test_a_self_booking_email_does_not_say_she_booked_it(client, assessment, now):
    free_calls.book_assessment(
        offering=assessment,
        start=THURSDAY_10_BERLIN,
        client_name="Robin",
        client_email="robin@example.org",
        client_timezone="Europe/Berlin",
    )
    (client_email,) = to("robin@example.org")
    assert "entered your name" not in client_email.body


def test_a_second_free_call_for_the_same_address_is_hers_to_decide(console, assessment, now):
    console.post(URL, answers(assessment))
    later = THURSDAY_10_BERLIN + timedelta(days=1)

    console.post(URL, answers(assessment, start=later))

    assert Booking.objects.filter(status=Booking.Status.CONFIRMED).count() == 2


# --- paid by link -------------------------------------------------------------------------


def test_a_payment_link_holds_the_time_and_paying_through_it_confirms(
    console, session_offering, standin, flush, now
):
    console.post(URL, answers(session_offering, paid_by="link"))

    booking = Booking.objects.get()
    assert booking.status == Booking.Status.HELD
    # 25 hours ahead: held until 2 hours before the start, sooner than 48 hours.
    assert booking.hold_expires_at == THURSDAY_10_BERLIN - timedelta(hours=2)
    payment = booking.payment
    assert (payment.method, payment.state, payment.amount) == ("link", "pending", 120)
    assert created_event(booking).data["payment"] == "link"
    assert KnownClient.objects.filter(email="robin@example.org").exists()
    (link_email,) = to("robin@example.org")
    assert link_email.subject == (
        "Your session with Lindqvist Coaching on Thu 3 Dec, 4:00 AM (New York time): a link to pay"
    )
    assert "Mara" not in link_email.subject
    assert "120.00 EUR" in link_email.body
    assert "held for you until Thursday 3 December, 2:00 AM (New York time)" in link_email.body
    assert "http://testserver/privacy/" in link_email.body
    pay_url = payment_links.pay_url(booking)
    assert pay_url in link_email.body
    mail.outbox.clear()

    client = Client()  # the client's own browser, nobody signed in
    opened = client.get(pay_url.removeprefix("http://testserver"))
    assert opened.status_code == 302
    checkout_url = opened["Location"]
    assert press(checkout_url).status_code in (302, 303)
    flush()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert Payment.objects.get().state == Payment.State.PAID
    (confirmation,) = to("robin@example.org")
    assert confirmation.subject.startswith("Confirmed: your")
    assert "Paid: 120.00 EUR" in confirmation.body
    assert "BEGIN:VCALENDAR" in invite_of(confirmation)
    confirmed = booking.events.get(kind=BookingEvent.Kind.CONFIRMED)
    assert confirmed.actor == "system"


def test_following_the_link_twice_resumes_the_same_checkout(
    console, session_offering, standin, now
):
    console.post(URL, answers(session_offering, paid_by="link"))
    path = payment_links.pay_url(Booking.objects.get()).removeprefix("http://testserver")

    first, second = Client().get(path), Client().get(path)

    assert first["Location"] == second["Location"]


def test_back_from_checkout_keeps_the_time_held(console, session_offering, standin, now):
    console.post(URL, answers(session_offering, paid_by="link"))
    booking = Booking.objects.get()
    path = payment_links.pay_url(booking).removeprefix("http://testserver")

    page = Client().get(path + "?back=1")

    assert page.status_code == 200
    assert "Continue to payment (120.00 EUR)" in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD


def test_an_unpaid_link_frees_the_time_when_its_hold_ends(console, session_offering, standin, now):
    console.post(URL, answers(session_offering, paid_by="link"))
    booking = Booking.objects.get()
    after = booking.hold_expires_at + timedelta(seconds=1)

    assert services.expire_holds(now=after) == 1

    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    expired = booking.events.get(kind=BookingEvent.Kind.EXPIRED)
    assert expired.actor == "system"
    assert selectors.is_bookable(offering=session_offering, start=booking.start, now=after)
    ended = Client().get(payment_links.pay_path(booking))
    assert "This time is no longer held" in ended.content.decode()


def test_a_link_session_ending_before_the_hold_releases_nothing(
    console, session_offering, standin, deliver, now
):
    console.post(URL, answers(session_offering, paid_by="link"))
    booking = Booking.objects.get()
    Client().get(payment_links.pay_path(booking))
    session_id = Payment.objects.get().checkout_session_id
    event = {
        "id": "evt_link_expired",
        "object": "event",
        "type": "checkout.session.expired",
        "created": int(now.timestamp()),
        "data": {"object": {"id": session_id, "object": "checkout.session", "status": "expired"}},
    }

    assert deliver(event).status_code == 200

    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD
    assert WebhookEvent.objects.get().outcome == "payment link still held"
    assert Client().get(payment_links.pay_path(booking)).status_code == 302


def test_too_close_to_the_start_for_a_link_says_what_to_do_instead(
    console, session_offering, standin, now
):
    soon = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)  # 3 hours ahead: an hour to pay at most

    response = console.post(URL, answers(session_offering, start=soon, paid_by="link"))

    assert response.status_code == 200
    assert payment_links.TOO_SOON_FOR_A_LINK in response.content.decode()
    assert not Booking.objects.exists()


# --- paid outside, no charge --------------------------------------------------------------


def test_paid_outside_is_confirmed_at_once_and_its_refund_never_goes_to_stripe(
    console, session_offering, practitioner_user, now
):
    console.post(URL, answers(session_offering, paid_by="outside"))

    booking = Booking.objects.get()
    assert booking.status == Booking.Status.CONFIRMED
    payment = booking.payment
    assert (payment.method, payment.state, str(payment.amount), payment.currency) == (
        "outside",
        "paid",
        "120.00",
        "EUR",
    )
    assert payment.checkout_session_id is None
    (confirmation,) = to("robin@example.org")
    assert "Paid: 120.00 EUR" in confirmation.body
    mail.outbox.clear()

    # No Stripe is configured here: a refund sent there would stay pending.
    booking_changes.cancel(booking=booking, actor="practitioner", actor_user=practitioner_user)

    refund = Refund.objects.get()
    assert refund.state == Refund.State.SUCCEEDED
    assert refund.provider_refund_id == ""
    assert Payment.objects.get().state == Payment.State.REFUNDED
    (cancelled,) = to("robin@example.org")
    assert "returns your refund of 120.00 EUR" in cancelled.body
    assert "card" not in cancelled.body
    (hers,) = to("mara@example.org")
    assert "please give it back the way it came" in hers.body


def test_no_charge_is_confirmed_without_a_payment(console, session_offering, now):
    console.post(URL, answers(session_offering, paid_by="no_charge"))

    booking = Booking.objects.get()
    assert booking.status == Booking.Status.CONFIRMED
    assert not Payment.objects.exists()
    assert created_event(booking).data["payment"] == "no_charge"
    assert KnownClient.objects.filter(email="robin@example.org").exists()
    (confirmation,) = to("robin@example.org")
    assert "Paid:" not in confirmation.body


def test_a_paid_offering_needs_a_choice_of_payment(console, session_offering, now):
    response = console.post(URL, answers(session_offering))

    assert response.status_code == 200
    assert "Please choose how this session is paid." in response.content.decode()
    assert not Booking.objects.exists()


def test_the_review_says_exactly_what_happens_next(console, session_offering, now):
    response = console.post(URL, answers(session_offering, paid_by="link", step="pay"))

    page = response.content.decode()
    assert "Check and book" in page
    assert "Robin gets an email with a link to pay 120.00 EUR" in page
    assert "held for them until Thursday 3 December, 08:00" in page
    assert not Booking.objects.exists()


# --- who ----------------------------------------------------------------------------------


def test_a_known_client_is_found_by_name_and_fills_in_who(console, assessment, now):
    insert_booking(
        assessment,
        datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        status=Booking.Status.COMPLETED,
        email="sam@example.org",
        client_name="Sam Okafor",
        client_timezone="Asia/Tokyo",
    )
    KnownClient.objects.create(email="lee@example.org")

    found = console.get(URL, {"q": "okaf"}).content.decode()
    assert "Sam Okafor" in found and "Returning client" in found
    # Choosing them from the search fills in who, as her click would.
    link = re.search(r'href="(\?client=[^"&]+)', found).group(1)
    chosen = console.get(URL + link).content.decode()
    assert 'value="Sam Okafor"' in chosen and "sam@example.org" not in link
    assert "lee@example.org" in console.get(URL, {"q": "lee"}).content.decode()

    page = console.get(URL, {"client": client_key("sam@example.org")}).content.decode()
    assert 'value="Sam Okafor"' in page
    assert 'value="Asia/Tokyo" selected' in page

    # An address in the link fills nothing in: links carry the client page's key.
    assert (
        'value="Sam Okafor"'
        not in console.get(URL, {"client": "sam@example.org"}).content.decode()
    )


def test_one_query_finds_the_same_people_on_the_clients_list_and_here(
    console, assessment, session_offering, now
):
    insert_booking(
        assessment,
        now + timedelta(days=1),
        email="Zoe@Example.org",
        client_name="Zoë Brandt",
        client_timezone="Europe/Paris",
    )
    insert_booking(
        session_offering,
        now - timedelta(days=9),
        status=Booking.Status.COMPLETED,
        email="zoe.k@example.org",
        client_name="Zoé Kim",
    )
    insert_booking(assessment, now + timedelta(days=2), email="noa@example.org", client_name="Noa")
    KnownClient.objects.create(email="zoey@example.org")

    for query in ("zoe", "ZOË", "example", "kim", "nobody"):
        listed = console.get("/console/clients/", {"q": query}).context["page"].object_list
        here = console.get(URL, {"q": query}).context["people"]
        assert [(c.email, c.name, c.returning) for c in here] == [
            (c.email, c.name, c.returning) for c in listed
        ], query

    # Accents are forgiven here too, and each person links by their key to a filled-in step.
    page = console.get(URL, {"q": "zoe brandt"}).content.decode()
    key = client_key("zoe@example.org")
    assert f"?client={key}" in page and "zoe@example.org" in page
    assert "@example.org" not in page.split("?client=")[1].split('"')[0]
    filled = console.get(URL, {"client": key}).content.decode()
    assert 'value="Zoë Brandt"' in filled
    assert 'value="Europe/Paris" selected' in filled
    returning = console.get(URL, {"q": "kim"}).content.decode()
    assert "Zoé Kim" in returning and "Returning client" in returning


def test_a_time_from_the_week_grid_is_carried_to_its_step(console, session_offering, now):
    start = THURSDAY_10_BERLIN.strftime("%Y-%m-%dT%H:%M:%SZ")
    page = console.get(URL, {"offering": "session", "start": start}).content.decode()
    assert 'name="slot" value="2026-12-03T09:00:00+00:00"' in page

    step = console.post(
        URL,
        {
            "step": "what",
            "name": "Robin",
            "email": "robin@example.org",
            "tz": "Europe/Berlin",
            "offering": "session",
            "slot": "2026-12-03T09:00:00+00:00",
        },
    ).content.decode()
    assert "Step 3 of 5: When?" in step
    assert 'value="2026-12-03T09:00:00Z" checked' in step


def test_the_steps_follow_each_other(console, assessment, now):
    first = console.get(URL).content.decode()
    assert "Step 1 of 5: Who is it for?" in first
    who = {"step": "who", "name": "Robin", "email": "robin@example.org", "tz": "Europe/Berlin"}
    assert "Step 2 of" in console.post(URL, who).content.decode()
    what = console.post(URL, who | {"step": "what", "offering": "assessment"}).content.decode()
    assert "Step 3 of 4: When?" in what
    back = console.post(URL, who | {"offering": "assessment", "back": "who"}).content.decode()
    assert 'value="Robin"' in back


# --- when ---------------------------------------------------------------------------------


EVENING = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)  # 20:00 in Berlin: outside her hours


def test_outside_the_open_times_needs_her_confirmation(console, session_offering, now):
    typed = answers(session_offering, slot=None, at="2026-12-03T20:00", paid_by="no_charge")

    refused = console.post(URL, typed)

    assert refused.status_code == 200
    assert "outside your open times. Tick the box" in refused.content.decode()
    assert not Booking.objects.exists()

    console.post(URL, typed | {"outside_ok": "on"})

    booking = Booking.objects.get()
    assert booking.start == EVENING
    assert created_event(booking).data["outside_open_times"] is True


def test_outside_the_open_times_never_over_another_booking(console, session_offering, now):
    insert_booking(session_offering, EVENING - timedelta(minutes=30), email="ana@example.org")
    typed = answers(
        session_offering, slot=None, at="2026-12-03T20:00", outside_ok="on", paid_by="outside"
    )

    refused = console.post(URL, typed)

    assert refused.status_code == 200
    assert Booking.objects.count() == 1
    assert not Payment.objects.exists()


def test_a_time_taken_meanwhile_is_refused_and_nothing_is_written(console, session_offering, now):
    insert_booking(session_offering, THURSDAY_10_BERLIN, email="ana@example.org")

    refused = console.post(URL, answers(session_offering, paid_by="outside"))

    assert refused.status_code == 200
    assert "Step 3 of 5: When?" in refused.content.decode()
    assert Booking.objects.count() == 1
    assert not Payment.objects.exists()
    assert not KnownClient.objects.exists()


def test_a_time_the_clocks_skip_is_refused(console, session_offering, now):
    typed = answers(session_offering, slot=None, at="2027-03-28T02:30", outside_ok="on")

    refused = console.post(URL, typed | {"paid_by": "no_charge"})

    assert "does not exist in Europe/Berlin" in refused.content.decode()
    assert not Booking.objects.exists()


def test_a_couples_session_needs_the_partner(console, practitioner, now):
    couples = make_offering(
        practitioner,
        slug="couples",
        name="Couples session",
        kind=Offering.Kind.COUPLES_SESSION,
        duration_minutes=90,
        price="180.00",
        min_notice_minutes=60,
    )
    data = answers(couples, paid_by="outside")

    refused = console.post(URL, data).content.decode()
    assert "Please give the partner&#x27;s name." in refused
    same = console.post(URL, data | {"partner_name": "Kai", "partner_email": "robin@example.org"})
    assert "their own email address" in same.content.decode()
    assert not Booking.objects.exists()

    console.post(URL, data | {"partner_name": "Kai", "partner_email": "kai@example.org"})

    booking = Booking.objects.get()
    assert (booking.partner_name, booking.partner_email) == ("Kai", "kai@example.org")
    assert to("kai@example.org"), "the partner gets their own invitation"


# --- bad input, access --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Please give the client&#x27;s name."),
        ({"email": "not an address"}, "like name@example.org"),
        ({"tz": "Mars/Olympus"}, "Unknown time zone"),
        ({"offering": "nothing-like-it"}, "Please choose what to book."),
        ({"slot": "tomorrow"}, "ISO 8601"),
        ({"at": "soon", "slot": None}, "Please type the date and time like"),
        ({"slot": None}, "Please choose one of the open times"),
        ({"name": "x" * 500}, "Please keep this to 120 characters"),
    ],
)
def test_bad_input_comes_back_with_its_error_and_writes_nothing(
    console, assessment, now, fields, message
):
    response = console.post(URL, answers(assessment, **fields))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Booking.objects.exists()
    assert not mail.outbox


def test_a_nul_byte_is_an_error_not_a_500(console, assessment, now):
    response = console.post(URL, answers(assessment, name="Ro\x00bin"))

    assert response.status_code == 200
    assert not Booking.objects.exists()


@pytest.mark.parametrize("who", ["client", "staff"])
def test_clients_and_staff_get_a_404_and_book_nothing(client, assessment, now, who):
    user = make_account(f"{who}@example.org", is_staff=who == "staff")
    sign_in_with_factor(client, user)

    assert client.get(URL).status_code == 404
    assert client.post(URL, answers(assessment)).status_code == 404
    assert not Booking.objects.exists()


# --- the client's night ---------------------------------------------------------------------


def test_a_time_at_night_for_the_client_says_so_beside_it_and_in_the_review(
    console, assessment, now
):
    # 10:00 in Berlin is 4:00 AM in New York; 14:00 is 8:00 AM, by day.
    week = console.post(URL, answers(assessment, step="what")).content.decode()
    assert re.search(r"10:00 <span class=\"theirs\">4:00 AM</span> <span class=\"night\">", week)
    assert not re.search(
        r"14:00 <span class=\"theirs\">8:00 AM</span> <span class=\"night\">", week
    )

    review = console.post(URL, answers(assessment, step="when")).content.decode()
    assert "That is 4:00 AM for Robin (New York), at night for them." in review
    assert not Booking.objects.exists()


def test_a_time_by_day_for_the_client_says_nothing_of_the_night(console, assessment, now):
    by_day = THURSDAY_10_BERLIN + timedelta(hours=4)  # 8:00 AM in New York
    review = console.post(URL, answers(assessment, start=by_day, step="when")).content.decode()
    assert "at night for them" not in review
