"""Erasing a client: their name, email, notes and answers go; payments stay, under
"Erased client"; the confirmation says exactly that, and she confirms who she is first."""

from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from booking.emails import changes
from booking.models import Booking, BookingEvent
from booking.payments.models import HardshipRequest, Payment, Refund
from console.clients import client_key
from intake.models import Assignment, Response
from practice import erasure
from practice.models import ERASED_NAME, ClientErasure, KnownClient
from tests.conftest import NOW
from tests.console.client_data import (
    SECRET_ANSWER,
    SECRET_NOTE,
    hardship_for,
    intake_for,
    paid_session,
    with_note,
)
from tests.console.support import make_account, sign_in_with_factor
from tests.factories import insert_booking, raw_table_text

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
EMAIL = "zoe.brandt@example.org"
NAME = "Zoë Brandt"


@pytest.fixture
def zoe(assessment, session, couples, now):
    """Zoë's history: a free call with a note, two paid sessions (one refunded in half,
    with a hardship decision), both intakes sent, an account, a mark; and a couples session
    of someone else's she joined as a partner, with her own answers there."""
    account = make_account(EMAIL)
    call = with_note(
        insert_booking(
            assessment,
            NOW - 60 * DAY,
            email=EMAIL,
            client_name=NAME,
            status=Booking.Status.COMPLETED,
        )
    )
    first = paid_session(
        session,
        NOW - 30 * DAY,
        email=EMAIL.upper(),
        name=NAME,
        client=account,
        status=Booking.Status.COMPLETED,
    )
    second = paid_session(
        session,
        NOW - 10 * DAY,
        email=EMAIL,
        name=NAME,
        refund=Decimal("60.00"),
        status=Booking.Status.CANCELLED,
    )
    hardship_for(second)
    BookingEvent.objects.create(
        booking=second,
        kind=BookingEvent.Kind.CANCELLED,
        actor="client",
        data={"reason": f"{NAME} is unwell", "refund_percent": 50},
        at=NOW - 11 * DAY,
    )
    intake_for(first, answers={"what_brings_you": SECRET_ANSWER})
    intake_for(second, answers={"what_brings_you": SECRET_ANSWER})
    theirs = insert_booking(
        couples,
        NOW - 5 * DAY,
        email="lee@example.org",
        client_name="Lee Park",
        partner_name=NAME,
        partner_email=EMAIL,
        status=Booking.Status.COMPLETED,
    )
    intake_for(theirs, answers={"what_brings_you": "Lee's own words"})
    intake_for(theirs, answers={"what_brings_you": SECRET_ANSWER}, role=Assignment.Role.PARTNER)
    KnownClient.objects.create(email=EMAIL, note="Worked together in 2024")
    return {"account": account, "call": call, "first": first, "second": second, "theirs": theirs}


def erase_url(email=EMAIL):
    return f"/console/clients/{client_key(email)}/erase/"


@pytest.fixture
def confirmed(client, practitioner_user, now):
    """Her console, just after she confirmed who she is (as erasing asks)."""
    sign_in_with_factor(client, practitioner_user, reauthenticated=True)
    return client


def test_the_confirmation_says_exactly_what_goes_and_what_stays(console, zoe):
    response = console.get(erase_url())

    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert f"Erase {NAME}?" in text
    assert "3 bookings: their name, email and the note they wrote when booking are removed" in text
    assert "1 couples session they joined as a partner" in text
    assert "3 intake questionnaires: the answers are deleted." in text
    assert "1 sign-in account: deleted" in text
    assert "The returning-client mark and your note about it." in text
    assert "2 payments and 1 refund: amount, date, currency and Stripe's reference." in text
    assert "keep them for 10 years" in text
    assert "1 hardship request" in text
    assert "keep them for 10 years" in text
    assert ClientErasure.objects.count() == 0


def test_erasing_removes_them_from_every_table_and_keeps_the_payments(confirmed, zoe, now):
    response = confirmed.post(erase_url(), {"confirmation": " Zoe.Brandt@Example.org "})

    assert response.status_code == 302
    assert response["Location"] == "/console/clients/"
    for table in [
        "booking_booking",
        "booking_bookingevent",
        "intake_assignment",
        "intake_response",
        "payments_payment",
        "payments_refund",
        "payments_hardshiprequest",
        "practice_clienterasure",
    ]:
        text = raw_table_text(table).lower()
        for secret in [EMAIL, NAME.lower(), "zoë", SECRET_ANSWER.lower(), SECRET_NOTE.lower()]:
            assert secret not in text, (table, secret)
    assert not KnownClient.objects.filter(email__iexact=EMAIL).exists()
    assert not get_user_model().objects.filter(pk=zoe["account"].pk).exists()
    assert not EmailAddress.objects.filter(email__iexact=EMAIL).exists()
    # The money stays, as bookkeeping law asks, on bookings named "Erased client".
    assert Payment.objects.count() == 2
    assert Refund.objects.get().amount == Decimal("60.00")
    assert set(Payment.objects.values_list("booking__client_name", flat=True)) == {ERASED_NAME}
    assert Payment.objects.filter(payment_intent_id=f"pi_test_{zoe['first'].pk}").exists()
    assert HardshipRequest.objects.get().state == HardshipRequest.State.APPROVED
    # Her history keeps when and what, never anyone's words.
    event = BookingEvent.objects.get(booking=zoe["second"])
    assert event.data == {"refund_percent": 50}
    # Lee's booking and answers stay Lee's; Zoë is off it.
    theirs = Booking.objects.get(pk=zoe["theirs"].pk)
    assert (theirs.client_name, theirs.partner_name, theirs.partner_email) == ("Lee Park", "", "")
    lee = Response.objects.get(assignment__booking=theirs, assignment__role="client")
    assert lee.answers == {"what_brings_you": "Lee's own words"}
    erased = Response.objects.filter(erased_at__isnull=False)
    assert erased.count() == 3 and all(r.answers_encrypted is None for r in erased)
    record = ClientErasure.objects.get()
    assert (record.bookings, record.partner_bookings, record.intakes, record.accounts) == (
        3,
        1,
        3,
        1,
    )
    assert (record.payments_kept, record.refunds_kept, record.known_client) == (2, 1, True)
    assert record.erased_by.email == "mara@example.org"


def test_after_erasure_the_page_is_gone_and_the_list_does_not_show_them(confirmed, zoe):
    confirmed.post(erase_url(), {"confirmation": "erase"})

    listing = confirmed.get("/console/clients/", follow=True)
    assert "The client&#x27;s details and answers are erased." in listing.text
    assert EMAIL not in listing.text and NAME not in listing.text
    assert ERASED_NAME not in listing.text
    assert confirmed.get(f"/console/clients/{client_key(EMAIL)}/").status_code == 404
    assert confirmed.get(erase_url()).status_code == 404


def test_no_email_goes_out_from_an_erased_booking(confirmed, zoe):
    confirmed.post(erase_url(), {"confirmation": "erase"})
    mail.outbox.clear()

    booking = Booking.objects.get(pk=zoe["second"].pk)
    booking.status = Booking.Status.CANCELLED  # a cancellation's email, had one been due

    for recipient in changes.RECIPIENTS:
        assert (
            changes.change_message(booking, change="cancelled", recipient=recipient, now=NOW)
            is None
        )


def test_their_account_is_signed_out_everywhere(confirmed, zoe):
    theirs = Client()
    theirs.force_login(zoe["account"])
    assert Session.objects.count() == 2

    confirmed.post(erase_url(), {"confirmation": "erase"})

    assert Session.objects.count() == 1


def test_a_wrong_confirmation_erases_nothing(confirmed, zoe):
    response = confirmed.post(erase_url(), {"confirmation": "zoe@example.org"})

    assert response.status_code == 400
    assert "One thing to fix before we can erase this client" in response.text
    assert "Please type the client&#x27;s email address, or the word erase" in response.text
    assert Booking.objects.filter(client_name=NAME).count() == 3
    assert not ClientErasure.objects.exists()


def test_erasing_asks_her_to_confirm_who_she_is_first(console, zoe):
    response = console.post(erase_url(), {"confirmation": "erase"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")
    assert Booking.objects.filter(client_name=NAME).count() == 3


def test_a_session_still_ahead_stops_the_erasure_and_says_which(confirmed, zoe, session, now):
    ahead = paid_session(session, NOW + 3 * DAY, email=EMAIL, name=NAME)

    page = confirmed.get(erase_url())
    assert "Not yet: 1 session still ahead." in page.text
    assert f'href="/console/bookings/{ahead.public_id}/"' in page.text
    assert 'name="confirmation"' not in page.text

    refused = confirmed.post(erase_url(), {"confirmation": "erase"})
    assert refused.status_code == 409
    assert erasure.UPCOMING.replace("'", "&#x27;") in refused.text
    assert Booking.objects.filter(client_name=NAME).count() == 4
    assert not ClientErasure.objects.exists()


def test_erasing_a_couples_client_keeps_their_partners_own_details(confirmed, couples, now):
    booking = paid_session(
        couples,
        NOW - 5 * DAY,
        email="lee@example.org",
        name="Lee Park",
        partner_name="Kim Park",
        partner_email="kim@example.org",
        status=Booking.Status.COMPLETED,
    )
    intake_for(booking, answers={"what_brings_you": "Lee's words"})
    intake_for(booking, answers={"what_brings_you": "Kim's words"}, role=Assignment.Role.PARTNER)
    url = erase_url("lee@example.org")

    text = " ".join(confirmed.get(url).content.decode().split())
    assert (
        "1 couples session with a partner: the partner's own name, email and answers stay" in text
    )
    assert (
        "1 booking: their name, email and the note they wrote when booking are removed. It stays"
        in text
    )

    confirmed.post(url, {"confirmation": "lee@example.org"})

    booking.refresh_from_db()
    assert (booking.client_name, booking.partner_name, booking.partner_email) == (
        ERASED_NAME,
        "Kim Park",
        "kim@example.org",
    )
    kim = Response.objects.get(assignment__email="kim@example.org")
    assert kim.answers == {"what_brings_you": "Kim's words"}
    assert confirmed.get(f"/console/clients/{client_key('kim@example.org')}/").status_code == 200


def test_a_staff_account_with_their_address_is_kept(practitioner, assessment, now):
    staff = make_account("helper@example.org", is_staff=True)
    insert_booking(assessment, NOW - DAY, email="helper@example.org", client_name="Hel Per")

    plan = erasure.plan_erasure(practitioner=practitioner, email="helper@example.org", now=NOW)
    assert (plan.accounts, plan.staff_accounts) == (0, 1)

    erasure.erase_client(
        practitioner=practitioner, email="helper@example.org", actor_user=None, now=NOW
    )
    assert get_user_model().objects.filter(pk=staff.pk).exists()
    assert Booking.objects.get().client_name == ERASED_NAME


def test_two_erased_clients_get_two_placeholders(practitioner, assessment, now):
    insert_booking(assessment, NOW - DAY, email="a@example.org")
    insert_booking(assessment, NOW - 2 * DAY, email="b@example.org")

    for email in ["a@example.org", "b@example.org"]:
        erasure.erase_client(practitioner=practitioner, email=email, actor_user=None, now=NOW)

    emails = set(Booking.objects.values_list("client_email", flat=True))
    assert len(emails) == 2 and all(e.endswith("@erased.invalid") for e in emails)
    with pytest.raises(erasure.ErasureRefused, match="nothing left"):
        erasure.erase_client(
            practitioner=practitioner, email="a@example.org", actor_user=None, now=NOW
        )


def test_the_operator_reads_the_erasures_in_the_admin_and_changes_none(
    client, practitioner, assessment, now
):
    insert_booking(assessment, NOW - DAY, email="a@example.org", client_name="Ada Lovel")
    record = erasure.erase_client(
        practitioner=practitioner, email="a@example.org", actor_user=None, now=NOW
    )
    operator = make_account("ops@example.org", is_staff=True, is_superuser=True)
    client.force_login(operator)

    listing = client.get("/admin/practice/clienterasure/")

    assert listing.status_code == 200
    assert "a@example.org" not in listing.text and "Ada" not in listing.text
    assert client.post(f"/admin/practice/clienterasure/{record.pk}/delete/").status_code == 403
