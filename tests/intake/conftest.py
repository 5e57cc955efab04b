from datetime import timedelta

import pytest
from cryptography.fernet import Fernet

from intake.models import Assignment
from tests.factories import insert_booking, make_session_offering

# Generated once per run: no key is ever written into the repository.
KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def intake_key(settings):
    """The test settings run with DEBUG off and no keys, like production; give them one."""
    settings.INTAKE_ENCRYPTION_KEYS = [KEY]
    return KEY


@pytest.fixture
def booking(practitioner, now):
    offering = make_session_offering(practitioner)
    return insert_booking(offering, now + timedelta(days=3))


@pytest.fixture
def assignment(booking):
    return Assignment.objects.create(
        booking=booking, email=booking.client_email, name=booking.client_name
    )
