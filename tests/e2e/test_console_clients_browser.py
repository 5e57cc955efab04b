"""Her clients in Chromium: searching the list, a client's page, marking them as returning,
and the erase confirmation, on a desktop and on a phone, each state checked by axe."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from booking.models import Booking
from console.clients import client_key
from tests.console.client_data import intake_for, paid_session
from tests.console.support import sign_in_with_factor
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE
from tests.factories import insert_booking, make_session_offering

pytestmark = pytest.mark.django_db(transaction=True)

DAY = timedelta(days=1)


@pytest.fixture
def clients(practitioner, assessment):
    now = timezone.now().replace(microsecond=0)
    session = make_session_offering(practitioner)
    insert_booking(
        assessment,
        now - 40 * DAY,
        email="zoe@example.org",
        client_name="Zoë Brandt",
        status=Booking.Status.COMPLETED,
        client_timezone="America/New_York",
    )
    past = paid_session(
        session,
        now - 10 * DAY,
        email="zoe@example.org",
        name="Zoë Brandt",
        refund=Decimal("60.00"),
        status=Booking.Status.CANCELLED,
        client_timezone="America/New_York",
    )
    intake_for(past, answers={"what_brings_you": "sleep"})
    insert_booking(assessment, now + 2 * DAY, email="noa@example.org", client_name="Noa Fischer")
    return now


def fits_a_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page must not scroll sideways on a phone"


def test_she_finds_a_client_marks_them_and_reads_the_erase_confirmation(console_browser, clients):
    page = console_browser("/console/clients/")
    assert_accessible(page, "the list of clients")
    assert page.locator("table.clients tbody tr").count() == 2

    page.get_by_label("Search by name or email").fill("zoe")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/console/clients/?q=zoe")
    assert_accessible(page, "the list searched")
    assert page.locator("table.clients tbody tr").count() == 1

    page.get_by_role("link", name="Zoë Brandt").click()
    page.wait_for_url(f"**/console/clients/{client_key('zoe@example.org')}/")
    assert_accessible(page, "a client's page")
    assert page.get_by_role("heading", name="Zoë Brandt", level=1).is_visible()
    assert page.get_by_text("120.00 EUR").is_visible()

    page.get_by_role("button", name="Mark as returning client").click()
    assert page.locator("#error-summary").is_visible()
    assert_accessible(page, "the returning mark without a note")
    page.get_by_label("Why (for you only)").fill("Worked together in 2024")
    page.get_by_role("button", name="Save the note").or_(
        page.get_by_role("button", name="Mark as returning client")
    ).click()
    page.get_by_text("Saved: they can book the sessions for returning clients.").wait_for()
    assert_accessible(page, "a client marked as returning")

    page.get_by_role("link", name="Erase this client…").click()
    assert_accessible(page, "the erase confirmation")
    assert page.get_by_text("What goes, for good").is_visible()
    assert page.get_by_text("1 payment and 1 refund").is_visible()


def test_erasing_in_the_browser_takes_them_off_the_list(
    console_browser, clients, client, practitioner_user
):
    sign_in_with_factor(client, practitioner_user, reauthenticated=True)
    page = console_browser(f"/console/clients/{client_key('zoe@example.org')}/erase/")

    page.get_by_label("To confirm, type their email address or the word erase").fill("zoe")
    page.get_by_role("button", name="Erase this client for good").click()
    assert page.locator("#error-summary").is_visible()
    assert_accessible(page, "the erase confirmation mistyped")

    page.get_by_label("To confirm, type their email address or the word erase").fill("erase")
    page.get_by_role("button", name="Erase this client for good").click()
    page.wait_for_url("**/console/clients/")
    assert_accessible(page, "the list after erasing")
    assert page.locator("table.clients tbody tr").count() == 1
    assert "Zoë" not in page.content()


def test_the_client_pages_fit_a_phone(console_browser, clients):
    key = client_key("zoe@example.org")
    for path, state in [
        ("/console/clients/", "the list on a phone"),
        (f"/console/clients/{key}/", "a client's page on a phone"),
        (f"/console/clients/{key}/erase/", "the erase confirmation on a phone"),
    ]:
        page = console_browser(path, viewport=PHONE)
        assert_accessible(page, state)
        fits_a_phone(page)
