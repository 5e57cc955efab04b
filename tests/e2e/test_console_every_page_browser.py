"""axe over every page of the console, on a desktop and a phone, with the demo practice's
lived-in fortnight: every route in ``console/urls.py`` is opened (a new page cannot slip
past), and every demo booking's page, whatever its state.

Routes that only act (POST) or download a file are named below, so that leaving one out
is a decision, not an accident.
"""

import pytest
from django.core.management import call_command
from django.urls import URLPattern, reverse

from booking.models import Booking, Effect
from console import urls as console_urls
from console.clients import client_key
from intake.models import CrisisLine
from practice.models import Offering
from tests.console.support import add_totp, session_cookie, sign_in_with_factor
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

ACTIONS_ONLY = {
    "booking_attendance",
    "booking_attendance_undo",
    "booking_hardship",
    "booking_release",
    "calendar_caldav",
    "calendar_choose",
    "calendar_pause",
    "calendar_refresh",
    "calendar_refresh_every",
    "calendar_remove",
    "client_returning",
    "crisis_line_remove",
    "feed_detail",
    "feed_rotate",
    "not_sent_retry",
    "offering_move",
    "offering_pause",
}
DOWNLOADS = {"money_csv"}


def _pages(booking: Booking, offering: Offering, line: CrisisLine, effect) -> dict[str, str]:
    arguments = {
        "public_id": booking.public_id,
        "key": client_key(booking.client_email),
        "offering_id": offering.pk,
        "line_id": line.pk,
        "effect_id": effect.pk,
    }
    pages = {}
    for pattern in console_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name in ACTIONS_ONLY | DOWNLOADS:
            continue
        wanted = pattern.pattern.converters.keys()
        unknown = set(wanted) - set(arguments)
        assert not unknown, f"{pattern.name}: give this test a value for {unknown}"
        kwargs = {name: arguments[name] for name in wanted}
        pages[pattern.name] = reverse(f"console:{pattern.name}", kwargs=kwargs)
    return pages


@pytest.fixture
def demo_console(browser, live_server, client, settings):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", verbosity=0)
    booking = (
        Booking.objects.filter(status=Booking.Status.CONFIRMED, offering__price__gt=0)
        .order_by("start")
        .last()
    )
    user = booking.practitioner.user
    add_totp(user)
    sign_in_with_factor(client, user)
    contexts = []

    def open_page(viewport):
        context = browser.new_context(viewport=viewport)
        context.add_cookies([session_cookie(client, live_server.url)])
        contexts.append(context)
        return context.new_page()

    yield booking, open_page, live_server.url
    for context in contexts:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_console_page_passes_axe_and_fits(demo_console, viewport):
    booking, open_page, origin = demo_console
    page = open_page(viewport)
    line = CrisisLine.objects.create(country="GB", name="Samaritans", contact="116 123, free")
    # One email that did not go out, so that the page listing them has one to show.
    effect = Effect.objects.create(
        key="event:demo:client_email",
        name="booking.client_email",
        booking=booking,
        due_at=booking.start,
        status=Effect.Status.FAILED,
        attempts=12,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    for name, path in _pages(booking, booking.offering, line, effect).items():
        response = page.goto(origin + path)
        assert response.status == 200, f"{name} ({path}) answered {response.status}"
        assert_accessible(page, f"console page {name}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name} scrolls sideways: {width}px"


def test_every_demo_booking_page_passes_axe(demo_console):
    booking, open_page, origin = demo_console
    page = open_page(DESKTOP)
    for each in Booking.objects.filter(practitioner=booking.practitioner):
        page.goto(origin + reverse("console:booking", args=[each.public_id]))
        assert_accessible(page, f"the page of a {each.status} {each.offering.kind} booking")
