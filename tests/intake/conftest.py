from datetime import timedelta

import pytest

from intake.models import Assignment
from tests.console.support import add_totp
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


@pytest.fixture
def practitioner_user(practitioner, django_user_model):
    """The practitioner's own account, with her authenticator app: the one that may read
    intakes (tests sign in as her with ``sign_in_with_factor``)."""
    user = django_user_model.objects.create_user(username="mara", email="mara@example.org")
    practitioner.user = user
    practitioner.save()
    add_totp(user)
    return user


@pytest.fixture
def partner(booking):
    """The second attendee of ``booking``, as for a couples session."""
    return Assignment.objects.create(
        booking=booking,
        email="robin@example.org",
        name="Robin Partner",
        role=Assignment.Role.PARTNER,
    )
