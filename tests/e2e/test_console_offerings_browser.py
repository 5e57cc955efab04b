"""Her offerings in Chromium: making one on a desktop, the form on a phone, each state axed."""

import pytest

from practice.models import Offering
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def test_she_creates_a_paid_offering_with_terms_and_a_room_pattern(console_browser, assessment):
    page = console_browser("/console/offerings/")
    assert_accessible(page, "the offerings list")
    assert page.locator(".offering h2").all_inner_texts() == ["Free assessment call"]

    page.get_by_role("link", name="New offering").click()
    page.wait_for_url("**/console/offerings/new/")
    assert_accessible(page, "the new offering form")

    page.get_by_label("Name", exact=True).fill("Intensive session")
    page.get_by_label("Length", exact=True).select_option("90")
    page.get_by_label("Price", exact=True).fill("-10")
    page.get_by_label("Or a room of its own for each booking").fill("https://meet.jit.si/mara")
    page.get_by_role("button", name="Create offering").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert summary.inner_text().startswith("Two things to fix before we can save this offering")
    assert_accessible(page, "the form come back with errors")
    assert not Offering.objects.filter(name="Intensive session").exists()

    page.get_by_label("Price", exact=True).fill("150")
    page.get_by_label("Currency", exact=True).select_option("CHF")
    page.get_by_label("Or a room of its own for each booking").fill(
        "https://meet.jit.si/mara-{room}"
    )
    page.get_by_role("button", name="Say it back without saving").click()
    page.locator(".said-back").first.wait_for()
    said = page.locator(".said-back").first.inner_text()
    assert "48 hours or more before the start: a full refund" in said
    assert_accessible(page, "the form saying its terms back")

    page.get_by_role("button", name="Create offering").click()
    page.wait_for_url("**/console/offerings/")
    assert "“Intensive session” is ready" in page.locator(".messages").inner_text()
    assert page.locator(".offering h2").all_inner_texts() == [
        "Free assessment call",
        "Intensive session",
    ]
    assert_accessible(page, "the list with the new offering")

    page.locator(".offering").nth(1).get_by_role("button", name="Move up").click()
    page.wait_for_load_state()
    assert page.locator(".offering h2").all_inner_texts()[0] == "Intensive session"
    page.locator(".offering").nth(0).get_by_role("button", name="Pause").click()
    page.wait_for_load_state()
    assert page.locator(".offering.paused h2").inner_text() == "Intensive session"
    assert_accessible(page, "the list with a paused offering")

    created = Offering.objects.get(name="Intensive session")
    assert (created.price, created.currency, created.is_active) == (150, "CHF", False)
    assert created.video_room_pattern == "https://meet.jit.si/mara-{room}"


def test_the_form_fits_a_phone_and_free_hides_the_price(console_browser, assessment):
    page = console_browser(f"/console/offerings/{assessment.pk}/", viewport=PHONE)
    assert_accessible(page, "the edit form on a phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the form must not scroll sideways on a phone"
    assert not page.get_by_label("Price", exact=True).is_visible(), "a free offering asks no price"
    page.get_by_label("Paid: clients pay when they book").check()
    assert page.get_by_label("Price", exact=True).is_visible()
    assert_accessible(page, "the edit form on a phone, paid")

    listing = console_browser("/console/offerings/", viewport=PHONE)
    assert_accessible(listing, "the offerings list on a phone")
    assert listing.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
