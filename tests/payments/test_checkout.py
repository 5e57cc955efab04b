"""Holding a slot and paying for it through Checkout (the stand-in, over real HTTP)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from booking import links, refusals, selectors
from booking.models import Booking, BookingEvent
from booking.payments import checkout as payment_checkout
from booking.payments import confirmation as payment_confirmation
from booking.payments import gateway
from booking.payments.models import Payment, WebhookEvent
from booking.services import BookingError, SlotUnavailable
from tests.factories import booking_emails, make_offering
from tests.payments.fixtures import THURSDAY_10_BERLIN, press

pytestmark = pytest.mark.django_db(transaction=True)


def slot_is_open(offering, start, now) -> bool:
    return selectors.is_bookable(offering=offering, start=start, now=now)


def test_a_hold_blocks_the_slot_until_its_checkout_expires(hold, session_offering, standin, now):
    booking, payment, url = hold()

    session = standin.sessions[payment.checkout_session_id]
    assert booking.status == Booking.Status.HELD
    assert session["expires_at"] == int(booking.hold_expires_at.timestamp())
    assert booking.hold_expires_at - now >= timedelta(minutes=30)
    assert url == session["url"]
    assert payment.state == Payment.State.PENDING
    assert not slot_is_open(session_offering, THURSDAY_10_BERLIN, now)
    assert slot_is_open(session_offering, THURSDAY_10_BERLIN, booking.hold_expires_at)


def test_checkout_names_the_booking_and_charges_the_offerings_price(hold, standin, now):
    booking, payment, _ = hold()

    session = standin.sessions[payment.checkout_session_id]
    assert session["amount_total"] == 12000
    assert session["currency"] == "eur"
    assert session["customer_email"] == "ana@example.org"
    assert session["client_reference_id"] == str(booking.public_id)
    assert session["metadata"] == {
        "booking": str(booking.public_id),
        "payment": str(payment.public_id),
    }
    assert session["success_url"] == (
        "http://testserver/stripe/checkout/return/?session_id={CHECKOUT_SESSION_ID}"
    )
    assert session["cancel_url"] == "http://testserver" + reverse(
        "payments:checkout_cancel",
        kwargs={"public_id": booking.public_id, "token": links.manage_token(booking)},
    )


def test_a_returning_client_pays_and_is_confirmed_with_one_email_each(
    hold, standin, flush, client, now
):
    booking, payment, url = hold()
    mail.outbox.clear()

    answer = press(url)
    assert answer.status_code == 303
    assert flush() == [200]
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert payment.state == Payment.State.PAID
    assert payment.payment_intent_id.startswith("pi_")
    assert sorted(m.to[0] for m in booking_emails(mail.outbox)) == [
        "ana@example.org",
        "mara@example.org",
    ]

    # The browser then arrives at the success page: the same confirmation, nothing new.
    page = client.get(answer.headers["Location"].removeprefix("http://testserver"))
    assert page.status_code == 302
    assert page.url == links.manage_path(booking) + "?booked=1"
    assert len(booking_emails(mail.outbox)) == 2
    assert list(booking.events.values_list("kind", flat=True)) == [
        BookingEvent.Kind.CREATED,
        BookingEvent.Kind.CONFIRMED,
    ]


def test_the_success_page_may_confirm_first_and_the_webhook_then_changes_nothing(
    hold, standin, flush, client, now
):
    booking, payment, url = hold()
    mail.outbox.clear()

    answer = press(url)
    page = client.get(answer.headers["Location"].removeprefix("http://testserver"))
    booking.refresh_from_db()
    assert page.status_code == 302
    assert booking.status == Booking.Status.CONFIRMED
    assert len(booking_emails(mail.outbox)) == 2

    assert flush() == [200]
    assert len(booking_emails(mail.outbox)) == 2
    assert WebhookEvent.objects.get().outcome == payment_confirmation.Result.ALREADY_CONFIRMED


def test_the_success_page_without_payment_yet_says_it_is_waiting(hold, standin, client, now):
    booking, payment, url = hold()
    press(url, "pay_later")  # a bank debit: complete, not yet paid

    page = client.get(
        reverse("payments:checkout_return"), {"session_id": payment.checkout_session_id}
    )
    booking.refresh_from_db()
    assert page.status_code == 200
    assert "on its way" in page.content.decode()
    assert booking.status == Booking.Status.HELD


def test_abandoning_checkout_releases_the_hold_and_closes_the_session(
    hold, session_offering, standin, client, now
):
    booking, payment, url = hold()

    answer = press(url, "cancel")
    page = client.get(answer.headers["Location"].removeprefix("http://testserver"))

    booking.refresh_from_db()
    payment.refresh_from_db()
    assert page.status_code == 302
    assert page.url.startswith(reverse("booking:slots", kwargs={"slug": session_offering.slug}))
    assert booking.status == Booking.Status.EXPIRED
    assert payment.state == Payment.State.EXPIRED
    assert standin.sessions[payment.checkout_session_id]["status"] == "expired"
    assert slot_is_open(session_offering, THURSDAY_10_BERLIN, now)
    # A second click on the same link changes nothing and still lands on the slots.
    again = client.get(answer.headers["Location"].removeprefix("http://testserver"))
    assert again.status_code == 302
    assert again.url == page.url


def test_the_cancel_link_needs_its_token(hold, standin, client, now):
    booking, _, _ = hold()
    url = reverse(
        "payments:checkout_cancel", kwargs={"public_id": booking.public_id, "token": "0" * 32}
    )
    assert client.get(url).status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD


def test_cancel_after_paying_in_another_tab_confirms_instead(hold, standin, client, now):
    booking, payment, url = hold()
    press(url)  # paid; the webhook has not arrived yet

    outcome = payment_confirmation.release_hold(booking=booking)

    assert outcome.result == payment_confirmation.Result.CONFIRMED
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_a_taken_slot_is_refused_at_once_without_calling_stripe(hold, standin, now):
    hold()
    with pytest.raises(SlotUnavailable) as refusal:
        hold(email="ben@example.org")
    assert refusal.value.reason == refusals.Unbookable.TAKEN
    assert len(standin.sessions) == 1


def test_when_checkout_cannot_open_the_hold_is_released_and_the_client_told(
    hold, session_offering, standin, now
):
    standin.fail_next("/v1/checkout/sessions", status=500)

    with pytest.raises(
        payment_checkout.PaymentUnavailable, match="could not open the payment page"
    ):
        hold()

    booking = Booking.objects.get()
    assert booking.status == Booking.Status.EXPIRED
    assert booking.payment.state == Payment.State.FAILED
    assert slot_is_open(session_offering, THURSDAY_10_BERLIN, now)


def test_creating_checkout_twice_for_a_booking_makes_one_session(hold, standin, now):
    booking, payment, _ = hold()

    again = gateway.create_checkout_session(booking, payment)

    assert again.id == payment.checkout_session_id
    assert len(standin.sessions) == 1
    assert standin.requests.count(("POST", "/v1/checkout/sessions")) == 2


def test_a_free_offering_is_not_held_for_payment(hold, practitioner, standin, now):
    with pytest.raises(BookingError, match="free"):
        hold(offering=make_offering(practitioner))
    assert not Booking.objects.exists()


def test_without_stripe_keys_and_without_debug_paid_booking_is_refused(hold, settings, now):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEBUG = False

    with pytest.raises(payment_checkout.PaymentUnavailable, match="not available"):
        hold()
    assert not Booking.objects.exists()


def test_pressing_pay_twice_gives_the_same_hold_and_checkout(hold, standin, now):
    first = hold()
    second = hold(email="Ana@Example.org")

    assert second.booking.pk == first.booking.pk
    assert second.checkout_url == first.checkout_url
    assert len(standin.sessions) == 1
    assert Booking.objects.count() == 1


def test_the_policy_reads_in_words(session_offering, practitioner):
    from booking.payments.selectors import policy_lines

    assert policy_lines(session_offering) == [
        "48 hours or more before the start: a full refund",
        "24 to 48 hours before: 50 % back",
        "Less than 24 hours before: no refund",
    ]
    free = make_offering(practitioner, slug="no-policy")
    assert policy_lines(free) == ["Cancel any time before the start for a full refund."]
