"""The note a client writes when booking ("what brings you") is kept like intake answers:
encrypted at rest, read by the practitioner alone on her review page (each read logged),
gone with the client's erasure and with retention, re-encrypted by key rotation."""

from datetime import timedelta

import pytest
from django.urls import reverse

from booking import free_calls
from booking import services as booking_services
from booking.models import Booking
from booking.selectors import booking_note
from intake import retention, services
from intake.models import AccessLog, Assignment
from tests.console.support import sign_in_with_factor
from tests.factories import make_offering, raw_table_text

NOTE = "Lantern-Quokka-4471: he decides who I may see"

pytestmark = pytest.mark.django_db


@pytest.fixture
def noted(booking):
    booking.note_encrypted = booking_services.encrypted_note(f"  {NOTE}  ")
    booking.save()
    return booking


def review(client, booking):
    return client.get(reverse("intake:booking_review", args=[booking.public_id]))


def test_a_note_booked_through_the_service_is_not_in_the_table_in_clear(practitioner, now):
    offering = make_offering(practitioner)
    booking = free_calls.book_assessment(
        offering=offering,
        start=now.replace(hour=9) + timedelta(days=1),
        client_name="Robin",
        client_email="robin@example.org",
        client_timezone="Europe/Berlin",
        note=NOTE,
    )
    raw = raw_table_text("booking_booking")
    assert "Lantern-Quokka" not in raw
    assert booking_note(booking) == NOTE  # stripped, readable with the key


def test_no_note_stores_nothing(booking):
    assert booking_services.encrypted_note("   ") is None
    assert booking_note(booking) == ""


def test_the_practitioner_reads_the_note_on_her_review_and_the_read_is_logged(
    client, noted, practitioner_user
):
    sign_in_with_factor(client, practitioner_user)
    page = review(client, noted).content.decode()
    assert NOTE in page
    [row] = AccessLog.objects.all()
    assert (row.user, row.booking, row.response, row.action) == (
        practitioner_user,
        noted,
        None,
        AccessLog.Action.READ,
    )


def test_staff_see_neither_the_note_in_the_admin_nor_the_review(client, noted, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", "x")
    client.force_login(boss)
    admin_page = client.get(reverse("admin:booking_booking_change", args=[noted.pk]))
    assert admin_page.status_code == 200
    assert NOTE not in admin_page.content.decode()
    assert review(client, noted).status_code == 404
    assert not AccessLog.objects.exists()


def test_the_clients_erasure_takes_the_note_a_partners_does_not(noted, now):
    partner = Assignment.objects.create(
        booking=noted, email="p@example.org", name="P", role=Assignment.Role.PARTNER
    )
    services.erase(assignment=partner, now=now)
    assert booking_note(Booking.objects.get(pk=noted.pk)) == NOTE

    client_side = Assignment.objects.create(booking=noted, email=noted.client_email, name="C")
    services.erase(assignment=client_side, now=now)
    assert Booking.objects.get(pk=noted.pk).note_encrypted is None


def test_retention_erases_the_note_once_the_period_has_passed(noted):
    days = noted.practitioner.intake_retention_days
    on_the_day = noted.end + timedelta(days=days)

    assert retention.apply_retention(now=on_the_day) == {"responses": 0, "notes": 0}
    assert booking_note(Booking.objects.get(pk=noted.pk)) == NOTE
    later = on_the_day + timedelta(microseconds=1)
    assert retention.apply_retention(now=later) == {"responses": 0, "notes": 1}
    assert Booking.objects.get(pk=noted.pk).note_encrypted is None
