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
    # Her way in is her console; the admin is the operator's and not offered to her.
    assert "Practitioner:     http://127.0.0.1:8765/console/ " in banner
    assert "/admin/" not in banner
    assert "http://127.0.0.1:8765/accounts/login/code/ as sam@example.org" in banner
    assert "8000" not in banner

    sam = django_user_model.objects.create_user("sam", "sam@example.org")
    sam.emailaddress_set.create(email="sam@example.org", verified=True, primary=True)
    assert is_returning_client(sam)
