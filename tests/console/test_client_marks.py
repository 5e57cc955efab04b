"""The client page says what is true of them: whether they have a sign-in account, what
made them a returning client (her mark, or a paid session she booked for them), and when
someone with sessions ahead will count as returning.
"""

import pytest
from django.urls import reverse

from console.clients import client_key
from practice.models import KnownClient
from tests.console.booking_support import BOOK, answers, page
from tests.console.support import make_account
from tests.factories import insert_booking
from tests.payments.fixtures import THURSDAY_10_BERLIN

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_client_page_says_whether_they_have_a_sign_in_account(console, session_offering, now):
    insert_booking(session_offering, THURSDAY_10_BERLIN, email="omar@example.org")
    insert_booking(session_offering, THURSDAY_10_BERLIN.replace(day=11), email="lea@example.org")
    make_account("lea@example.org")

    without = page(console, reverse("console:client", args=[client_key("omar@example.org")]))
    with_one = page(console, reverse("console:client", args=[client_key("lea@example.org")]))

    assert "No account (books by email links)" in without
    assert "None" not in without
    assert "Has a sign-in account" in with_one


def test_booking_a_paid_session_marks_them_returning_without_saying_she_marked_them(
    console, session_offering, now
):
    console.post(BOOK, answers(session_offering, paid_by="outside"))

    text = page(console, reverse("console:client", args=[client_key("omar@example.org")]))

    assert (
        "Returning client since you booked a paid session for them on Wednesday 2 December."
        in (text)
    )
    assert "Marked by you" not in text
    assert "paid outside Wednesday 2 December" in text
    form = console.get(reverse("console:client", args=[client_key("omar@example.org")]))
    assert form.context["form"].initial["note"] == ""


def test_her_note_on_the_mark_is_quoted_without_a_doubled_stop(console, session_offering, now):
    insert_booking(session_offering, THURSDAY_10_BERLIN, email="omar@example.org")
    KnownClient.objects.create(email="omar@example.org", note="Worked together in 2024.")

    text = page(console, reverse("console:client", args=[client_key("omar@example.org")]))

    assert "Marked by you: “Worked together in 2024.” They can book" in text
    assert "”." not in text


def test_someone_with_sessions_ahead_is_told_when_they_count_as_returning(
    console, session_offering, now
):
    insert_booking(session_offering, THURSDAY_10_BERLIN, email="omar@example.org")

    text = page(console, reverse("console:client", args=[client_key("omar@example.org")]))

    assert (
        "Not yet: they have 1 booking ahead with you, and will count as returning once it is"
        in (text)
    )
    assert "they can book a free assessment call" not in text
