"""Her support lines in Chromium: a country found by typing, a line added and seen in the
box's preview, an error explained, then removed; on a desktop and a phone."""

import pytest

from intake.models import CrisisLine
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_add_a_line_see_it_in_the_box_then_remove_it(console_browser, practitioner, viewport):
    page = console_browser("/console/hours/support/", viewport=viewport)
    assert_accessible(page, "support lines, none of hers yet")

    form = page.locator("#line-form")
    form.get_by_label("Find the country").fill("united k")
    assert form.locator("#id_country").input_value() == "GB"
    form.get_by_role("button", name="Add the line").click()
    summary = page.locator("#error-summary")
    assert "Give the line a name" in summary.inner_text()
    assert_accessible(page, "a line with a problem")

    form = page.locator("#line-form")
    form.get_by_label("Name of the line").fill("Shout")
    form.get_by_label("How to reach it").fill("Text SHOUT to 85258, day and night")
    form.get_by_role("button", name="Add the line").click()
    assert "Added: Shout" in page.locator(".messages").inner_text()
    preview = page.locator("#preview")
    assert "Shout: Text SHOUT to 85258, day and night" in preview.inner_text()
    assert "Samaritans" in preview.inner_text()
    assert_accessible(page, "a line of hers added")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.get_by_role("button", name="Remove Shout").click()
    assert "Removed: Shout" in page.locator(".messages").inner_text()
    assert "Shout" not in page.locator("#preview").inner_text()
    assert_accessible(page, "her line removed")
    assert not CrisisLine.objects.exists()
