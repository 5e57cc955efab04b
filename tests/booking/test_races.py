"""Races: many clients at once, each in its own connection, try to break "no double booking".

Threads start together at a barrier and call the real service; the database must serialise
them (PostgreSQL: the practitioner row lock with the exclusion constraint behind it; SQLite:
IMMEDIATE write transactions). Exactly one wins, every other one is told so with the
service's own error, and nothing else goes wrong (no "database is locked", no deadlock).
"""

import json
import os
import subprocess
import sys
import threading
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from booking import free_calls, services
from booking.models import Booking
from practice.models import Offering
from tests.factories import make_offering

# Thursday 3 December 2026, 10:00 in Berlin (UTC+1); the clock stands at conftest.NOW.
THURSDAY_10_BERLIN = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
TAKEN = "Someone else booked Thursday 3 December, 10:00 (Berlin time) a moment before you."
THREADS = 10
JOIN_TIMEOUT = 120  # seconds; SQLite's busy timeout is 20 s, far more than a booking takes

pytestmark = pytest.mark.django_db(transaction=True)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only (set DATABASE_URL=postgres://...): this race is about several app "
    "servers sharing one PostgreSQL; on SQLite one file lock serialises every writer, which "
    "the thread races cover",
)


@dataclass(frozen=True)
class Attempt:
    offering: Offering
    start: datetime
    email: str


@dataclass
class Outcome:
    attempt: Attempt
    booking: Booking | None = None
    error: BaseException | None = None
    traceback: str = field(default="", repr=False)


def race(attempts: list[Attempt], now: datetime) -> list[Outcome]:
    """Run every attempt in its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(attempts), timeout=30)
    outcomes = [Outcome(attempt) for attempt in attempts]

    def attempt_booking(outcome: Outcome) -> None:
        try:
            barrier.wait()
            outcome.booking = free_calls.book_assessment(
                offering=outcome.attempt.offering,
                start=outcome.attempt.start,
                client_name="Racer",
                client_email=outcome.attempt.email,
                client_timezone="Europe/Berlin",
                now=now,
            )
        except BaseException as error:  # every failure is reported, not only booking errors
            outcome.error = error
            outcome.traceback = traceback.format_exc()
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt_booking, args=(o,)) for o in outcomes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    return outcomes


def assert_one_winner(outcomes: list[Outcome], losers_raise: type[Exception]) -> Outcome:
    unexpected = [
        o.traceback for o in outcomes if o.error is not None and type(o.error) is not losers_raise
    ]
    assert not unexpected, "\n".join(unexpected)
    winners = [o for o in outcomes if o.booking is not None]
    assert len(winners) == 1, f"{len(winners)} racers booked"
    losers = [o for o in outcomes if o.error is not None]
    assert len(losers) == len(outcomes) - 1
    return winners[0]


def blocking_overlaps() -> list[tuple[int, int]]:
    """Pairs of blocking bookings of one practitioner whose blocked spans overlap."""
    spans = list(
        Booking.objects.filter(status__in=Booking.BLOCKING).values_list(
            "pk", "practitioner_id", "blocked_start", "blocked_end"
        )
    )
    return [
        (a[0], b[0])
        for i, a in enumerate(spans)
        for b in spans[i + 1 :]
        if a[1] == b[1] and a[2] < b[3] and b[2] < a[3]
    ]


def free_hour(practitioner, **fields) -> Offering:
    """A free 60-minute offering that is not the assessment call."""
    defaults = {
        "slug": "free-hour",
        "name": "Free hour",
        "kind": Offering.Kind.SESSION,
        "duration_minutes": 60,
        "price": Decimal("0"),
    }
    return make_offering(practitioner, **(defaults | fields))


def test_racers_for_one_slot_give_one_booking_and_slot_unavailable_for_the_rest(assessment, now):
    attempts = [
        Attempt(assessment, THURSDAY_10_BERLIN, f"racer{n}@example.org") for n in range(THREADS)
    ]

    outcomes = race(attempts, now)

    winner = assert_one_winner(outcomes, services.SlotUnavailable)
    assert {str(o.error) for o in outcomes if o.error} == {TAKEN}
    assert list(Booking.objects.values_list("client_email", "start", "status")) == [
        (winner.attempt.email, THURSDAY_10_BERLIN, Booking.Status.CONFIRMED)
    ]


def test_overlapping_slots_of_different_offerings_give_one_booking(practitioner, assessment, now):
    """The 30-minute call at 10:00, a free hour at 09:30 and a free hour at 09:00 whose
    15-minute buffer reaches past 10:00: every pair overlaps, so one of them wins."""
    hour = free_hour(practitioner)
    buffered = free_hour(
        practitioner,
        slug="free-hour-buffered",
        name="Free hour, buffered",
        buffer_after_minutes=15,
    )
    contenders = [
        (assessment, THURSDAY_10_BERLIN),
        (hour, THURSDAY_10_BERLIN - timedelta(minutes=30)),
        (buffered, THURSDAY_10_BERLIN - timedelta(hours=1)),
    ]
    attempts = [
        Attempt(offering, start, f"racer{n}@example.org")
        for n, (offering, start) in enumerate(contenders * 4)
    ]

    assert_one_winner(race(attempts, now), services.SlotUnavailable)

    assert Booking.objects.filter(status__in=Booking.BLOCKING).count() == 1
    assert blocking_overlaps() == []


def test_touching_slots_of_different_offerings_both_book(practitioner, assessment, now):
    """The other side of the rule: a free hour 09:00–10:00 and the call at 10:00 do not
    overlap, so racing them must not make either fail."""
    hour = free_hour(practitioner)
    attempts = [
        Attempt(assessment, THURSDAY_10_BERLIN, "call@example.org"),
        Attempt(hour, THURSDAY_10_BERLIN - timedelta(hours=1), "hour@example.org"),
    ]

    outcomes = race(attempts, now)

    assert [o.traceback for o in outcomes if o.error] == []
    assert Booking.objects.filter(status=Booking.Status.CONFIRMED).count() == 2


def test_one_address_racing_for_different_slots_gets_one_open_assessment(assessment, now):
    slots = [THURSDAY_10_BERLIN + timedelta(minutes=30 * n) for n in range(THREADS)]
    spellings = ["ana@example.org", "Ana@Example.org", "ANA@EXAMPLE.ORG", " ana@example.org "]
    attempts = [
        Attempt(assessment, start, spellings[n % len(spellings)]) for n, start in enumerate(slots)
    ]

    outcomes = race(attempts, now)

    assert_one_winner(outcomes, services.AlreadyBooked)
    # The existing booking's link is emailed again once; the others are told it was.
    refusals = sorted(str(o.error) for o in outcomes if o.error)
    assert refusals == sorted(
        [free_calls.OPEN_ASSESSMENT_EXISTS]
        + [free_calls.OPEN_ASSESSMENT_LINK_SENT_RECENTLY] * (len(refusals) - 1)
    )
    assert list(Booking.objects.values_list("client_email", flat=True)) == ["ana@example.org"]


# A client in its own process: its own interpreter, Django and connection, as gunicorn
# workers or several app servers would be. It says "ready" once connected, waits for "go",
# books, and prints what happened as one JSON line.
RACER = """
import json, sys
from datetime import datetime
import django
django.setup()
from django.db import connection
from booking import services
from booking import free_calls
from practice.models import Offering

offering_id, start, email, now = sys.argv[1:5]
connection.ensure_connection()
print("ready", flush=True)
sys.stdin.readline()
try:
    booking = free_calls.book_assessment(
        offering=Offering.objects.get(pk=int(offering_id)),
        start=datetime.fromisoformat(start),
        client_name="Racer",
        client_email=email,
        client_timezone="Europe/Berlin",
        now=datetime.fromisoformat(now),
    )
    result = {"booked": booking.pk}
except services.BookingError as error:
    result = {"refused": type(error).__name__, "message": error.message}
print(json.dumps(result), flush=True)
"""
PROCESSES = 6


def _database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return (
        f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@on_postgresql
@pytest.mark.postgres
def test_racers_in_separate_processes_give_one_booking(assessment, now):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    args = [str(assessment.pk), THURSDAY_10_BERLIN.isoformat()]
    racers = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and snippet
            [
                sys.executable,
                "-W",
                "error",
                "-c",
                RACER,
                *args,
                f"p{n}@example.org",
                now.isoformat(),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(PROCESSES)
    ]
    try:
        for racer in racers:  # a barrier across processes: all connected before any books
            assert racer.stdout.readline().strip() == "ready", racer.stderr.read()
        for racer in racers:
            racer.stdin.write("go\n")
            racer.stdin.flush()
        results = []
        for racer in racers:
            out, err = racer.communicate(timeout=JOIN_TIMEOUT)
            assert racer.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for racer in racers:
            if racer.poll() is None:
                racer.kill()
                racer.wait()

    assert sorted(results, key=str) == sorted(
        [{"booked": Booking.objects.get().pk}]
        + [{"refused": "SlotUnavailable", "message": TAKEN}] * (PROCESSES - 1),
        key=str,
    )
