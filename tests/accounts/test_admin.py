"""The admin's door is allauth's (codes, rate limits, TOTP), and the practitioner can mark
someone as a client there."""

import pytest
from django.contrib.auth.models import Permission

from practice.models import KnownClient
from tests.accounts.support import make_user, sign_in_by_code, text

pytestmark = pytest.mark.django_db


def test_the_admin_login_page_is_allauths(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/?next=%2Fadmin%2F"


def test_the_practitioner_signs_in_by_code_and_reaches_the_admin(client, practitioner):
    make_user("mara@example.org", is_staff=True, is_superuser=True)

    done = sign_in_by_code(client, "mara@example.org", next_url="/admin/")

    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_client_who_is_signed_in_is_not_let_into_the_admin(client, practitioner):
    client.force_login(make_user("sam@example.org"))

    assert client.get("/admin/login/").status_code == 403


def test_the_practitioner_marks_a_client_in_the_admin(client, practitioner):
    mara = make_user("mara@example.org", is_staff=True)
    mara.user_permissions.add(*Permission.objects.filter(codename__endswith="knownclient"))
    client.force_login(mara)

    added = client.post(
        "/admin/practice/knownclient/add/",
        {"email": "Sam@Example.org", "note": "Worked together in 2024"},
    )
    assert added.status_code == 302
    assert KnownClient.objects.get().email == "sam@example.org"

    again = client.post("/admin/practice/knownclient/add/", {"email": "SAM@example.org"})
    assert again.status_code == 200
    assert "This email is already marked as a client." in text(again)
    assert KnownClient.objects.count() == 1
