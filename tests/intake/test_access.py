"""Who may open a booking's intake review: its practitioner's account, and no one else.

Everyone else gets a 404, never a 403, so the page does not tell them the booking exists.
"""

import pytest
from django.urls import reverse

from intake import services
from intake.models import AccessLog
from tests.console.support import sign_in_with_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(assignment, now):
    services.give_consent(assignment=assignment, now=now)
    services.save_answers(assignment=assignment, answers={"what_brings_you": "x"}, now=now)
    services.submit(assignment=assignment, now=now)
    return assignment


@pytest.fixture
def url(filled):
    return reverse("intake:booking_review", kwargs={"public_id": filled.booking.public_id})


def make_user(django_user_model, name, **flags):
    return django_user_model.objects.create_user(
        username=name, email=f"{name}@example.org", **flags
    )


def test_anonymous_gets_404(client, url):
    assert client.get(url).status_code == 404


def test_the_booking_client_gets_404(client, url, django_user_model, filled):
    client.force_login(make_user(django_user_model, "client"))
    assert client.get(url).status_code == 404


def test_another_client_gets_404(client, url, django_user_model):
    client.force_login(make_user(django_user_model, "other"))
    assert client.get(url).status_code == 404


def test_staff_gets_404(client, url, django_user_model):
    client.force_login(make_user(django_user_model, "staff", is_staff=True))
    assert client.get(url).status_code == 404


def test_a_superuser_who_is_not_the_practitioner_gets_404(client, url, django_user_model):
    client.force_login(make_user(django_user_model, "root", is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 404


def test_another_practitioner_gets_404(client, url, django_user_model):
    from tests.factories import make_practitioner

    other = make_user(django_user_model, "other_practitioner")
    make_practitioner(name="Someone Else", email="else@example.org", user=other)
    client.force_login(other)
    assert client.get(url).status_code == 404


def test_an_unknown_booking_gets_404_for_the_practitioner(client, practitioner_user):
    sign_in_with_factor(client, practitioner_user)
    url = reverse(
        "intake:booking_review", kwargs={"public_id": "00000000-0000-4000-8000-000000000000"}
    )
    assert client.get(url).status_code == 404


def test_the_practitioner_gets_200(client, url, practitioner_user):
    sign_in_with_factor(client, practitioner_user)
    assert client.get(url).status_code == 200


def test_refused_readers_leave_no_access_log(client, url, django_user_model):
    client.get(url)
    client.force_login(make_user(django_user_model, "root", is_staff=True, is_superuser=True))
    client.get(url)
    assert not AccessLog.objects.exists()


def test_the_review_only_answers_get(client, url, practitioner_user):
    sign_in_with_factor(client, practitioner_user)
    assert client.post(url).status_code == 405


def test_the_booking_in_the_admin_links_to_the_review_without_showing_answers(
    client, django_user_model, assignment
):
    from django.urls import reverse

    admin_user = django_user_model.objects.create_superuser("boss", "boss@example.org", "x")
    client.force_login(admin_user)
    booking = assignment.booking
    page = client.get(reverse("admin:booking_booking_change", args=[booking.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert reverse("intake:booking_review", args=[booking.public_id]) in text


def test_staff_can_read_the_questionnaires_from_the_admin_but_visitors_cannot(
    client, django_user_model
):
    assert client.get("/intake/questionnaires/").status_code == 302  # to the admin login
    staff = django_user_model.objects.create_user("staff", "s@example.org", is_staff=True)
    client.force_login(staff)
    assert (
        'href="/intake/questionnaires/">Questionnaires' in client.get("/admin/").content.decode()
    )
    page = client.get("/intake/questionnaires/").content.decode()
    assert "Do you feel safe in your relationship and at home right now?" in page
    assert "version 1" in page
    lean = 'who carries more of it? <small>(lean, "Mostly my partner" means more power)'
    assert lean in page
    # The safety parts of the full and short version 2 and of the check-in are read before
    # Send; those of the version 1s are not.
    assert page.count("as soon as saved, before Send") == 3


def test_her_review_asks_for_her_second_factor_first(client, booking, practitioner_user):
    """Answers are read only in a session that used her factor, as her console asks."""
    client.force_login(practitioner_user)

    response = client.get(f"/intake/review/{booking.public_id}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")
    assert not AccessLog.objects.exists()
