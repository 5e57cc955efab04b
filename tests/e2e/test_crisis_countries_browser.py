"""In a real Chromium: a client in Tokyo gets Japan's numbers, and can pick any other country."""

from datetime import timedelta

import pytest
from django.urls import reverse

from intake import services
from intake.models import Assignment
from tests.e2e.axe import assert_accessible
from tests.factories import insert_booking, make_session_offering

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_client_in_tokyo_sees_japans_numbers_and_can_choose_brazil(
    browser, live_server, practitioner, now
):
    booking = insert_booking(make_session_offering(practitioner), now + timedelta(days=3))
    client = Assignment.objects.create(booking=booking, email="aiko@example.org", name="Aiko")
    services.give_consent(assignment=client, now=now)
    services.save_answers(assignment=client, answers={"safe_now": "no"}, now=now)
    url = reverse("intake:section", kwargs={"token": client.token, "section_id": "safety"})
    context = browser.new_context(timezone_id="Asia/Tokyo", locale="ja-JP")
    page = context.new_page()

    page.goto(f"{live_server.url}{url}?start=1&support=1")

    page.get_by_text("110 for the police, 119 for an ambulance in Japan").wait_for()
    assert page.get_by_text("TELL Lifeline: 03-5774-0992, in English").is_visible()
    assert_accessible(page, "the support box for Japan")

    page.get_by_label("Not in Japan? Choose your country").select_option("BR")
    page.get_by_role("button", name="Show helplines").click()
    page.get_by_text("190 for the police, 192 for an ambulance in Brazil").wait_for()
    assert page.get_by_text("CVV, Centro de Valorização da Vida: 188").is_visible()
    assert_accessible(page, "the support box for Brazil, chosen")
    context.close()
