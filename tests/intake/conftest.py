from datetime import timedelta

import pytest

from intake.models import Assignment
from tests.factories import insert_booking, make_session_offering


@pytest.fixture
def booking(practitioner, now):
    offering = make_session_offering(practitioner)
    return insert_booking(offering, now + timedelta(days=3))


@pytest.fixture
def assignment(booking):
    return Assignment.objects.create(
        booking=booking, email=booking.client_email, name=booking.client_name
    )
