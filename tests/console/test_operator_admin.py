"""The Django admin is the operator's (a superuser): her console never leads there, her
account does not open it, and it keeps working for the operator."""

from datetime import UTC, datetime

import pytest

from tests.accounts.support import make_user
from tests.factories import insert_booking

pytestmark = pytest.mark.django_db

PAGES = [
    "/console/",
    "/console/week/",
    "/console/clients/",
    "/console/hours/",
    "/console/offerings/",
    "/console/money/",
    "/console/book/",
    "/console/security/",
]


def test_no_console_page_links_to_the_admin(console):
    for page in PAGES:
        response = console.get(page)
        assert response.status_code == 200, page
        assert "/admin/" not in response.content.decode(), page


def test_her_account_does_not_open_the_admin(console, practitioner_user):
    assert not practitioner_user.is_staff
    response = console.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_admin_keeps_working_for_the_operator(client, assessment):
    booking = insert_booking(assessment, datetime(2026, 12, 10, 9, tzinfo=UTC))
    client.force_login(make_user("operator@example.org", is_staff=True, is_superuser=True))

    for path in (
        "/admin/",
        f"/admin/booking/booking/{booking.pk}/change/",
        "/admin/payments/payment/",
    ):
        assert client.get(path).status_code == 200, path
