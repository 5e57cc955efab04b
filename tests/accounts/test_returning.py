"""Who counts as a returning client: marked by the practitioner, or a completed booking,
always under a verified address (or owned by the account). At most two queries."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from booking.models import Booking
from practice.models import KnownClient
from practice.selectors import is_returning_client
from tests.accounts.support import add_email, make_user
from tests.factories import insert_booking, make_session_offering

pytestmark = pytest.mark.django_db

LAST_MONTH = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def test_a_visitor_who_is_not_signed_in_is_not_a_returning_client(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert not is_returning_client(AnonymousUser())


def test_a_new_account_is_not_a_returning_client(assessment):
    assert not is_returning_client(make_user("new@example.org"))


def test_an_address_the_practitioner_marked_is_a_returning_client(assessment):
    KnownClient.objects.create(email="Sam@Example.org", note="Worked together in 2024")

    assert is_returning_client(make_user("sam@example.org"))


def test_a_marked_address_counts_only_once_it_is_verified(assessment):
    KnownClient.objects.create(email="sam@example.org")
    user = make_user("other@example.org")
    add_email(user, "sam@example.org", verified=False)

    assert not is_returning_client(user)


@pytest.mark.parametrize(
    ("status", "returning"),
    [
        (Booking.Status.COMPLETED, True),
        (Booking.Status.CONFIRMED, False),
        (Booking.Status.CANCELLED, False),
        (Booking.Status.NO_SHOW, False),
    ],
)
def test_a_completed_booking_under_the_address_makes_a_returning_client(
    assessment, status, returning
):
    insert_booking(assessment, LAST_MONTH, email="SAM@example.org", status=status)

    assert is_returning_client(make_user("sam@example.org")) is returning


def test_a_completed_session_of_any_offering_counts(assessment):
    session = make_session_offering(assessment.practitioner)
    insert_booking(session, LAST_MONTH, email="sam@example.org", status="completed")

    assert is_returning_client(make_user("sam@example.org"))


def test_a_completed_booking_under_an_unverified_address_does_not_count(assessment):
    user = make_user("sam@example.org")
    add_email(user, "old@example.org", verified=False)
    insert_booking(assessment, LAST_MONTH, email="old@example.org", status="completed")

    assert not is_returning_client(user)


def test_a_completed_booking_the_account_owns_counts_whatever_its_address(assessment):
    user = make_user("sam@example.org", verified=False)
    insert_booking(
        assessment, LAST_MONTH, email="typo@example.org", status="completed", client=user
    )

    assert is_returning_client(user)


def test_someone_elses_completed_booking_does_not_count(assessment):
    someone = make_user("someone@example.org")
    insert_booking(
        assessment, LAST_MONTH, email="someone@example.org", status="completed", client=someone
    )

    assert not is_returning_client(make_user("sam@example.org"))


@pytest.mark.parametrize("rule", ["none", "known", "by-email", "by-account"])
def test_the_answer_takes_at_most_two_queries(assessment, django_assert_max_num_queries, rule):
    user = make_user("sam@example.org")
    for n in range(3):
        add_email(user, f"sam{n}@example.org", verified=True)
    if rule == "known":
        KnownClient.objects.create(email="sam2@example.org")
    elif rule == "by-email":
        insert_booking(assessment, LAST_MONTH, email="sam1@example.org", status="completed")
    elif rule == "by-account":
        insert_booking(
            assessment, LAST_MONTH, email="x@example.org", status="completed", client=user
        )

    with django_assert_max_num_queries(2):
        assert is_returning_client(user) is (rule != "none")


def test_an_address_is_marked_once_whatever_its_case(assessment):
    KnownClient.objects.create(email="sam@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        KnownClient.objects.create(email="SAM@Example.org")


def test_marking_the_same_address_twice_is_refused_with_a_plain_message(assessment):
    KnownClient.objects.create(email="sam@example.org")
    again = KnownClient(email="Sam@Example.ORG")

    with pytest.raises(ValidationError) as refused:
        again.full_clean()

    assert again.email == "sam@example.org"
    assert refused.value.messages == ["This email is already marked as a client."]
