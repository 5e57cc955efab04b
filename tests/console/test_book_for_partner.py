"""Book for a client, a couples session: the partner's own zone is asked for beside their
name (the client's unless she changes it), shown on the review and the booking's page,
kept on the booking, and read by the partner's reminders."""

from datetime import timedelta

import pytest

from booking.models import Booking
from console.book_for_forms import PARTNER_ZONE_UNKNOWN
from tests.booking.test_reminders import sent_at
from tests.console.test_book_for import URL, answers
from tests.factories import make_couples_offering
from tests.payments.fixtures import THURSDAY_10_BERLIN

pytestmark = pytest.mark.django_db(transaction=True)

PARTNER = {"partner_name": "Kai Moreno", "partner_email": "kai@example.org"}


@pytest.fixture
def couples(practitioner):
    return make_couples_offering(practitioner, min_notice_minutes=60)


def when_step(couples, **fields) -> dict:
    return answers(couples, paid_by="outside", step="when") | PARTNER | fields


def test_the_when_step_offers_the_partners_zone_as_the_clients(console, couples, now):
    page = console.post(URL, answers(couples, step="what")).content.decode()

    assert '<label for="id_partner_timezone">Partner&#x27;s time zone</label>' in page
    picker = page[page.index('name="partner_timezone"') :]
    picker = picker[: picker.index("</select>")]
    [selected] = [part for part in picker.split("<option") if " selected" in part]
    assert 'value="America/New_York"' in selected  # the client's, from the first step


def test_a_zone_that_is_none_comes_back_with_its_error(console, couples, now):
    answer = console.post(URL, when_step(couples, partner_timezone="Mars/Olympus"))

    assert answer.context["form"].errors["partner_timezone"] == [PARTNER_ZONE_UNKNOWN]
    assert "Please choose the partner&#x27;s time zone from the list." in answer.content.decode()
    assert 'value="kai@example.org"' in answer.content.decode()
    assert not Booking.objects.exists()


def test_the_partners_zone_is_reviewed_kept_and_read_by_their_reminder(console, couples, now):
    data = answers(couples, paid_by="outside") | PARTNER | {"partner_timezone": "Asia/Tokyo"}
    review = console.post(URL, data | {"step": "pay"}).content.decode()
    assert "Kai Moreno, kai@example.org, on Tokyo time" in review

    console.post(URL, data)

    booking = Booking.objects.get()
    assert booking.partner_timezone == "Asia/Tokyo"
    page = console.get(f"/console/bookings/{booking.public_id}/").content.decode()
    assert "<dt>Partner's time zone</dt><dd>Tokyo</dd>" in page
    sent = {m.to[0]: m for m in sent_at(THURSDAY_10_BERLIN - timedelta(hours=24))}
    # Thursday 10:00 in Berlin is 18:00 in Tokyo and 4:00 AM in New York.
    assert "18:00–19:30 (Tokyo time)" in sent["kai@example.org"].body
    assert "4:00–5:30 AM (New York time)" in sent["robin@example.org"].body
