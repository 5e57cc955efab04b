"""Free calls are booked without an account; once the client signs in with that email, the
bookings are theirs. Only addresses they have proved (verified) count."""

from datetime import UTC, datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from booking.models import Booking
from practice import services
from tests.accounts.support import add_email, code_from, make_user, sign_in_by_code
from tests.factories import insert_booking

pytestmark = pytest.mark.django_db

THURSDAY = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
FRIDAY = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_free_calls_become_the_clients_when_they_sign_in(client, assessment):
    call = insert_booking(assessment, THURSDAY, email="Sam.Client@Example.org")

    sign_in_by_code(client, "sam.client@example.org")

    call.refresh_from_db()
    assert call.client is not None
    assert call.client.email == "sam.client@example.org"


def test_an_existing_account_claims_them_too(client, assessment):
    user = make_user("sam@example.org")
    call = insert_booking(assessment, THURSDAY, email="SAM@example.org")

    sign_in_by_code(client, "sam@example.org")

    call.refresh_from_db()
    assert call.client == user


def test_bookings_under_an_unverified_address_stay_unclaimed(assessment):
    user = make_user("sam@example.org")
    add_email(user, "other@example.org", verified=False)
    mine = insert_booking(assessment, THURSDAY, email="sam@example.org")
    not_proved = insert_booking(assessment, FRIDAY, email="other@example.org")

    assert services.claim_bookings(user=user) == 1

    mine.refresh_from_db()
    not_proved.refresh_from_db()
    assert mine.client == user
    assert not_proved.client is None


def test_an_account_whose_address_is_unverified_claims_nothing(assessment):
    user = make_user("sam@example.org", verified=False)
    call = insert_booking(assessment, THURSDAY, email="sam@example.org")

    assert services.claim_bookings(user=user) == 0

    call.refresh_from_db()
    assert call.client is None


def test_another_persons_bookings_never_move(client, assessment):
    someone = make_user("someone@example.org")
    theirs = insert_booking(assessment, THURSDAY, email="someone@example.org")
    # Booked under Sam's address, but already someone else's: it stays theirs.
    owned = insert_booking(assessment, FRIDAY, email="sam@example.org", client=someone)

    sign_in_by_code(client, "sam@example.org")

    theirs.refresh_from_db()
    owned.refresh_from_db()
    assert theirs.client is None
    assert owned.client == someone
    assert not Booking.objects.filter(client__email="sam@example.org").exists()


def test_an_address_a_signed_in_client_verifies_later_brings_its_bookings(client, assessment):
    user = make_user("sam@example.org")
    call = insert_booking(assessment, THURSDAY, email="sam.at.work@example.org")
    client.force_login(user)

    added = client.post("/accounts/email/", {"email": "sam.at.work@example.org", "action_add": ""})
    assert added.status_code == 302
    call.refresh_from_db()
    assert call.client is None  # not before it is proved
    client.post(added["Location"], {"code": code_from(mail.outbox[-1])})

    assert EmailAddress.objects.get(email="sam.at.work@example.org").verified
    call.refresh_from_db()
    assert call.client == user
