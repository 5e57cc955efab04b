"""The console's frame in Chromium: its bar and navigation on a desktop and on a phone, where
every area is on screen at a glance, with "Book for a client" and "Sign out" at hand."""

import pytest

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_bar_leads_to_every_area_and_shows_them_all_on_a_phone(console_browser):
    page = console_browser("/console/security/")
    assert_accessible(page, "the console's security page")
    names = page.locator(".console-nav a").all_inner_texts()
    assert names == ["Today", "Week", "Clients", "Hours", "Offerings", "Money", "Sign-in security"]
    assert page.locator(".console-nav a[aria-current=page]").inner_text() == "Sign-in security"

    phone = console_browser("/console/security/", viewport=PHONE)
    assert_accessible(phone, "the security page on a phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page must not scroll sideways on a phone"
    for link in phone.locator(".console-nav a").all() + [
        phone.get_by_role("link", name="Book for a client"),
        phone.get_by_role("button", name="Sign out"),
    ]:
        box = link.bounding_box()
        name = link.inner_text()
        assert box is not None, f"{name} is not shown on a phone"
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{name} is cut off"
        assert box["y"] + box["height"] <= PHONE["height"], f"{name} is below the first screen"
        assert link.evaluate("a => a.scrollWidth <= a.clientWidth"), f"{name} is cut short"
