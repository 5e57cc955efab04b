"""Every public page, in its ordinary and its error states, shows no template syntax.

A Django comment that spans lines (``{# … #}``) is not a comment at all: it is printed.
Such slips show clients something broken on exactly the pages where they must trust us,
so each page a client can reach is rendered here and searched for the marks.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from booking import links
from booking.models import Booking
from intake.models import Assignment
from practice.models import KnownClient
from tests.accounts.support import CONFIRM, SIGN_IN, make_user, request_code
from tests.factories import insert_booking, make_session_offering
from tests.payments.fixtures import THURSDAY_10_BERLIN, press

pytestmark = pytest.mark.django_db(transaction=True)

TEMPLATE_MARKS = ("{#", "#}", "{{", "{%", "%}")
SLOT = "2026-12-03T09:00:00Z"  # Thursday 10:00 in Berlin, bookable at the frozen clock
NEW_YORK = "America/New_York"


def assert_no_template_text(response, page: str) -> None:
    html = response.content.decode()
    found = [mark for mark in TEMPLATE_MARKS if mark in html]
    at = html.find(found[0]) if found else 0
    assert not found, f"{page} shows template text {found}: …{html[max(at - 80, 0) : at + 80]}…"


def check(client: Client, pages: dict[str, tuple]) -> None:
    """``pages``: what each page is → (method, path[, data], expected status)."""
    for name, (method, path, *rest) in pages.items():
        data, status = (rest[0], rest[1]) if len(rest) == 2 else ({}, rest[0])
        response = getattr(client, method)(path, data)
        assert response.status_code == status, (name, response.status_code)
        assert_no_template_text(response, name)


def details_data(**fields) -> dict:
    form = {"start": SLOT, "timezone": NEW_YORK, "name": "Ana", "email": "ana@example.org"}
    return form | {"note": "", "consent": "on"} | fields


def test_the_booking_pages_show_no_template_text(client, assessment, now):
    details = "/book/assessment/details/"
    check(
        client,
        {
            "home": ("get", "/", 200),
            "privacy": ("get", "/privacy/", 200),
            "week": ("get", f"/book/assessment/?tz={NEW_YORK}", 200),
            "week without a zone": ("get", "/book/assessment/", 200),
            "empty week": ("get", "/book/assessment/?week=2027-03-01", 200),
            "details": ("get", f"{details}?start={SLOT}&tz={NEW_YORK}", 200),
            "details with errors": ("post", details, details_data(name="", consent=""), 200),
            "details with a bad email": ("post", details, details_data(email="ana@"), 200),
            "booked": ("post", details, details_data(), 302),
            "already booked": ("post", details, details_data(start="2026-12-04T09:00:00Z"), 409),
            "taken": ("get", f"{details}?start={SLOT}&tz={NEW_YORK}", 409),
            "not found": ("get", "/no/such/page/", 404),
            "no such offering": ("get", "/book/nothing/", 404),
        },
    )


def test_the_pages_of_a_booking_by_its_link_show_no_template_text(client, assessment, now):
    client.post("/book/assessment/details/", details_data())
    booking = Booking.objects.get(offering=assessment)
    path = links.manage_path(booking)
    check(
        client,
        {
            "manage, just booked": ("get", path + "?booked=1", 200),
            "manage": ("get", path, 200),
            "cancel confirm": ("get", path + "cancel/", 200),
            "reschedule week": ("get", path + "reschedule/", 200),
            "reschedule confirm": ("get", path + "reschedule/?start=2026-12-04T13:00:00Z", 200),
            "rescheduled": ("post", path + "reschedule/", {"start": "2026-12-04T13:00:00Z"}, 302),
            "outdated link": ("get", path, 410),
            "link sent": ("post", path + "send-link/", 200),
            "invalid link": ("get", f"/booking/{booking.public_id}/forged/", 404),
        },
    )
    booking.refresh_from_db()
    path = links.manage_path(booking)
    check(client, {"cancelled": ("post", path + "cancel/", 302)})
    booking.refresh_from_db()
    check(client, {"manage, cancelled": ("get", links.manage_path(booking), 200)})


def test_the_paid_and_couples_pages_show_no_template_text(
    client, session_offering, standin, flush, now
):
    make_session_offering(
        session_offering.practitioner, slug="couples", kind="couples_session", name="Couples"
    )
    check(
        client,
        {
            "returning only, signed out": ("get", "/book/session/", 200),
            "details signed out": ("get", f"/book/session/details/?start={SLOT}", 200),
        },
    )
    client.force_login(make_user("sam@example.org"))
    check(client, {"returning only, not known": ("get", "/book/session/", 200)})
    KnownClient.objects.create(email="sam@example.org")
    couples_data = {"start": SLOT, "timezone": NEW_YORK, "name": "Sam", "consent": "on"}
    check(
        client,
        {
            "session week": ("get", "/book/session/", 200),
            "session details": ("get", f"/book/session/details/?start={SLOT}", 200),
            "session details, no name": ("post", "/book/session/details/", {"start": SLOT}, 200),
            "couples details": ("get", f"/book/couples/details/?start={SLOT}", 200),
            "couples details with errors": (
                "post",
                "/book/couples/details/",
                couples_data | {"partner_name": "", "partner_email": "sam@example.org"},
                200,
            ),
            "my bookings, none": ("get", reverse("booking:my_bookings"), 200),
        },
    )
    response = client.post(
        "/book/session/details/",
        {"start": SLOT, "timezone": NEW_YORK, "name": "Sam", "consent": "on"},
    )
    answer = press(response["Location"])
    flush()
    back = answer.headers["Location"].removeprefix("http://testserver")
    booking = Booking.objects.get(offering=session_offering)
    path = links.manage_path(booking)
    check(
        client,
        {
            "back from checkout": ("get", back, 302),
            "paid booking": ("get", path, 200),
            "receipt": ("get", path + "receipt/", 200),
            "paid cancel confirm": ("get", path + "cancel/", 200),
            "my bookings": ("get", reverse("booking:my_bookings"), 200),
        },
    )
    assert booking.start == THURSDAY_10_BERLIN


def test_the_intake_pages_show_no_template_text(client, practitioner, now):
    booking = insert_booking(make_session_offering(practitioner), now + timedelta(days=3))
    assignment = Assignment.objects.create(
        booking=booking, email=booking.client_email, name=booking.client_name
    )

    def url(name, **kwargs):
        return reverse(f"intake:{name}", kwargs={"token": assignment.token} | kwargs)

    section = url("section", section_id="what_brings_you")
    check(
        client,
        {
            "intake welcome": ("get", url("start"), 200),
            "intake before consent": ("get", section, 302),
            "intake consent refused": ("post", url("start"), 200),
            "intake consented": ("post", url("start"), {"agree": "1"}, 302),
            "intake section": ("get", section, 200),
            "intake safety": ("get", url("section", section_id="safety") + "?support=1", 200),
            "intake review": ("get", url("review"), 200),
            "intake export": ("get", url("export"), 200),
            "intake erase confirm": ("get", url("erase"), 200),
            "intake unknown link": ("get", reverse("intake:start", kwargs={"token": "x"}), 404),
        },
    )


def test_the_sign_in_pages_show_no_template_text(client, practitioner):
    check(
        client,
        {
            "sign in": ("get", SIGN_IN, 200),
            "sign in with a bad email": ("post", SIGN_IN, {"email": "nope"}, 200),
            "password sign in": ("get", "/accounts/login/", 200),
            "sign up": ("get", "/accounts/signup/", 200),
        },
    )
    request_code(client, "sam@example.org")
    check(
        client,
        {
            "enter the code": ("get", CONFIRM, 200),
            "a wrong code": ("post", CONFIRM, {"code": "WRONG"}, 200),
        },
    )
    for _ in range(30):  # "login": 30/m/ip
        client.post("/accounts/login/", {"login": "sam@example.org", "password": "nope"})
    check(client, {"too many attempts": ("post", "/accounts/login/", {"login": "x"}, 429)})
