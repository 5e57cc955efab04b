"""In a real Chromium: a returning client's check-in, their earlier answers one click away,
and "Update my full answers" leading to the full questionnaire filled in with them."""

from datetime import timedelta

import pytest
from django.urls import reverse

from intake import assignments, services
from intake.models import Assignment
from tests.e2e.axe import assert_accessible
from tests.factories import insert_booking, make_session_offering

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EARLIER = "We keep having the same argument about money."


def test_the_checkin_offers_the_earlier_answers_to_read_and_update(
    browser, live_server, practitioner, now
):
    offering = make_session_offering(practitioner)
    before = insert_booking(offering, now - timedelta(days=40))
    first = Assignment.objects.create(booking=before, email=before.client_email, name="Sam")
    services.give_consent(assignment=first, now=now - timedelta(days=41))
    services.save_answers(assignment=first, answers={"what_brings_you": EARLIER}, now=now)
    services.submit(assignment=first, now=now - timedelta(days=41))
    booking = insert_booking(offering, now + timedelta(days=3))
    [assignment] = assignments.assign_for_booking(booking_id=booking.pk, now=now)
    page = browser.new_page()

    page.goto(live_server.url + reverse("intake:start", kwargs={"token": assignment.token}))
    page.get_by_role("heading", name="A short check-in").wait_for()
    assert_accessible(page, "the check-in's first page, with the earlier answers offered")

    page.get_by_role("link", name="Review your answers from 22 October").click()
    page.get_by_text(EARLIER).wait_for()
    assert_accessible(page, "the earlier answers, to read")

    page.get_by_role("button", name="Update my full answers").click()
    page.get_by_role("heading", name="Before we meet").wait_for()
    assert_accessible(page, "the full questionnaire's consent, after choosing to update")
    page.get_by_label("I agree to this").check()
    page.get_by_role("button", name="Begin").click()
    assert page.get_by_label("What brings you here right now?").input_value() == EARLIER
    assert_accessible(page, "the full questionnaire's first part, filled in")
    page.close()
