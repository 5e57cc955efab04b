"""In a real Chromium: the practitioner's review fits a phone, 375 px wide, with the whole
power picture on screen (each row's two axes stacked) and no sideways scroll of the page."""

from datetime import timedelta

import pytest
from django.test import Client

from intake.models import Assignment
from tests.console.support import add_totp, sign_in_with_factor
from tests.e2e.axe import assert_accessible
from tests.factories import insert_booking, make_session_offering
from tests.intake.test_review import CLIENT_ANSWERS, fill, review_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_review_and_its_picture_fit_the_screen(
    browser, live_server, practitioner, now, django_user_model, width
):
    user = django_user_model.objects.create_user(username="mara", email="mara@example.org")
    practitioner.user = user
    practitioner.save()
    booking = insert_booking(make_session_offering(practitioner), now + timedelta(days=3))
    assignment = Assignment.objects.create(
        booking=booking, email=booking.client_email, name=booking.client_name
    )
    fill(assignment, now, CLIENT_ANSWERS)
    add_totp(user)
    client = Client()
    sign_in_with_factor(client, user)
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{review_url(booking)}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        [picture] = [svg for svg in page.locator("svg.power-map").all() if svg.is_visible()]
        box = picture.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        # "Who holds more power here": its partner's end is on screen, not scrolled away.
        for marker in picture.locator(".marker").all():
            spot = marker.bounding_box()
            assert 0 <= spot["x"] and spot["x"] + spot["width"] <= width
        assert_accessible(page, f"the practitioner's review at {width} px")
    finally:
        context.close()
