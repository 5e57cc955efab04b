"""In a real Chromium: everyone filling an intake reaches the safety questions, and each
partner of a couple answers them privately."""

import re
from datetime import timedelta

import pytest

from intake import assignments
from intake.links import fill_path
from intake.models import Assignment, Response
from practice.models import Offering
from tests.e2e.axe import assert_accessible
from tests.factories import insert_booking, make_session_offering

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAFETY = "Your safety right now"


def begin(page, url: str) -> None:
    page.goto(url)
    assert_accessible(page, "the consent step")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Begin").click()
    page.get_by_role("heading", level=1).wait_for()


def walk_to_safety(page) -> list[str]:
    """Move on through every part without answering anything (a part with a content note is
    skipped), until the safety part; the titles passed on the way."""
    passed = []
    while (title := page.get_by_role("heading", level=1).inner_text()) != SAFETY:
        passed.append(title)
        assert_accessible(page, f"the part {title!r}")
        skip = page.get_by_role("button", name="Skip this section")
        button = skip if skip.count() else page.get_by_role("button", name="Save and continue")
        with page.expect_navigation():
            button.click()
        assert len(passed) < 20, passed
    return passed


def answer_safety(page, state: str) -> None:
    """On the safety part: read who sees it, answer that someone close is frightening, and
    see where to find help before saving."""
    note = page.locator(".who-sees")
    assert note.is_visible()
    assert note.inner_text().startswith("Who sees these answers: I can read each answer")
    assert_accessible(page, f"{state}: the safety part")
    afraid = page.get_by_role("group", name=re.compile("Are you ever afraid of someone close"))
    afraid.get_by_label("Sometimes").check()
    page.locator("details.crisis").wait_for(state="visible")
    who = page.get_by_role("group", name="If any of this is happening, who is it?")
    who.get_by_label("An ex-partner").check()
    assert_accessible(page, f"{state}: the safety part with the support box open")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Save and")).click()
    page.get_by_role("heading", name="Your answers").wait_for()
    assert_accessible(page, f"{state}: the review of their answers")


def test_a_client_who_skips_the_relationship_question_is_still_asked_about_safety(
    browser, live_server, practitioner, now
):
    booking = insert_booking(make_session_offering(practitioner), now + timedelta(days=3))
    [assignment] = assignments.assign_for_booking(booking_id=booking.pk)
    context = browser.new_context(timezone_id="Asia/Tokyo", locale="ja-JP")
    page = context.new_page()

    begin(page, f"{live_server.url}{fill_path(assignment)}")
    passed = walk_to_safety(page)

    assert "Your relationship" in passed  # answered nothing there, "in a relationship" included
    assert "Money and financial decisions" not in passed  # what does depend on it stays hidden
    answer_safety(page, "a client who skipped the relationship question")
    review = page.locator("main").inner_text()
    assert "Are you ever afraid of someone close to you" in review and "Sometimes" in review
    response = Response.objects.get(assignment=assignment)
    assert response.answers == {"afraid_of_someone": "sometimes", "who_is_it": ["ex_partner"]}
    assert response.needs_attention and response.submitted_at is None
    context.close()


def test_each_partner_of_a_couple_answers_the_safety_questions_privately(
    browser, live_server, practitioner, now
):
    couples = make_session_offering(
        practitioner, slug="couples_session", kind=Offering.Kind.COUPLES_SESSION
    )
    booking = insert_booking(
        couples,
        now + timedelta(days=3),
        email="ana@example.org",
        client_name="Ana Sousa",
        partner_name="Robin Lee",
        partner_email="robin@example.org",
    )
    pair = assignments.assign_for_booking(booking_id=booking.pk)
    assert sorted(a.role for a in pair) == [Assignment.Role.CLIENT, Assignment.Role.PARTNER]
    assert pair[0].token != pair[1].token

    # Each on their own device: São Paulo and Berlin.
    pages = {}
    for assignment, zone in zip(pair, ("America/Sao_Paulo", "Europe/Berlin"), strict=True):
        context = browser.new_context(timezone_id=zone, locale="en-GB")
        page = context.new_page()
        begin(page, f"{live_server.url}{fill_path(assignment)}")
        walk_to_safety(page)
        pages[assignment.role] = (assignment, context, page)

    client, client_context, client_page = pages[Assignment.Role.CLIENT]
    answer_safety(client_page, "the booking partner")

    # The other partner's safety page is just as it was: no support box, nothing ticked.
    partner, partner_context, partner_page = pages[Assignment.Role.PARTNER]
    partner_page.reload()
    assert not partner_page.locator("details.crisis").is_visible()
    assert not partner_page.locator("input:checked").count()
    answer_safety(partner_page, "the invited partner")
    assert "Ana" not in partner_page.locator("main").inner_text()

    for assignment in (client, partner):
        response = Response.objects.get(assignment=assignment)
        assert response.answers == {"afraid_of_someone": "sometimes", "who_is_it": ["ex_partner"]}
        assert response.needs_attention
    assert Response.objects.count() == 2  # one each, never shared
    client_context.close()
    partner_context.close()
