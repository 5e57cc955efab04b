"""Every email carries the practice's name in its From, whatever DEFAULT_FROM_EMAIL is
called; her own invite names the client and the offering; nothing she gets links to the
admin, which is the operator's."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from icalendar import Calendar

from booking.calendars import ics
from booking.emails import changes as change_emails
from booking.models import Booking
from booking.payments import emails as payment_emails
from booking.payments.models import HardshipRequest, Payment, Refund
from booking.services import encrypted_note
from practice.models import Offering
from tests.accounts.support import make_user, request_code
from tests.factories import insert_booking, make_offering, make_session_offering

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 10, 9, tzinfo=UTC)
FROM = "Lindqvist Coaching <bookings@example.org>"
NOTE = "Otter-Compass-7731 is why I come"


@pytest.fixture(autouse=True)
def named_sender(settings):
    # A name of its own in the setting: the practice's name wins over it.
    settings.DEFAULT_FROM_EMAIL = "Bookings <bookings@example.org>"


@pytest.fixture
def paid_booking(practitioner):
    booking = insert_booking(
        make_session_offering(practitioner),
        START,
        client_name="Sam Adler",
        note_encrypted=encrypted_note(NOTE),
    )
    Payment.objects.create(
        booking=booking,
        amount=Decimal("120.00"),
        currency="EUR",
        state=Payment.State.PAID,
        created_at=START - timedelta(days=3),
        paid_at=START - timedelta(days=3),
    )
    return booking


def couples(practitioner) -> Booking:
    offering = make_offering(
        practitioner,
        slug="couples",
        name="Couples session",
        kind=Offering.Kind.COUPLES_SESSION,
        duration_minutes=90,
        price=Decimal("180.00"),
    )
    return insert_booking(
        offering,
        START,
        client_name="Sam Adler",
        partner_name="Alex Brun",
        partner_email="alex@example.org",
        note_encrypted=encrypted_note(NOTE),
    )


def summary_of(message) -> str:
    [part] = [a for a in message.attachments if a.get_content_type() == "text/calendar"]
    event = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
    return str(event["SUMMARY"])


def everything(message) -> str:
    parts = [message.subject, message.body, *(alt[0] for alt in message.alternatives)]
    parts += [a.get_payload(decode=True).decode() for a in message.attachments]
    return "\n".join(parts)


def test_each_booking_email_comes_from_the_practice_by_name(practitioner, now):
    booking = couples(practitioner)
    messages = [
        change_emails.client_message(booking, change=change, now=now)
        for change in change_emails.CHANGES
    ]
    messages += [
        change_emails.practitioner_message(booking, change=change)
        for change in change_emails.CHANGES
    ]
    messages += [change_emails.partner_message(booking, change=change_emails.CONFIRMED)]

    assert {message.from_email for message in messages} == {FROM}


def test_her_invite_names_the_first_names_and_the_offering_and_nothing_else(practitioner, now):
    booking = couples(practitioner)

    hers = change_emails.practitioner_message(booking, change=change_emails.CONFIRMED)
    clients = change_emails.client_message(booking, change=change_emails.CONFIRMED, now=now)
    partners = change_emails.partner_message(booking, change=change_emails.CONFIRMED)

    assert summary_of(hers) == "Sam & Alex · Couples session"
    assert summary_of(clients) == "Session with Lindqvist Coaching"
    assert summary_of(partners) == "Session with Lindqvist Coaching"
    for message in (hers, clients, partners):
        assert NOTE not in everything(message)


def test_a_single_sessions_invite_for_her_says_the_client_and_the_offering(paid_booking):
    event = ics.booking_event(paid_booking, reader=ics.PRACTITIONER)

    assert event["SUMMARY"] == "Sam · Single session"


def test_her_booking_email_opens_the_booking_in_her_console(paid_booking):
    message = change_emails.practitioner_message(paid_booking, change=change_emails.CONFIRMED)

    url = f"http://testserver/console/bookings/{paid_booking.public_id}/"
    assert url in message.body
    assert url in message.alternatives[0][0]
    assert "/admin/" not in everything(message)


def test_hardship_emails_come_from_the_practice_and_hers_opens_the_console(paid_booking, now):
    request = HardshipRequest.objects.create(booking=paid_booking, requested_at=now)
    asked = payment_emails._hardship_requested_message(request.pk)
    HardshipRequest.objects.filter(pk=request.pk).update(
        state=HardshipRequest.State.APPROVED, decided_at=now
    )
    answered = payment_emails._hardship_decided_message(request.pk)

    assert asked.from_email == FROM
    assert answered.from_email == FROM
    assert f"/console/bookings/{paid_booking.public_id}/" in asked.body
    assert "/admin/" not in everything(asked)


def test_the_late_payment_email_comes_from_the_practice(paid_booking, now):
    refund = Refund.objects.create(
        payment=paid_booking.payment,
        amount=Decimal("120.00"),
        percent=100,
        decided_by=Refund.DecidedBy.LATE_PAYMENT,
        created_at=now,
    )

    assert payment_emails._late_payment_message(refund.pk).from_email == FROM


def test_sign_in_codes_come_from_the_practice_by_name(client, practitioner):
    make_user("sam@example.org")
    mail.outbox.clear()

    request_code(client, "sam@example.org")

    [message] = mail.outbox
    assert message.from_email == FROM


def test_signing_up_and_its_repeat_come_from_the_practice_by_name(client, practitioner):
    make_user("sam@example.org")
    client.post("/accounts/signup/", {"email": "sam@example.org"})
    client.logout()
    client.post("/accounts/signup/", {"email": "new@example.org"})

    assert len(mail.outbox) == 2
    assert {message.from_email for message in mail.outbox} == {FROM}
