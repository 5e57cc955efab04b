from datetime import UTC, datetime

import pytest
import time_machine
from cryptography.fernet import Fernet

from booking import slot_search
from tests.factories import make_offering, make_practitioner

# A Wednesday in winter: Berlin is UTC+1.
NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


# Generated once per run: no key is ever written into the repository.
INTAKE_KEY = Fernet.generate_key().decode()


def pytest_addoption(parser):
    parser.addoption(
        "--serial",
        choices=["all", "only", "skip"],
        default="all",
        help="the tests marked serial only, or all but them (make test runs each apart)",
    )


def pytest_collection_modifyitems(config, items):
    """``--serial=only`` keeps the tests whose claims rest on timing between real processes;
    ``--serial=skip`` leaves them out, for the run in parallel beside each other."""
    which = config.getoption("--serial")
    if which == "all":
        return
    wanted = which == "only"
    dropped = [item for item in items if (item.get_closest_marker("serial") is not None) != wanted]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


def pytest_sessionfinish(session, exitstatus):
    # A run of the serial tests alone that finds none (a path given without any) is no error.
    if session.config.getoption("--serial") == "only" and exitstatus == 5:
        session.exitstatus = 0


@pytest.fixture(autouse=True)
def intake_key(settings):
    """The test settings run with DEBUG off and no keys, like production; give them one
    (answers and booking notes are encrypted with it)."""
    settings.INTAKE_ENCRYPTION_KEYS = [INTAKE_KEY]
    return INTAKE_KEY


@pytest.fixture(autouse=True)
def fresh_cache(request, django_db_blocker):
    """Rate limits and resend marks live in the shared cache (the database cache): a test
    in a transaction rolls them back with it, but a transactional test or a live server
    commits them, and the next test would start over a limit. Empty it after each test
    that touched the database. Kept slot answers are emptied after every test."""
    yield
    slot_search.KEPT.clear()  # kept slot answers live in this process
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if uses_db:
        from django.core.cache import cache

        with django_db_blocker.unblock():
            cache.clear()


@pytest.fixture
def now():
    """The clock frozen at NOW (it still ticks, so timestamps stay ordered)."""
    with time_machine.travel(NOW, tick=True):
        yield NOW


@pytest.fixture
def practitioner(db):
    return make_practitioner()


@pytest.fixture
def assessment(practitioner):
    return make_offering(practitioner)


# Fixtures for every test folder: the practitioner's account with its second factor and a
# console session; the local Stripe stand-in and paid bookings; a real SMTP server.
from tests.caldav_server import radicale  # noqa: E402, F401
from tests.calendar_server import calendar_server  # noqa: E402, F401
from tests.console.support import console, practitioner_user  # noqa: E402, F401
from tests.payments.fixtures import (  # noqa: E402, F401
    deliver,
    flush,
    hold,
    paid,
    returning,
    session_offering,
    standin,
    standin_server,
)
from tests.smtp import smtp_sink  # noqa: E402, F401
