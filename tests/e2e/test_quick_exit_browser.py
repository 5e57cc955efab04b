"""In a real Chromium: "Leave this page" swaps an intake page for a neutral site, by Escape
or the button, so that Back does not return to it; without JavaScript it is a plain link."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from intake import services
from intake.models import Assignment
from tests.e2e.axe import assert_accessible
from tests.factories import insert_booking, make_session_offering

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEUTRAL_PAGE = "<!doctype html><html lang='en'><title>Weather</title><h1>Weather</h1></html>"


@pytest.fixture
def intake(practitioner, now):
    booking = insert_booking(make_session_offering(practitioner), now + timedelta(days=3))
    assignment = Assignment.objects.create(booking=booking, email="ana@example.org", name="Ana")
    services.give_consent(assignment=assignment, now=now)
    return assignment


def section_url(live_server, assignment, section_id="what_brings_you") -> str:
    path = reverse("intake:section", kwargs={"token": assignment.token, "section_id": section_id})
    return f"{live_server.url}{path}?start=1"


def open_page(browser, live_server, url):
    """A page opened after the home page, with the neutral site answered on this machine."""
    context = browser.new_context()
    context.route(
        settings.QUICK_EXIT_URL + "*",
        lambda route: route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE),
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    assert_accessible(page, "the home page, before the intake")
    page.goto(url)
    return context, page


def assert_left_for_good(page, live_server):
    page.wait_for_url(settings.QUICK_EXIT_URL)
    assert page.title() == "Weather"
    page.go_back()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/"  # the page before, never the intake page


def test_escape_anywhere_leaves_and_back_does_not_return(browser, live_server, intake):
    context, page = open_page(browser, live_server, section_url(live_server, intake))
    assert page.get_by_text("Leave this page (Esc)").is_visible()
    assert_accessible(page, "an intake page with its Leave this page button")
    page.get_by_label("What brings you here right now?").fill("Something I'd rather keep")

    page.keyboard.press("Escape")  # from inside a text box, too

    assert_left_for_good(page, live_server)
    context.close()


def test_the_button_from_the_keyboard_leaves_and_back_does_not_return(
    browser, live_server, intake
):
    context, page = open_page(browser, live_server, section_url(live_server, intake))
    button = page.get_by_role("link", name="Leave this page")
    button.focus()
    assert button.evaluate("element => element === document.activeElement")
    assert_accessible(page, "an intake page with Leave this page focused")

    page.keyboard.press("Enter")

    assert_left_for_good(page, live_server)
    context.close()


@pytest.mark.parametrize("way", ["Escape", "the button"])
def test_leaving_saves_nothing_typed_since_the_last_save(browser, live_server, intake, now, way):
    """A half-typed note is not saved by the blur or the hidden page that leaving causes, so
    it reaches no one, and no alert goes out."""
    from django.core import mail

    from intake.models import Response

    services.save_answers(assignment=intake, answers={"safe_now": "yes"}, now=now)
    before = Response.objects.get(assignment=intake).answers
    mail.outbox.clear()
    context, page = open_page(browser, live_server, section_url(live_server, intake, "safety"))
    page.get_by_text("“Leave this page” is the exception").wait_for()
    assert_accessible(page, "a safety page that says Leave this page does not save")
    requests = []
    page.on("request", lambda request: requests.append(request.method))
    page.get_by_label("Is there anything about your safety").fill("abc")

    if way == "Escape":
        page.keyboard.press("Escape")
    else:
        page.get_by_role("link", name="Leave this page").first.click()

    assert_left_for_good(page, live_server)
    page.wait_for_timeout(300)  # room for a late save, were one sent
    context.close()
    assert "POST" not in requests
    assert Response.objects.get(assignment=intake).answers == before
    assert mail.outbox == []


def test_a_touch_on_the_button_that_becomes_a_scroll_keeps_saving(
    browser, live_server, intake, now
):
    """A finger that lands on Leave this page and then scrolls (pointercancel, no click)
    has not left: what is typed afterwards still saves when the box loses focus."""
    from intake.models import Response

    context, page = open_page(browser, live_server, section_url(live_server, intake, "safety"))
    assert_accessible(page, "a safety page before a touch on Leave this page")
    button = page.get_by_role("link", name="Leave this page").first
    button.dispatch_event("pointerdown", {"bubbles": True})
    button.dispatch_event("pointercancel", {"bubbles": True})
    note = page.get_by_label("Is there anything about your safety")
    note.fill("still here")
    with page.expect_response(lambda response: response.request.method == "POST"):
        note.blur()
    context.close()
    assert Response.objects.get(assignment=intake).answers.get("safety_note") == "still here"


def test_the_support_box_has_its_own_way_out(browser, live_server, intake, now):
    services.save_answers(assignment=intake, answers={"safe_now": "no"}, now=now)
    url = section_url(live_server, intake, "safety") + "&support=1"
    context, page = open_page(browser, live_server, url)
    box = page.locator("details.crisis")
    assert box.get_by_role("link", name="Leave this page").is_visible()
    assert_accessible(page, "the support box open, with its own Leave this page")

    box.get_by_role("link", name="Leave this page").click()

    assert_left_for_good(page, live_server)
    context.close()


def test_without_javascript_it_is_a_plain_link_to_the_same_site(browser, live_server, intake):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(section_url(live_server, intake))

    button = page.get_by_role("link", name="Leave this page")
    assert button.is_visible()
    assert button.get_attribute("href") == settings.QUICK_EXIT_URL
    assert not page.get_by_text("(Esc)").is_visible()  # Escape needs the script
    html = page.content()
    context.close()
    assert_accessible_as_drawn(browser, page.url, html, "an intake page without JavaScript")


def assert_accessible_as_drawn(browser, url: str, html: str, state: str) -> None:
    """axe needs script in the page: run it over the page exactly as it was drawn without
    any (its scripts taken out), at the same address so that its style sheet loads."""
    context = browser.new_context()
    without_scripts = re.sub(r"<script\b.*?</script>", "", html, flags=re.DOTALL)
    context.route(
        lambda address: address == url,
        lambda route: route.fulfill(status=200, content_type="text/html", body=without_scripts),
    )
    page = context.new_page()
    page.goto(url)
    assert_accessible(page, state)
    context.close()
