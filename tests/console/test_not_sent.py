"""What did not go out: hers alone to see, in plain words, with a "try again" that works."""

from datetime import UTC, datetime, time, timedelta

import pytest

from booking import effect_runs
from booking.models import Effect
from console import morning, not_sent
from tests.accounts.support import make_user
from tests.console.support import make_account, sign_in_with_factor
from tests.console.test_day import page_text
from tests.factories import insert_booking, make_offering, make_practitioner

pytestmark = pytest.mark.django_db

PAGE = "/console/not-sent/"
# Tuesday 8 December 2026, 14:00 in Berlin.
TUESDAY_14 = datetime(2026, 12, 8, 13, 0, tzinfo=UTC)
SERVER_DOWN = "SMTPServerDisconnected: Connection unexpectedly closed"


def effect(name="booking.reminder", *, booking=None, status=Effect.Status.FAILED, **fields):
    defaults = {
        "key": f"{name}:{Effect.objects.count()}",
        "name": name,
        "booking": booking,
        "due_at": datetime(2026, 12, 2, 7, 0, tzinfo=UTC),
        "status": status,
        "attempts": 12 if status == Effect.Status.FAILED else 0,
        "last_error": SERVER_DOWN,
    }
    return Effect.objects.create(**(defaults | fields))


@pytest.fixture
def sams(session):
    return insert_booking(session, TUESDAY_14, client_name="Sam Okafor", email="sam@example.org")


def test_a_client_signed_in_gets_the_404_of_a_page_that_is_not_there(client, practitioner):
    someone = make_account("sam@example.org")
    sign_in_with_factor(client, someone)

    assert client.get(PAGE).status_code == 404
    assert client.post(f"{PAGE}1/try-again/").status_code == 404


def test_it_lists_what_did_not_go_out_in_her_words(console, now, sams):
    effect("booking.reminder", booking=sams, args={"recipient": "client", "hours": 24})
    effect(
        "booking.client_email",
        booking=sams,
        status=Effect.Status.PENDING,
        attempts=3,
        last_error="gaierror: [Errno -2] Name or service not known",
    )
    effect("booking.practitioner_email", booking=sams, status=Effect.Status.PENDING, attempts=1)
    effect("booking.partner_email", booking=sams, status=Effect.Status.DONE)

    text = page_text(console.get(PAGE))

    assert "Reminder to Sam for Tue 8 Dec 14:00" in text
    assert "The mail server did not answer." in text
    assert "12 attempts · stopped trying" in text
    assert "Email to Sam about the booking on Tue 8 Dec 14:00" in text
    assert "The mail server's address could not be found." in text
    assert "3 attempts · next try by itself" in text
    # Once or twice is the ordinary back-off, not hers to worry about; done is done.
    assert "Email to you" not in text
    assert "partner" not in text
    assert "SMTPServerDisconnected" not in text and "Errno" not in text


def test_another_practitioners_failures_are_not_hers(console, now):
    other = make_practitioner(email="lee@example.org")
    theirs = insert_booking(make_offering(other, slug="lee-call"), TUESDAY_14, client_name="Kit")
    effect(booking=theirs)

    text = page_text(console.get(PAGE))

    assert "Kit" not in text
    assert "Everything has gone out." in text


def test_the_nav_counts_them_and_her_day_says_so(console, now, sams):
    assert "Not sent" not in page_text(console.get("/console/"))
    effect(booking=sams)

    text = page_text(console.get("/console/"))

    assert "Not sent 1 waiting" in text
    assert "1 email or job did not go out yet: see what and why" in text


def test_try_again_sends_it_and_it_leaves_the_list(
    console, now, practitioner, session, mailoutbox, django_capture_on_commit_callbacks
):
    """Her morning email failed for good while the mail server was down; once it is back,
    "Try again" sends it and the list is empty."""
    practitioner.morning_email_at = time(7, 30)
    practitioner.save(update_fields=["morning_email_at"])
    morning_at = datetime(2026, 12, 2, 6, 30, tzinfo=UTC)  # 07:30 in Berlin
    insert_booking(session, morning_at + timedelta(hours=3), client_name="Sam Okafor")
    failed = effect(
        morning.EFFECT,
        key=morning.summary_key(practitioner, morning_at.date()),
        args={"practitioner": practitioner.pk, "date": "2026-12-02"},
    )
    assert "Your morning email of Wed 2 Dec" in page_text(console.get(PAGE))

    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(f"{PAGE}{failed.pk}/try-again/")

    assert response["Location"] == PAGE
    text = page_text(console.get(PAGE))
    assert "Trying again now: Your morning email of Wed 2 Dec." in text
    assert "Everything has gone out." in text
    [email] = mailoutbox
    assert email.to == [practitioner.email]
    failed.refresh_from_db()
    assert failed.status == Effect.Status.DONE


def test_try_again_on_one_that_went_out_meanwhile_says_so(console, now, sams):
    done = effect(booking=sams, status=Effect.Status.DONE)

    response = console.post(f"{PAGE}{done.pk}/try-again/", follow=True)

    assert "That one is no longer waiting" in page_text(response)
    done.refresh_from_db()
    assert done.status == Effect.Status.DONE


def test_the_operator_sees_them_in_the_admin_and_tries_one_again(client, sams):
    failed = effect(booking=sams, args={"recipient": "client", "hours": 24})
    client.force_login(make_user("operator@example.org", is_staff=True, is_superuser=True))

    listing = client.get("/admin/booking/effect/")
    page = client.get(f"/admin/booking/effect/{failed.pk}/change/")
    client.post(
        "/admin/booking/effect/",
        {"action": "try_again", "_selected_action": [failed.pk]},
    )

    assert listing.status_code == 200 and SERVER_DOWN in listing.content.decode()
    assert "&quot;recipient&quot;: &quot;client&quot;" in page.content.decode()
    failed.refresh_from_db()
    assert failed.status == Effect.Status.PENDING


def test_every_effect_there_is_has_words_of_its_own():
    """A new effect with no words would read as "A job … (its.code.name)" on her page."""
    registered = set(effect_runs.names())
    assert {"booking.client_email", "intake.invitation", "payments.refund"} <= registered
    assert registered - set(not_sent.WHAT) - {morning.EFFECT} == set()
