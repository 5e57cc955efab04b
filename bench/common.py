"""The reference scenario and the set-up every benchmark shares.

Reference scenario (the one the baseline was measured on; keep it exactly so):
one practitioner in Europe/Berlin, open Monday–Friday 09:00–17:00; a 60-minute offering
with 15 minutes of buffer after it, cut on a 15-minute step; the 60 days from tomorrow;
300 one-hour busy periods laid out deterministically (period ``i`` on working day
``i mod K`` at ``09:00 + (i div K)`` hours, ``K`` the number of working days in the
horizon), written as confirmed bookings of another offering; and 500 more 15-minute busy
blocks spread evenly over the horizon, nights included.

Benchmarks print figures; nothing here is asserted by the test suite.
"""

import contextlib
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from booking.availability import Schedule, to_instant  # noqa: E402 (pure, no Django)
from booking.intervals import Interval  # noqa: E402

ZONE_NAME = "Europe/Berlin"
ZONE = ZoneInfo(ZONE_NAME)
HOURS = (wall_time(9), wall_time(17))
WORKING_WEEKDAYS = range(5)  # Monday–Friday
HORIZON_DAYS = 60
DURATION = timedelta(minutes=60)
BUFFER_AFTER = timedelta(minutes=15)
STEP = timedelta(minutes=15)
BUSY_PERIODS = 300
BUSY_BLOCKS = 500
BUSY_BLOCK_LENGTH = timedelta(minutes=15)

OFFERING_SLUG = "reference-hour"
FILLER_SLUG = "reference-busy-hour"

# A widely used Django appointment app, measured on the same horizon.
BASELINE_SECONDS = (0.5, 0.7)
BASELINE_QUERIES = 824

SCHEDULE = Schedule(zone=ZONE, weekly={day: [HOURS] for day in WORKING_WEEKDAYS}, overrides={})


@dataclass(frozen=True)
class Scenario:
    first_day: date  # tomorrow, in Berlin
    last_day: date  # the 60th day, included
    start: datetime  # first_day 00:00 in Berlin
    end: datetime  # the midnight after last_day
    working_days: tuple[date, ...]
    busy_periods: tuple[Interval, ...]  # the 300 hours
    busy_blocks: tuple[Interval, ...]  # the 500 quarter hours

    def days(self, count: int) -> tuple[date, date]:
        """The first ``count`` days of the horizon, as an inclusive date range."""
        return self.first_day, self.first_day + timedelta(days=count - 1)


def midnight(day: date) -> datetime:
    return to_instant(day, wall_time(0), ZONE, is_end=False)


def reference_scenario(today: date | None = None) -> Scenario:
    """The reference scenario for the 60 days after ``today`` (Berlin's today by default)."""
    if today is None:
        today = datetime.now(ZONE).date()
    first_day = today + timedelta(days=1)
    last_day = first_day + timedelta(days=HORIZON_DAYS - 1)
    days = [first_day + timedelta(days=n) for n in range(HORIZON_DAYS)]
    working = tuple(day for day in days if day.weekday() in WORKING_WEEKDAYS)
    k = len(working)
    periods = []
    for i in range(BUSY_PERIODS):
        local_start = wall_time(HOURS[0].hour + i // k)
        begin = to_instant(working[i % k], local_start, ZONE, is_end=False)
        periods.append(Interval(begin, begin + timedelta(hours=1)))
    start, end = midnight(first_day), midnight(last_day + timedelta(days=1))
    spacing = (end - start) / BUSY_BLOCKS
    blocks = tuple(
        Interval(start + j * spacing, start + j * spacing + BUSY_BLOCK_LENGTH)
        for j in range(BUSY_BLOCKS)
    )
    return Scenario(first_day, last_day, start, end, working, tuple(periods), blocks)


# --- measuring -------------------------------------------------------------------------


def median_ms(run: Callable[[], object], *, repeat: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        run()
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def measure_page(
    client,
    url: str,
    repeat: int,
    *,
    warmup: int = 2,
    status: int = 200,
    before: Callable[[], object] | None = None,
    **headers: str,
) -> tuple[float, int, int]:
    """Median ms and SQL queries of ``GET url`` through a Django test client over ``repeat``
    runs, and the answer's size; every answer must have ``status``. ``before`` runs ahead of
    each request, untimed (emptying a cache, say)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries, size = [], [], 0
    for n in range(warmup + repeat):
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            page = client.get(url, headers=headers)
            elapsed = (time.perf_counter() - began) * 1000
        if page.status_code != status:
            raise RuntimeError(f"{url} answered {page.status_code}, not {status}")
        if n >= warmup:
            timings.append(elapsed)
            queries.append(len(captured.captured_queries))
            size = len(page.content)
    return statistics.median(timings), int(statistics.median(queries)), size


def baseline_ratio_ms(ours_ms: float) -> str:
    low, high = (seconds * 1000 / ours_ms for seconds in BASELINE_SECONDS)
    return f"{low:,.0f}–{high:,.0f}× faster"


def heading(text: str) -> None:
    print(f"\n## {text}")


# --- the database ----------------------------------------------------------------------

POSTGRES_SERVER = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)


def postgres_available() -> bool:
    import psycopg

    try:
        psycopg.connect(POSTGRES_SERVER, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as conn:
        conn.execute(sql)


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@contextlib.contextmanager
def bench_database(
    kind: str, *, name: str | None = None, **settings_env: str
) -> Iterator[dict[str, str]]:
    """A fresh database of ``kind`` ("sqlite" or "postgres"), migrated, with Django set up
    on it in this process; yields the environment a server process needs to use it too.
    The database is dropped (or its file removed) on the way out, whatever happened; a
    PostgreSQL ``name`` left by a run that was killed is dropped first."""
    env = {
        "DJANGO_SETTINGS_MODULE": "practice.settings",
        "SECRET_KEY": "bench-only-not-secret-" + "x" * 40,
        "TASKS_BACKEND": "immediate",
        "LOG_LEVEL": "WARNING",
        "EMAIL_HOST": "",  # the console backend: nothing leaves the machine
        **settings_env,
    }
    with contextlib.ExitStack() as stack:
        if kind == "sqlite":
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-"))
            env["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        elif kind == "postgres":
            name = name or f"bench_{os.getpid()}_{int(time.time())}"
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _admin(f'CREATE DATABASE "{name}"')
            stack.callback(_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            env["DATABASE_URL"] = _with_database(POSTGRES_SERVER, name)
        else:
            raise ValueError(f"unknown database kind {kind!r}")
        os.environ.update(env)

        import django
        from django.core.management import call_command
        from django.db import connections

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable", verbosity=0)  # rate limits and sign-in codes
        stack.callback(connections.close_all)
        yield env


def describe_database() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (WAL, IMMEDIATE)"


@dataclass
class Populated:
    practitioner: object
    offering: object  # the reference offering that slots are asked for
    filler: object  # the offering the 300 busy hours are booked as


def populate(scenario: Scenario, *, with_bookings: bool = True) -> Populated:
    """Write the reference scenario: practitioner, hours, offerings, busy time."""
    from decimal import Decimal

    from booking.models import AvailabilityRule, BusyBlock
    from practice.models import Offering, Practitioner

    practitioner = Practitioner.objects.create(
        name="Bench Practitioner",
        practice_name="Bench Practice",
        email="bench@example.org",
        timezone=ZONE_NAME,
    )
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(
            practitioner=practitioner, weekday=day, start_time=HOURS[0], end_time=HOURS[1]
        )
        for day in WORKING_WEEKDAYS
    )
    common = {
        "practitioner": practitioner,
        "price": Decimal("0"),
        "min_notice_minutes": 0,  # the whole of tomorrow counts, whatever the hour now
        "horizon_days": HORIZON_DAYS + 2,
    }
    offering = Offering.objects.create(
        slug=OFFERING_SLUG,
        name="Reference hour",
        kind=Offering.Kind.ASSESSMENT,
        duration_minutes=int(DURATION.total_seconds() // 60),
        buffer_after_minutes=int(BUFFER_AFTER.total_seconds() // 60),
        slot_step_minutes=int(STEP.total_seconds() // 60),
        **common,
    )
    filler = Offering.objects.create(
        slug=FILLER_SLUG,
        name="Busy hour",
        kind=Offering.Kind.SESSION,
        duration_minutes=60,
        slot_step_minutes=60,
        is_active=False,
        **common,
    )
    BusyBlock.objects.bulk_create(
        BusyBlock(practitioner=practitioner, start=block.start, end=block.end)
        for block in scenario.busy_blocks
    )
    populated = Populated(practitioner, offering, filler)
    if with_bookings:
        add_busy_bookings(scenario, populated)
    return populated


def add_busy_bookings(scenario: Scenario, populated: Populated) -> None:
    """The 300 busy hours as confirmed bookings (they touch, never overlap)."""
    from booking.models import Booking

    Booking.objects.bulk_create(
        Booking(
            practitioner=populated.practitioner,
            offering=populated.filler,
            status=Booking.Status.CONFIRMED,
            start=period.start,
            end=period.end,
            blocked_start=period.start,
            blocked_end=period.end,
            client_name=f"Busy {n}",
            client_email=f"busy{n}@example.org",
            client_timezone=ZONE_NAME,
            consented_at=scenario.start - timedelta(days=1),
            privacy_notice_version="bench",
        )
        for n, period in enumerate(scenario.busy_periods)
    )


def remove_busy_bookings(populated: Populated) -> None:
    from booking.models import Booking, BookingEvent

    BookingEvent.objects.filter(booking__offering=populated.filler).delete()
    Booking.objects.filter(offering=populated.filler).delete()


def slots_query(scenario: Scenario, days: int) -> str:
    first, last = scenario.days(days)
    return (
        f"/api/v1/slots?offering={OFFERING_SLUG}&start={first:%Y-%m-%d}&end={last:%Y-%m-%d}"
        f"&timezone={ZONE_NAME}"
    )


HOST = "127.0.0.1"  # never anything but this machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]
