"""A couples session's partner may live on another clock: the booking page asks for their
zone (the client's unless changed), keeps it, refuses a zone that is none, and the
partner's reminders then read their own time."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from booking.forms import PARTNER_ZONE_UNKNOWN
from booking.models import Booking
from practice.models import KnownClient
from tests.booking.test_reminders import sent_at
from tests.factories import make_couples_offering
from tests.payments.fixtures import THURSDAY_10_BERLIN, press

pytestmark = pytest.mark.django_db(transaction=True)

SLOT = THURSDAY_10_BERLIN.strftime("%Y-%m-%dT%H:%M:%SZ")
DETAILS = "/book/couples/details/"
SYDNEY = "Australia/Sydney"


@pytest.fixture
def couples(practitioner):
    return make_couples_offering(practitioner, min_notice_minutes=60)


@pytest.fixture
def ana(client, django_user_model):
    user = django_user_model.objects.create_user(username="ana", email="ana@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    KnownClient.objects.create(email=user.email)
    client.force_login(user)
    return user


def post_details(client, **fields):
    data = {
        "start": SLOT,
        "timezone": "Europe/Berlin",
        "name": "Ana",
        "consent": "on",
        "partner_name": "Kim",
        "partner_email": "kim@example.org",
    }
    return client.post(DETAILS, data | fields)


def test_the_partners_zone_starts_as_the_clients_own(client, ana, couples, standin, now):
    page = client.get(f"{DETAILS}?start={SLOT}&tz=Europe/Lisbon").content.decode()

    assert '<label for="id_partner_timezone">Your partner&#x27;s time zone</label>' in page
    picker = page[page.index('name="partner_timezone"') :]
    picker = picker[: picker.index("</select>")]
    selected = [part for part in picker.split("<option") if " selected" in part]
    assert len(selected) == 1
    assert 'value="Europe/Lisbon"' in selected[0]


def test_the_partners_zone_is_stored_and_their_reminder_reads_their_clock(
    client, ana, couples, standin, flush, now
):
    answer = post_details(client, partner_timezone="Australia/Canberra")  # Sydney's clock

    assert answer.status_code == 302
    booking = Booking.objects.get()
    assert booking.partner_timezone == SYDNEY
    press(answer["Location"])
    assert flush() == [200]

    sent = {m.to[0]: m for m in sent_at(THURSDAY_10_BERLIN - timedelta(hours=24))}
    assert set(sent) == {"ana@example.org", "kim@example.org"}
    # Thursday 10:00 in Berlin is 8 PM in Sydney (summer time there).
    assert sent["kim@example.org"].subject == "Reminder: your session tomorrow at 8:00 PM"
    assert "8:00–9:30 PM (Sydney time)" in sent["kim@example.org"].body
    assert "10:00–11:30 (Berlin time)" in sent["ana@example.org"].body


def test_the_partners_confirmation_reads_their_own_clock_first(
    client, ana, couples, standin, flush, now
):
    answer = post_details(client, partner_timezone=SYDNEY)
    press(answer["Location"])
    flush()

    confirmed = {m.to[0]: m for m in mail.outbox if m.subject.startswith("Confirmed")}
    theirs, anas = confirmed["kim@example.org"], confirmed["ana@example.org"]
    assert theirs.subject.endswith("on Thu 3 Dec, 8:00 PM (Sydney time)")
    assert "Thursday 3 December, 8:00–9:30 PM (Sydney time)" in theirs.body
    assert "in Berlin" in theirs.body  # and the practice's clock beside it
    assert anas.subject.endswith("(Berlin time)")


def test_without_a_zone_for_the_partner_their_reminder_reads_the_clients(
    client, ana, couples, standin, flush, now
):
    answer = post_details(client)  # a form sent without the field, as an old page would

    booking = Booking.objects.get()
    assert booking.partner_timezone == ""
    press(answer["Location"])
    flush()
    sent = {m.to[0]: m for m in sent_at(THURSDAY_10_BERLIN - timedelta(hours=24))}
    assert "10:00–11:30 (Berlin time)" in sent["kim@example.org"].body


def test_a_zone_that_is_none_comes_back_with_its_error(client, ana, couples, standin, now):
    answer = post_details(client, partner_timezone="Mars/Olympus")

    assert answer.status_code == 200
    assert answer.context["form"].errors["partner_timezone"] == [PARTNER_ZONE_UNKNOWN]
    page = answer.content.decode()
    assert '<a href="#id_partner_timezone">' in page
    assert 'value="kim@example.org"' in page, "what was typed stays"
    assert not Booking.objects.exists()
