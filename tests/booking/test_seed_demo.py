"""`make run` loads the demo practice with `seed_demo --print-login`; it must be safe to
run again and tell a visitor everything needed to try both buttons."""

import io

import pytest
from django.core.management import call_command

from booking.models import AvailabilityRule
from practice.models import KnownClient, Offering, Practitioner
from practice.selectors import is_returning_client

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_the_demo_can_be_loaded_twice_without_duplicates():
    seed()
    seed()
    assert Practitioner.objects.get().timezone == "Europe/Berlin"
    assert AvailabilityRule.objects.count() == 10  # two windows, Monday to Friday
    assert sorted(Offering.objects.values_list("slug", flat=True)) == [
        "assessment",
        "couples_session",
        "session",
    ]


def test_an_older_demo_keeps_its_couples_bookings_under_the_new_slug():
    seed()
    Offering.objects.filter(slug="couples_session").update(slug="couples-session")
    seed()
    assert Offering.objects.filter(slug__startswith="couples").count() == 1
    assert Offering.objects.get(slug="couples_session").kind == "couples_session"
    assert KnownClient.objects.count() == 1


def test_the_login_banner_uses_the_address_served_and_names_a_returning_client(
    settings, django_user_model
):
    settings.SITE_URL = "http://127.0.0.1:8765"
    banner = seed(print_login=True)
    assert "http://127.0.0.1:8765/console/" in banner
    assert "http://127.0.0.1:8765/accounts/login/code/ as sam@example.org" in banner
    assert "8000" not in banner

    sam = django_user_model.objects.create_user("sam", "sam@example.org")
    sam.emailaddress_set.create(email="sam@example.org", verified=True, primary=True)
    assert is_returning_client(sam)


def test_the_demo_has_a_lived_in_fortnight_around_today_once(now, mailoutbox):
    from booking.models import Booking, BusyBlock, TimeOff
    from booking.payments.models import Payment
    from console import agenda
    from intake.models import Response

    seed()
    seed()
    bookings = Booking.objects.all()
    assert 8 <= bookings.filter(start__gte=now).count() <= 12
    statuses = set(bookings.values_list("status", flat=True))
    assert statuses == {"confirmed", "held", "cancelled", "completed"}
    kinds = set(bookings.values_list("offering__kind", flat=True))
    assert kinds == {"assessment", "session", "couples_session"}
    assert Payment.objects.filter(state="paid").count() >= 3
    assert bookings.filter(client_email="sam@example.org", status="completed").count() == 1
    assert TimeOff.objects.count() == 1 and BusyBlock.objects.count() == 1
    assert Response.objects.filter(needs_attention=True, submitted_at__isnull=False).count() == 1
    assert Response.objects.filter(submitted_at__isnull=True).exists()
    assert Response.objects.filter(questionnaire_id="full", submitted_at__isnull=False).exists()
    assert all(r.answers_encrypted for r in Response.objects.all()), "answers encrypted"
    assert mailoutbox == [], "seeding emails no one"

    practitioner = Practitioner.objects.get()
    words = set()
    for day in agenda.days(practitioner, first=now.date(), count=14, now=now):
        for entry in day.entries:
            words |= {i.words for i in entry.intakes}
    assert {"Intake sent", "Intake not started", "Check-in not started"} <= words
