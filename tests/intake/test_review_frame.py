"""Her intake review is read inside her console's frame (bar and nav), keeping the intake's
"Leave this page" control and none of the client site's header."""

import pytest

from tests.console.support import sign_in_with_factor
from tests.console.test_frame_outside_console import console_nav_shown
from tests.intake.test_review import filled, review_url  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def test_her_intake_review_is_in_her_console_with_its_quick_exit(
    client,
    practitioner_user,
    filled,  # noqa: F811
):
    sign_in_with_factor(client, practitioner_user)

    text = client.get(review_url(filled.booking)).content.decode()

    assert f"Intake for {filled.booking.client_name}" in text
    assert console_nav_shown(text)
    assert "My bookings" not in text
    assert "Leave this page" in text
    assert "data-quick-exit" in text
