"""Her actions on a booking: each one's change, its history row, its email and its invite.

Cancelling by her refunds a paid booking in full unless she chooses otherwise with a
reason; moving goes to an open time, or outside her hours once she confirms, never over
another booking; attendance once it has started; her session note encrypted, each read
logged.
"""

from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from booking.models import Booking, BookingEvent
from booking.payments.models import Payment, Refund
from intake.models import AccessLog, SessionNote
from tests.console.booking_support import (
    THURSDAY_14,
    THURSDAY_20,
    book_free,
    couples_offering,
    invite,
    to,
)
from tests.console.support import sign_in_with_factor
from tests.factories import insert_booking, raw_table_text

# Emails, invites and refunds go out after commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def url(name, booking):
    return reverse(f"console:{name}", args=[booking.public_id])


def last_event(booking) -> BookingEvent:
    return booking.events.order_by("-at", "-pk").first()


# --- cancel ------------------------------------------------------------------------------


def test_cancelling_a_free_call_tells_the_client_it_was_her_with_her_line(
    console, assessment, now, mailoutbox
):
    booking = book_free(assessment)
    mailoutbox.clear()

    response = console.post(
        url("booking_cancel", booking), {"personal_line": "I am unwell this week, sorry."}
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    event = last_event(booking)
    assert (event.kind, event.actor) == ("cancelled", "practitioner")
    assert event.data["personal_line"] == "I am unwell this week, sorry."
    [message] = to(mailoutbox, "sam@example.org")
    assert "had to cancel your call" in message.body
    assert "“I am unwell this week, sorry.”" in message.body
    method, sequence, _start = invite(message)
    assert (method, sequence) == ("CANCEL", 1)
    page = unescape(console.get(url("booking", booking)).content.decode())
    assert "Cancelled by you" in page
    assert "Your note to them: “I am unwell this week, sorry.”" in page


def test_cancelling_a_paid_session_asks_her_to_confirm_who_she_is(console, paid):
    response = console.post(url("booking_cancel", paid), {"refund": "full"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")
    paid.refresh_from_db()
    assert paid.status == Booking.Status.CONFIRMED


def test_her_cancelling_refunds_in_full_by_default(
    client, practitioner_user, paid, standin, mailoutbox
):
    sign_in_with_factor(client, practitioner_user, reauthenticated=True)
    form = client.get(url("booking_cancel", paid)).content.decode()
    assert 'value="full" id="id_refund_0" checked' in form or (
        'value="full"' in form and "checked" in form.split('value="full"')[1][:40]
    )

    response = client.post(url("booking_cancel", paid), {"refund": "full"})

    assert response.status_code == 302
    paid.refresh_from_db()
    assert paid.status == Booking.Status.CANCELLED
    [refund] = Refund.objects.filter(payment__booking=paid)
    assert (refund.amount, refund.percent) == (Decimal("120.00"), 100)
    assert refund.decided_by == Refund.DecidedBy.PRACTITIONER
    assert refund.state == Refund.State.SUCCEEDED
    [stripe_refund] = standin.refunds.values()
    assert stripe_refund["amount"] == 12000
    assert Payment.objects.get(booking=paid).state == Payment.State.REFUNDED
    assert last_event(paid).data["refund_choice"] == "full"
    [message] = to(mailoutbox, "ana@example.org")
    assert "You will get a full refund of 120.00 EUR" in message.body
    assert "policy" not in message.body  # 25 h ahead: the client's policy would give half
    assert "had to cancel" in message.body


def test_a_partial_refund_needs_a_reason_and_changes_nothing_without_one(
    client, practitioner_user, paid, standin
):
    sign_in_with_factor(client, practitioner_user, reauthenticated=True)

    response = client.post(url("booking_cancel", paid), {"refund": "part", "amount": "50"})

    assert response.status_code == 200
    assert "Please say why this cancellation does not refund in full" in unescape(
        response.content.decode()
    )
    paid.refresh_from_db()
    assert paid.status == Booking.Status.CONFIRMED
    assert not Refund.objects.exists()


def test_a_partial_refund_with_her_reason_keeps_the_reason_from_the_client(
    client, practitioner_user, paid, standin, mailoutbox
):
    sign_in_with_factor(client, practitioner_user, reauthenticated=True)

    client.post(
        url("booking_cancel", paid),
        {
            "refund": "part",
            "amount": "50",
            "reason": "Agreed on the phone: half the prep was done",
            "personal_line": "As we discussed.",
        },
    )

    paid.refresh_from_db()
    assert paid.status == Booking.Status.CANCELLED
    [refund] = Refund.objects.filter(payment__booking=paid)
    assert refund.amount == Decimal("50.00")
    assert refund.reason == "Agreed on the phone: half the prep was done"
    assert [r["amount"] for r in standin.refunds.values()] == [5000]
    event = last_event(paid)
    assert event.data["reason"] == "Agreed on the phone: half the prep was done"
    [message] = to(mailoutbox, "ana@example.org")
    assert "You will get 50.00 EUR back" in message.body
    assert "half the prep" not in message.body
    assert "“As we discussed.”" in message.body
    page = unescape(client.get(url("booking", paid)).content.decode())
    assert "Cancelled by you — refund of 50.00 EUR" in page
    assert "Your reason: “Agreed on the phone: half the prep was done”" in page


def test_a_percentage_refund(client, practitioner_user, paid, standin):
    sign_in_with_factor(client, practitioner_user, reauthenticated=True)

    client.post(url("booking_cancel", paid), {"refund": "part", "percent": "25", "reason": "x"})

    [refund] = Refund.objects.filter(payment__booking=paid)
    assert (refund.amount, refund.percent) == (Decimal("30.00"), 25)


def test_a_part_larger_than_the_payment_is_refused(client, practitioner_user, paid, standin):
    sign_in_with_factor(client, practitioner_user, reauthenticated=True)

    response = client.post(
        url("booking_cancel", paid), {"refund": "part", "amount": "500", "reason": "x"}
    )

    assert "Only 120.00 EUR can still be refunded." in unescape(response.content.decode())
    paid.refresh_from_db()
    assert paid.status == Booking.Status.CONFIRMED


def test_no_refund_with_a_reason_does_not_blame_the_client(
    client, practitioner_user, paid, standin, mailoutbox
):
    sign_in_with_factor(client, practitioner_user, reauthenticated=True)

    client.post(url("booking_cancel", paid), {"refund": "none", "reason": "Paid by voucher"})

    paid.refresh_from_db()
    assert paid.status == Booking.Status.CANCELLED
    assert not Refund.objects.exists()
    assert standin.refunds == {}
    [message] = to(mailoutbox, "ana@example.org")
    assert "comes without a refund" in message.body
    assert "this close to its start" not in message.body
    assert "voucher" not in message.body


def test_her_cancel_ignores_the_clients_cut_off(console, assessment, now, mailoutbox):
    booking = book_free(assessment)
    with time_machine.travel(booking.start - timedelta(minutes=30), tick=False):
        sign_in_with_factor(console, booking.practitioner.user)
        console.post(url("booking_cancel", booking), {})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_a_couples_partner_gets_her_line_too(console, practitioner, now, mailoutbox):
    booking = insert_booking(
        couples_offering(practitioner),
        THURSDAY_14,
        partner_name="Alex Kim",
        partner_email="alex@example.org",
    )

    console.post(url("booking_cancel", booking), {"personal_line": "So sorry, both of you."})

    [message] = to(mailoutbox, "alex@example.org")
    assert "had to cancel your couples session" in message.body
    assert "“So sorry, both of you.”" in message.body


# --- move --------------------------------------------------------------------------------


def test_the_move_page_offers_the_public_open_times(console, assessment, now):
    booking = book_free(assessment)

    page = console.get(url("booking_move", booking)).content.decode()

    assert "14:00" in page and "16:30" in page
    assert "(its time now)" in page  # its own time is free, shown as its current time


def test_moving_to_an_open_time_emails_the_client_and_updates_the_invite(
    console, assessment, now, mailoutbox
):
    booking = book_free(assessment)
    mailoutbox.clear()

    response = console.post(
        url("booking_move", booking),
        {"start": THURSDAY_14.isoformat(), "personal_line": "A clash came up, sorry."},
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.start, booking.sequence) == (THURSDAY_14, 1)
    event = last_event(booking)
    assert (event.kind, event.actor) == ("rescheduled", "practitioner")
    assert "outside_open_times" not in event.data
    [message] = to(mailoutbox, "sam@example.org")
    assert "has moved your call with" in message.body
    assert "had to move" not in message.body and "is sorry for the change" not in message.body
    assert "“A clash came up, sorry.”" in message.body
    method, sequence, start = invite(message)
    assert (method, sequence, start) == ("REQUEST", 1, THURSDAY_14)
    page = unescape(console.get(url("booking", booking)).content.decode())
    assert "Moved by you from Thu 3 Dec, 10:00 to Thu 3 Dec, 14:00" in page


def test_a_time_outside_her_hours_asks_before_it_moves(console, assessment, now, mailoutbox):
    booking = book_free(assessment)

    asked = console.get(url("booking_move", booking), {"at": "2026-12-03T20:00"})
    posted = console.post(url("booking_move", booking), {"start": THURSDAY_20.isoformat()})

    for response in (asked, posted):
        assert "This is outside your open hours. Book it anyway?" in response.content.decode()
    booking.refresh_from_db()
    assert booking.start != THURSDAY_20

    mailoutbox.clear()
    console.post(url("booking_move", booking), {"start": THURSDAY_20.isoformat(), "outside": "on"})

    booking.refresh_from_db()
    assert booking.start == THURSDAY_20
    assert last_event(booking).data["outside_open_times"] is True
    [message] = to(mailoutbox, "sam@example.org")
    assert invite(message)[2] == THURSDAY_20


def test_outside_her_hours_still_refuses_another_booking(console, assessment, now):
    booking = book_free(assessment)
    insert_booking(assessment, THURSDAY_20 + timedelta(minutes=15), email="kim@example.org")

    response = console.post(
        url("booking_move", booking), {"start": THURSDAY_20.isoformat(), "outside": "on"}
    )

    assert "Another booking keeps that time" in response.content.decode()
    booking.refresh_from_db()
    assert booking.start != THURSDAY_20


def test_a_time_the_clocks_skip_is_refused_in_words(console, assessment, now):
    booking = book_free(assessment)

    response = console.get(url("booking_move", booking), {"at": "2027-03-28T02:30"})

    assert "That time does not exist on that day" in unescape(response.content.decode())


def test_a_past_time_is_refused_even_outside_her_hours(console, assessment, now):
    booking = book_free(assessment)
    past = now - timedelta(hours=3)

    response = console.post(
        url("booking_move", booking), {"start": past.isoformat(), "outside": "on"}
    )

    assert "That time has passed" in response.content.decode()


# --- attendance --------------------------------------------------------------------------


def test_marking_a_started_session_as_held(console, assessment, now):
    booking = insert_booking(assessment, now - timedelta(minutes=20))

    console.post(url("booking_attendance", booking), {"attended": "yes"})

    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED
    event = last_event(booking)
    assert (event.kind, event.actor) == ("completed", "practitioner")


def test_marking_a_no_show(console, assessment, now):
    booking = insert_booking(assessment, now - timedelta(minutes=20))

    console.post(url("booking_attendance", booking), {"attended": "no"})

    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW
    assert "Marked as a no-show by you" in unescape(
        console.get(url("booking", booking)).content.decode()
    )


def test_a_session_not_started_cannot_be_marked(console, assessment, now):
    booking = book_free(assessment)

    page = console.post(url("booking_attendance", booking), {"attended": "yes"}, follow=True)

    assert "Only a confirmed booking that has started" in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


# --- session note ------------------------------------------------------------------------


def test_her_note_is_encrypted_and_each_reading_is_logged(console, assessment, now):
    booking = book_free(assessment)
    secret = "Talked about her father; follow up on sleep."

    console.post(url("booking_note", booking), {"text": secret})

    assert secret not in raw_table_text(SessionNote._meta.db_table)
    assert SessionNote.objects.get(booking=booking).text == secret
    assert not AccessLog.objects.filter(session_note__isnull=False).exists()
    first = console.get(url("booking_note", booking)).content.decode()
    console.get(url("booking_note", booking))
    assert secret in unescape(first)
    assert AccessLog.objects.filter(session_note__booking=booking, action="read").count() == 2
    # The booking page says a note exists without opening it.
    console.get(url("booking", booking))
    assert AccessLog.objects.filter(session_note__booking=booking).count() == 2


def test_her_note_never_reaches_an_email(console, assessment, now, mailoutbox):
    booking = book_free(assessment)
    console.post(url("booking_note", booking), {"text": "Private words"})
    mailoutbox.clear()

    console.post(url("booking_move", booking), {"start": THURSDAY_14.isoformat()})

    assert mailoutbox
    assert all("Private words" not in m.message().as_string() for m in mailoutbox)


def test_the_move_page_shows_the_clients_time_and_their_night(console, assessment, now):
    booking = book_free(assessment, start=THURSDAY_14)  # Sam is in New York

    page = console.get(url("booking_move", booking)).content.decode()

    assert "with Sam's time (New York) beside each" in page
    assert (
        '10:00 <span class="theirs"><span class="visually-hidden">, for Sam </span>4:00 AM' in page
    )
    assert page.count("at night for them") >= 1
    assert '8:00 AM</span> <span class="visually-hidden">(its time now)' in page


def test_moving_to_the_clients_night_says_so_before_she_confirms(console, assessment, now):
    booking = book_free(assessment, start=THURSDAY_14)
    at_three = THURSDAY_14 - timedelta(hours=5)  # 09:00 Berlin, 3:00 AM New York

    page = console.get(url("booking_move", booking), {"start": at_three.isoformat()})

    assert "That is 3:00 AM for Sam (New York), at night for them." in page.content.decode()
    by_day = console.get(url("booking_move", booking), {"start": THURSDAY_14.isoformat()})
    assert "at night for them" not in by_day.content.decode()
