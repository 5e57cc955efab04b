"""The bookings list fits a 1280 px screen: the Status column is not cut off (Chromium)."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from booking.models import Booking
from practice.models import Offering
from tests.factories import insert_booking, make_offering

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_status_column_is_on_screen_at_1280_px(browser, live_server, client, practitioner):
    couples = make_offering(
        practitioner, slug="couples", name="Couples session", kind=Offering.Kind.COUPLES_SESSION
    )
    insert_booking(
        couples,
        datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
        status=Booking.Status.HELD,
        hold_expires_at=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
        client_name="Alexandra van der Meer-Okonkwo",
        email="alexandra.vandermeer-okonkwo@example.org",
    )
    admin = get_user_model().objects.create_superuser("mara", "mara@example.org", "pw-unused")
    client.force_login(admin)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/booking/booking/")
        status = page.locator("td.field-status").first
        assert status.inner_text() == "Held"
        # The list scrolls inside its own box (overflow-x: auto) beside the filters: a
        # column past that box's edge is cut off although the page itself fits.
        results = page.locator("#changelist .results").bounding_box()
        cell = status.bounding_box()
        assert cell["x"] + cell["width"] <= results["x"] + results["width"]
        assert page.evaluate(
            "(() => { const r = document.querySelector('#changelist .results');"
            " return r.scrollWidth <= r.clientWidth; })()"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    finally:
        context.close()
