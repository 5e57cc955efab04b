"""The console's frame in Chromium: its bar and navigation on a desktop and on a phone."""

import pytest

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_bar_leads_to_every_area_and_scrolls_on_a_phone(console_browser):
    page = console_browser("/console/security/")
    assert_accessible(page, "the console's security page")
    names = page.locator(".console-nav a").all_inner_texts()
    assert names == ["Today", "Week", "Clients", "Hours", "Offerings", "Money", "Sign-in security"]
    assert page.locator(".console-nav a[aria-current=page]").inner_text() == "Sign-in security"

    phone = console_browser("/console/security/", viewport=PHONE)
    assert_accessible(phone, "the security page on a phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page must not scroll sideways on a phone"
