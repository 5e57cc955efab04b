"""Schemathesis against a live server: the API answers only what its OpenAPI document says.

A bounded, seeded run (the same requests each time) over every operation, checking that
nothing answers 5xx, that each status code, body, header and content type is one the
document states, and that input the document calls invalid is refused. It fails with
schemathesis's own report, which names the request that broke the contract.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from booking.models import Booking
from tests.factories import make_offering, make_practitioner, make_session_offering

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db(transaction=True)]

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# The run CI makes; a longer or other one by hand: SCHEMATHESIS_SEED=1 SCHEMATHESIS_SECONDS=600.
MAX_EXAMPLES = 60
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "8"))
MAX_SECONDS = int(os.environ.get("SCHEMATHESIS_SECONDS", "90"))


@pytest.fixture
def bookable_practice(db):
    """Every kind of offering the API answers differently for: free, couples, paid."""
    practitioner = make_practitioner()
    make_offering(practitioner, min_notice_minutes=0)
    make_offering(practitioner, slug="couples", name="Couples call", kind="couples_session")
    make_session_offering(practitioner)
    return practitioner


@pytest.fixture
def raised_limits(settings):
    """Booking limits far above a person's, but still within the run: the first hundred
    bookings reach the booking rules and the confirmation by email, later ones meet the
    429 (both checked against the document). The live server reads these settings."""
    rates = {"ip": "100/h", "email": "100/h"}
    settings.BOOKING_RATE_LIMITS = {"book": rates, "reschedule": rates}
    settings.FREE_CALLS_PER_NETWORK = "100/d"


def test_the_api_keeps_its_openapi_contract(
    live_server, bookable_practice, raised_limits, now, tmp_path
):
    """With the clock at ``now``, the document's example start is a free slot, so the run
    books it and checks the 201 too, then meets each refusal."""
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--url",
        f"{live_server.url}/api/v1",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--generation-database",
        "none",
        "--workers",
        "1",
        "--max-time",
        str(MAX_SECONDS),
        "--no-color",
    ]
    result = subprocess.run(  # noqa: S603
        command,
        capture_output=True,
        text=True,
        timeout=MAX_SECONDS + 120,
        cwd=tmp_path,
        check=False,
    )
    print(result.stdout)  # its summary (size, phases, time) with pytest -s
    assert result.returncode == 0, result.stdout + result.stderr
    assert Booking.objects.filter(offering__slug="assessment").exists(), result.stdout
