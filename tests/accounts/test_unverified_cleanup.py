"""Accounts made for a sign-in code that was never entered are removed after a week."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.accounts.support import make_user, request_code_afresh
from tests.factories import insert_booking

pytestmark = pytest.mark.django_db


def emails() -> set[str]:
    return set(get_user_model().objects.values_list("email", flat=True))


def test_a_code_never_entered_leaves_no_account_after_a_week(assessment, now):
    request_code_afresh("typo@example.org")  # an account is made on the spot, unverified
    request_code_afresh("booked@example.org")
    booked = get_user_model().objects.get(email="booked@example.org")
    insert_booking(assessment, now + timedelta(days=2), email="booked@example.org", client=booked)
    make_user("verified@example.org")
    make_user("staff@example.org", verified=False, is_staff=True)
    make_user("password@example.org", verified=False, password="a long passphrase")
    assert "typo@example.org" in emails()

    out = io.StringIO()
    with time_machine.travel(now + timedelta(days=6), tick=False):
        call_command("remove_unverified_accounts", stdout=out)
    assert "typo@example.org" in emails()  # not yet: it may still be on its way
    with time_machine.travel(now + timedelta(days=8), tick=False):
        call_command("remove_unverified_accounts", stdout=out)

    assert emails() == {
        "booked@example.org",
        "verified@example.org",
        "staff@example.org",
        "password@example.org",
    }
    assert out.getvalue().splitlines()[-1] == "Removed 1 never-verified accounts."
