"""In a real Chromium, every page runs under the enforced Content-Security-Policy without a
single violation, and the scripts that make the pages easier still work under it: the zone
finder, the character count, the error summary's focus, the intake's autosave, support box
and quick exit, the stand-in Checkout's page and the redirect to Checkout elsewhere."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from booking import links
from booking.models import Booking
from booking.payments import views as payment_views
from intake import assignments as intake_assignments
from intake.links import fill_path
from practice.models import KnownClient
from tests.accounts.support import code_from, make_user
from tests.e2e.axe import assert_accessible
from tests.factories import (
    insert_booking,
    make_offering,
    make_practitioner,
    make_session_offering,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Reports every violation the browser sees, before any of the page's own scripts run.
REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportPolicyViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "an inline one"}` +
    ` on ${event.documentURI} (${event.sourceFile || "the page"}:${event.lineNumber})`
  );
});
"""
NEUTRAL_PAGE = "<!doctype html><html lang='en'><title>Weather</title><h1>Weather</h1></html>"


class PolicyWatch:
    """The violations one browser context has reported, by event or on the console."""

    def __init__(self, context):
        self.seen: list[str] = []
        context.expose_function("reportPolicyViolation", self._report)
        context.add_init_script(REPORTER)
        context.on("console", self._console)

    def _report(self, text: str) -> None:
        self.seen.append(text)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.seen.append(f"console: {message.text}")

    def check(self, page, state: str, *, axe: bool = True) -> None:
        """The page state is accessible and nothing on the way to it was refused (axe is
        left out on the Django admin's pages, which are not ours to fix)."""
        page.wait_for_load_state()
        assert "Content-Security-Policy" in self.header(page), state
        if axe:
            assert_accessible(page, state)
        page.wait_for_timeout(50)  # a report raised while loading arrives by the binding
        assert self.seen == [], f"{state}: " + "\n".join(self.seen)

    @staticmethod
    def header(page) -> str:
        return page.evaluate(
            "fetch(location.href, {method: 'HEAD', credentials: 'same-origin'})"
            ".then(r => r.headers.has('content-security-policy') ? 'Content-Security-Policy'"
            " : '')"
        )


def watched_context(browser, **options):
    context = browser.new_context(**options)
    context.route(
        settings.QUICK_EXIT_URL + "*",
        lambda route: route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE),
    )
    return context, PolicyWatch(context)


def signed_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def continue_to_payment(page, watch, live_server) -> None:
    """A signed-in returning client picks the first session and sends the pay form."""
    page.goto(f"{live_server.url}/book/session/?tz=Europe/Berlin")
    watch.check(page, "the week of sessions")
    page.locator("a.slot").first.click()
    page.get_by_role("button", name="Continue to payment").wait_for()
    watch.check(page, "confirm and pay")
    page.get_by_label("Your name").fill("Ana Sousa")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Continue to payment").click()


def test_the_free_call_journey_runs_under_the_policy(browser, live_server):
    make_offering(make_practitioner(), min_notice_minutes=60)
    context, watch = watched_context(browser, timezone_id="America/New_York")
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    watch.check(page, "the home page")
    page.get_by_role("link", name="Book a free assessment call").click()
    page.wait_for_url(re.compile(r"tz=America%2FNew_York"))  # detected by zones.js
    watch.check(page, "the week")
    page.get_by_label("Find your city or country").fill("São")
    expect(page.locator("#zone-find-status")).to_have_text("2 time zones match.")
    watch.check(page, "the week with the zones found")

    page.locator("a.slot").last.click()  # days ahead: it can still be moved and cancelled
    count = page.locator("#id_note_count")
    expect(count).to_have_text("0 of 1,000 characters")
    watch.check(page, "the details form")
    page.get_by_label("What brings you? (optional)").fill("Finding my footing again")
    expect(count).to_have_text("24 of 1,000 characters")

    page.get_by_role("button", name="Book this call").click()
    expect(page.locator("#error-summary")).to_be_focused()
    watch.check(page, "the details form with its errors")
    page.get_by_label("Your name").fill("Ana Example")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Book this call").click()
    page.get_by_role("heading", name="You're booked").wait_for()
    watch.check(page, "the booking's page, just booked")

    manage = f"{live_server.url}{links.manage_path(Booking.objects.get())}"
    page.goto(manage)
    watch.check(page, "the booking's page")
    page.goto(manage + "reschedule/")
    watch.check(page, "the week to move it to")
    page.locator("a.slot").first.click()
    page.get_by_role("button", name=re.compile("^Move my")).wait_for()
    watch.check(page, "the new time to confirm")
    page.goto(manage + "cancel/")
    watch.check(page, "the cancellation to confirm")
    page.get_by_role("button", name=re.compile("^Cancel the")).click()
    page.get_by_text("Your call is cancelled.").wait_for()  # by a new link: the old is void
    watch.check(page, "the booking's page, cancelled")
    assert Booking.objects.get().status == Booking.Status.CANCELLED
    context.close()


def test_signing_in_and_paying_on_the_local_checkout_run_under_the_policy(
    browser, live_server, settings, monkeypatch, session_offering
):
    """DEBUG without Stripe keys: the stand-in's Checkout page is served by this site, under
    its policy, and styles itself by the nonce."""
    settings.DEBUG = True
    settings.STRIPE_SECRET_KEY = ""
    settings.SITE_URL = live_server.url
    monkeypatch.setattr(payment_views, "_standin", None)  # one posting to this live server
    make_user("ana@example.org")
    KnownClient.objects.create(email="ana@example.org")
    context, watch = watched_context(browser, timezone_id="Europe/Berlin")
    page = context.new_page()

    page.goto(f"{live_server.url}/accounts/login/code/")
    watch.check(page, "the sign-in page")
    page.locator("input[name=email]").fill("ana@example.org")
    page.get_by_role("button", name="Email me a code").click()
    page.locator("input[name=code]").wait_for()
    watch.check(page, "the code to type")
    page.locator("input[name=code]").fill(code_from(mail.outbox[-1]))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="My bookings").wait_for()
    page.goto(f"{live_server.url}/my/bookings/")
    watch.check(page, "my bookings, none yet")

    continue_to_payment(page, watch, live_server)
    page.wait_for_url(re.compile(r"/stripe/standin/pay/"))
    pay = page.get_by_role("button", name=re.compile(r"^Pay \d"))
    # Its own style sheet applied (Stripe's purple): the nonce let the style block in.
    assert pay.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(99, 91, 255)"
    watch.check(page, "the stand-in's checkout")
    pay.click()
    page.get_by_role("heading", name="You're booked").wait_for()
    watch.check(page, "the paid booking's page")
    booking = Booking.objects.get()
    assert booking.status == Booking.Status.CONFIRMED
    page.goto(f"{live_server.url}{links.manage_path(booking)}receipt/")
    watch.check(page, "the receipt")
    page.goto(f"{live_server.url}/my/bookings/")
    watch.check(page, "my bookings")
    context.close()


def test_the_pay_form_is_sent_on_to_checkout_on_another_origin(
    browser, live_server, settings, standin, returning, session_offering
):
    """Browsers check form-action on the redirect after a form, too: the pay form's answer
    sends the client to Checkout (here the stand-in on another port, as Stripe's own would
    be on checkout.stripe.com)."""
    settings.SITE_URL = live_server.url
    context, watch = watched_context(browser, timezone_id="Europe/Berlin")
    signed_in(context, live_server, returning)
    page = context.new_page()
    continue_to_payment(page, watch, live_server)
    page.wait_for_url(re.compile(re.escape(settings.STRIPE_API_BASE) + r"/pay/cs_"))
    page.get_by_role("button", name=re.compile(r"^Pay \d")).click()
    page.get_by_role("heading", name="You're booked").wait_for()
    watch.check(page, "the paid booking's page")
    context.close()


def test_the_intake_pages_and_their_scripts_run_under_the_policy(
    browser, live_server, practitioner, now
):
    booking = insert_booking(make_session_offering(practitioner), now + timedelta(days=3))
    [assignment] = intake_assignments.assign_for_booking(booking_id=booking.pk)
    context, watch = watched_context(browser, timezone_id="Asia/Tokyo")
    page = context.new_page()
    start = f"{live_server.url}{fill_path(assignment)}"
    page.goto(start)
    watch.check(page, "the intake's first page")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Begin").click()
    page.get_by_role("heading", level=1).wait_for()
    watch.check(page, "the intake's first part")

    # The autosave: an answer typed and left is saved without a button.
    box = page.locator("textarea").first
    box.fill("Something I would like to work on")
    with page.expect_response(lambda r: r.request.method == "POST") as saved:
        page.locator("h1").click()
    assert saved.value.ok
    # The support box's script asked again with the device's zone: the box names Japan.
    assert "intake_zone" in {cookie["name"] for cookie in context.cookies()}

    page.goto(start.rstrip("/") + "/review/")
    page.get_by_role("heading", name="Your answers").wait_for()
    watch.check(page, "the review of the answers")
    page.get_by_role("button", name=re.compile("^Send to")).click()
    page.wait_for_url(re.compile(r"/thanks/"))
    watch.check(page, "the thanks page")

    page.keyboard.press("Escape")  # the quick exit
    page.wait_for_url(settings.QUICK_EXIT_URL)
    assert page.title() == "Weather"
    assert watch.seen == []
    context.close()


def test_the_admin_runs_under_the_policy(browser, live_server, practitioner, now):
    booking = insert_booking(make_offering(practitioner), now + timedelta(days=2))
    admin = get_user_model().objects.create_superuser("mara", "mara@example.org", "pw-unused")
    context, watch = watched_context(browser, viewport={"width": 1280, "height": 900})
    signed_in(context, live_server, admin)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/")
    watch.check(page, "the admin's index", axe=False)
    # Its own touch: the intake box's margin, from practice-admin.css, not a style= attribute.
    assert page.locator(".intake-links").evaluate("e => getComputedStyle(e).marginBottom") == (
        "20px"
    )
    page.goto(f"{live_server.url}/admin/booking/booking/{booking.pk}/change/")
    watch.check(page, "a booking's change form", axe=False)
    # The admin's own scripts run: its theme toggle answers.
    assert page.evaluate("document.documentElement.dataset.theme") == "auto"
    page.locator("button.theme-toggle").first.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.goto(f"{live_server.url}/admin/booking/booking/")
    watch.check(page, "the bookings list", axe=False)
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("cancel_bookings")
    page.get_by_role("button", name="Go").click()
    page.locator(".cancel-bookings-confirmation").wait_for()
    watch.check(page, "cancelling from the admin", axe=False)
    context.close()


def test_the_authenticator_apps_qr_code_shows_under_the_policy(browser, live_server, practitioner):
    password = "a long and unusual passphrase"
    mara = make_user("mara@example.org", password=password, is_staff=True)
    context, watch = watched_context(browser)
    signed_in(context, live_server, mara)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/2fa/totp/activate/")
    page.locator("input[name=password]").wait_for()
    watch.check(page, "asked for her password again")
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    qr_code = page.locator('img[src^="data:image/svg+xml"]')
    qr_code.wait_for()
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")
    watch.check(page, "turning on the authenticator app")
    context.close()
