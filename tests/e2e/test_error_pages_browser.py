"""The not-found and server-error pages, as a browser meets them: in the site's look, readable
by assistive technology, and nothing refused by the Content-Security-Policy."""

import pytest

from tests.e2e.test_csp_browser import watched_context
from tests.factories import make_practitioner

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.practice.error_urls"),
]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_error_pages_are_the_sites_own(browser, live_server, width):
    make_practitioner()
    context, watch = watched_context(browser, viewport={"width": width, "height": 800})
    page = context.new_page()

    for path, heading in [
        ("/no-such-page/", "This page isn't here"),
        ("/fails/", "Something went wrong on our side"),
    ]:
        answer = page.goto(live_server.url + path)
        assert answer.status in (404, 500)
        page.get_by_role("heading", level=1, name=heading).wait_for()
        watch.check(page, f"the page for {path} at {width} px")
        # The site's stylesheet applies: the button is the site's, not a bare link.
        button = page.get_by_role("link", name="Back to the start")
        assert button.evaluate("link => getComputedStyle(link).borderRadius") != "0px"
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= width, f"{path} scrolls sideways at {width} px"
    context.close()
