"""The console's page of one booking: who, when in both zones, money, intakes, history.

Only the practitioner sees it; a client, other staff and the operator get the 404 of a page
that is not there, on every URL of the booking and every action, POST too.
"""

from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from booking import booking_changes
from booking.models import Booking
from intake.models import AccessLog, Assignment, Response
from tests.console.booking_support import THURSDAY_10, book_free, couples_offering
from tests.console.support import make_account, sign_in_with_factor
from tests.factories import insert_booking


def page(console, booking) -> str:
    response = console.get(reverse("console:booking", args=[booking.public_id]))
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_a_free_call_shows_who_when_in_both_zones_and_its_history(console, assessment, now):
    booking = book_free(assessment)

    html = page(console, booking)

    assert "Sam Rivera" in html and "sam@example.org" in html
    assert "Thursday 3 December, 10:00–10:30 (Berlin time)" in html
    assert "For Sam Rivera: Thursday 3 December, 4:00–4:30 AM (New York time)" in html
    assert "Confirmed" in html
    assert "Free" in html
    assert "https://video.example.org/mara" in html
    assert "Booked by Sam" in html
    assert "Move to another time" in html and "Cancel this call" in html
    assert reverse("intake:booking_review", args=[booking.public_id]) in html


def test_a_paid_session_shows_the_payment_and_when_it_was_paid(console, paid):
    html = page(console, paid)

    assert "Paid (120.00 EUR)" in html
    assert "Paid 120.00 EUR" in html  # the history's line
    assert "120.00 EUR" in html


def test_a_couples_session_names_the_partner(console, practitioner, now):
    offering = couples_offering(practitioner)
    booking = insert_booking(
        offering,
        THURSDAY_10,
        client_name="Sam Rivera",
        partner_name="Alex Kim",
        partner_email="alex@example.org",
    )

    html = page(console, booking)

    assert "Sam Rivera & Alex Kim" in html
    assert "alex@example.org" in html


def test_a_held_booking_says_it_waits_for_payment_and_offers_no_changes(console, hold):
    booking, _payment, _url = hold()

    html = page(console, booking)

    assert "Held — waiting for payment" in html
    assert "Move to another time" not in html
    assert "Waiting for payment" in html


def test_a_cancelled_booking_says_so_with_its_refund_and_offers_nothing(console, paid):
    booking_changes.cancel(booking=paid, actor="client")

    html = page(console, paid)

    assert "Cancelled by Ana — refund of 60.00 EUR (50%, by the cancellation policy)" in html
    assert "Cancel this session" not in html
    assert "60.00 EUR" in html


def test_the_clients_own_note_shows_here_and_each_showing_is_logged(console, assessment, now):
    booking = book_free(assessment, note="I keep waking at 4am.")

    assert "I keep waking at 4am." in page(console, booking)
    page(console, booking)

    assert AccessLog.objects.filter(booking=booking, action="read").count() == 2


def test_the_intake_review_leads_back_to_the_console(console, assessment, now):
    booking = book_free(assessment)

    review = console.get(reverse("intake:booking_review", args=[booking.public_id]))

    assert reverse("console:booking", args=[booking.public_id]) in review.content.decode()


def test_the_intake_status_names_each_attendee(console, practitioner, now):
    offering = couples_offering(practitioner)
    booking = insert_booking(
        offering, THURSDAY_10, partner_name="Alex Kim", partner_email="alex@example.org"
    )
    Assignment.objects.create(booking=booking, email=booking.client_email, name="Sam Client")
    partner = Assignment.objects.create(
        booking=booking, email="alex@example.org", name="Alex Kim", role="partner", invited_at=now
    )
    Response.objects.create(
        assignment=partner,
        questionnaire_id="full",
        questionnaire_version=1,
        started_at=now,
        updated_at=now,
        submitted_at=now,
    )

    html = page(console, booking)

    assert "Sam's questions are not sent yet" in html
    assert "Alex sent their answers (partner)" in html
    assert "Read the intake" in html


def _urls(booking):
    return [
        ("get", reverse("console:booking", args=[booking.public_id])),
        ("get", reverse("console:booking_cancel", args=[booking.public_id])),
        ("post", reverse("console:booking_cancel", args=[booking.public_id])),
        ("get", reverse("console:booking_move", args=[booking.public_id])),
        ("post", reverse("console:booking_move", args=[booking.public_id])),
        ("post", reverse("console:booking_attendance", args=[booking.public_id])),
        ("get", reverse("console:booking_note", args=[booking.public_id])),
        ("post", reverse("console:booking_note", args=[booking.public_id])),
    ]


@pytest.mark.parametrize("who", ["client", "staff", "superuser"])
def test_no_one_else_finds_the_booking_or_its_actions(client, assessment, now, who):
    booking = book_free(assessment)
    fields = {"client": {}, "staff": {"is_staff": True}, "superuser": {"is_superuser": True}}
    user = make_account(f"{who}@example.org", **fields[who])
    if who == "staff":
        user.user_permissions.set(Permission.objects.all())
    sign_in_with_factor(client, user)

    for method, url in _urls(booking):
        response = getattr(client, method)(url, {"attended": "yes", "text": "x"})
        assert response.status_code == 404, (method, url)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_another_practitioners_booking_is_not_found(console, practitioner, now):
    from tests.factories import make_offering, make_practitioner

    other = make_practitioner(email="other@example.org")
    offering = make_offering(other, slug="other-call")
    booking = insert_booking(offering, THURSDAY_10 + timedelta(days=1))

    for method, url in _urls(booking):
        assert getattr(console, method)(url).status_code == 404, (method, url)
