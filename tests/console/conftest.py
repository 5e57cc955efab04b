"""Offerings the console's tests book: a paid single session and a paid couples session."""

from decimal import Decimal

import pytest

from practice.models import Offering
from tests.factories import make_offering, make_session_offering


@pytest.fixture
def session(practitioner):
    return make_session_offering(practitioner)


@pytest.fixture
def couples(practitioner):
    return make_offering(
        practitioner,
        slug="couples",
        name="Couples session",
        kind=Offering.Kind.COUPLES_SESSION,
        duration_minutes=90,
        price=Decimal("180.00"),
    )
