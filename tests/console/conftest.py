"""Offerings the console's tests book: a paid single session and a paid couples session."""

import pytest

from tests.factories import make_couples_offering, make_session_offering


@pytest.fixture
def session(practitioner):
    return make_session_offering(practitioner)


@pytest.fixture
def couples(practitioner):
    return make_couples_offering(practitioner)
