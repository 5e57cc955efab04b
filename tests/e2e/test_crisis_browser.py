"""In a real Chromium: the optional script tells the support box where this device is."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from intake import services
from intake.models import Assignment
from tests.e2e.axe import assert_accessible
from tests.factories import insert_booking, make_session_offering

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_partner_in_london_sees_uk_helplines_on_the_first_page(
    browser, live_server, practitioner, now
):
    booking = insert_booking(make_session_offering(practitioner), now + timedelta(days=3))
    partner = Assignment.objects.create(
        booking=booking, email="robin@example.org", name="Robin", role=Assignment.Role.PARTNER
    )
    services.give_consent(assignment=partner, now=now)
    services.save_answers(assignment=partner, answers={"safe_now": "no"}, now=now)
    url = reverse("intake:section", kwargs={"token": partner.token, "section_id": "safety"})
    context = browser.new_context(timezone_id="Europe/London", locale="en-GB")
    page = context.new_page()

    page.goto(f"{live_server.url}{url}?start=1&support=1")

    # Drawn first with the international text, then filled in once the zone is known.
    page.get_by_text("999 in the United Kingdom").wait_for()
    assert page.get_by_text("Samaritans").is_visible()
    [cookie] = [c for c in context.cookies() if c["name"] == "intake_zone"]
    assert (cookie["value"], cookie["path"]) == ("Europe/London", f"/intake/{partner.token}/")
    assert_accessible(page, "the support box for the United Kingdom")

    # Without the script's help, the choice is a plain form.
    page.get_by_label("Not in the United Kingdom? Choose your country").select_option("AU")
    page.get_by_role("button", name="Show helplines").click()
    page.get_by_text("000 in Australia").wait_for()
    assert_accessible(page, "the support box for Australia, chosen")
    context.close()


def test_choosing_not_safe_shows_where_to_find_help_before_saving(
    browser, live_server, practitioner, now
):
    booking = insert_booking(make_session_offering(practitioner), now + timedelta(days=3))
    client = Assignment.objects.create(booking=booking, email="ana@example.org", name="Ana")
    services.give_consent(assignment=client, now=now)
    url = reverse("intake:section", kwargs={"token": client.token, "section_id": "safety"})
    context = browser.new_context(timezone_id="Europe/Berlin", locale="de-DE")
    page = context.new_page()
    page.goto(f"{live_server.url}{url}?start=1")

    box = page.locator("details.crisis")
    assert not box.is_visible()  # nothing alarming for someone who is safe
    assert_accessible(page, "the safety part, unanswered")
    page.get_by_label("Yes", exact=True).first.check()
    assert not box.is_visible()
    page.get_by_label("No", exact=True).first.check()

    box.wait_for(state="visible")
    assert page.get_by_text("If you are in immediate danger").is_visible()
    assert_accessible(page, "the safety part with the support box shown")
    # Save before closing, so that no autosave is still on its way when the test ends.
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Save and")).click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page, "the page after the safety part")
    context.close()
