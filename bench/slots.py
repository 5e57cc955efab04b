"""How fast are slots computed for the reference scenario (bench/common.py)?

1. The engines alone (booking.availability.open_windows + booking.slots.bookable_slots),
   whole horizon, no database.
2. ``GET /api/v1/slots`` through Django's test client on a fresh database: median time and
   SQL queries for the whole horizon, and the query count for 7 and 60 days with 0 and
   300 bookings (it should not change).

Usage: bench/slots.py [--database sqlite|postgres] [--api-only] [--repeat N]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BASELINE_QUERIES,
    BASELINE_SECONDS,
    POLICY,
    SCHEDULE,
    ZONE,
    Scenario,
    add_busy_bookings,
    baseline_ratio_ms,
    bench_database,
    describe_database,
    heading,
    median_ms,
    populate,
    postgres_available,
    reference_scenario,
    remove_busy_bookings,
    slots_query,
)

from booking.availability import open_windows  # noqa: E402
from booking.intervals import Interval  # noqa: E402
from booking.slots import bookable_slots  # noqa: E402


def engine_slots(scenario: Scenario) -> list[Interval]:
    windows = open_windows(SCHEDULE, scenario.first_day, scenario.last_day)
    return bookable_slots(
        windows=windows,
        busy=[*scenario.busy_periods, *scenario.busy_blocks],
        policy=POLICY,
        earliest=scenario.start,
        latest=scenario.end,
        day_of=lambda moment: moment.astimezone(ZONE).date(),
    )


def bench_engine(scenario: Scenario, repeat: int) -> int:
    heading("Slot engine alone (open_windows + bookable_slots), whole horizon")
    count = len(engine_slots(scenario))
    ms = median_ms(lambda: engine_slots(scenario), repeat=repeat * 5)
    print(
        f"{scenario.first_day}–{scenario.last_day}: {len(scenario.working_days)} working days, "
        f"{len(scenario.busy_periods)} busy hours + {len(scenario.busy_blocks)} busy blocks "
        f"→ {count} slots"
    )
    print(f"engine: median {ms:.2f} ms over {repeat * 5} runs (aim < 5 ms)")
    print(f"baseline {BASELINE_SECONDS[0]}–{BASELINE_SECONDS[1]} s: {baseline_ratio_ms(ms)}")
    return count


def bench_api(scenario: Scenario, database: str, repeat: int, engine_count: int | None) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with bench_database(database):
        heading(f"GET /api/v1/slots through the test client on {describe_database()}")
        populated = populate(scenario)
        client = Client()

        def get(days: int):
            response = client.get(slots_query(scenario, days))
            assert response.status_code == 200, response.content[:500]
            return response

        def queries(days: int) -> int:
            with CaptureQueriesContext(connection) as captured:
                get(days)
            return len(captured.captured_queries)

        slots = len(get(60).json()["slots"])
        ms = median_ms(lambda: get(60), repeat=repeat)
        whole = queries(60)
        print(f"60 days, 300 bookings: {slots} slots", end="")
        if engine_count is not None:
            print(" (the engine alone found the same)" if slots == engine_count else "", end="")
            if slots != engine_count:
                print(f" — MISMATCH: the engine alone found {engine_count}", end="")
        print()
        print(f"api: median {ms:.2f} ms over {repeat} requests, {whole} SQL queries (aim < 20 ms)")
        print(
            f"baseline {BASELINE_SECONDS[0]}–{BASELINE_SECONDS[1]} s and {BASELINE_QUERIES} "
            f"queries: {baseline_ratio_ms(ms)}, {BASELINE_QUERIES / whole:,.0f}× fewer queries"
        )

        counts = {(60, 300): whole, (7, 300): queries(7)}
        week_ms = median_ms(lambda: get(7), repeat=repeat)
        remove_busy_bookings(populated)
        counts[(60, 0)], counts[(7, 0)] = queries(60), queries(7)
        add_busy_bookings(scenario, populated)
        print("SQL queries per request (days × bookings):")
        for (days, bookings), count in counts.items():
            print(f"  {days:>2} days, {bookings:>3} bookings: {count}")
        same = len(set(counts.values())) == 1
        print("query count constant in days and bookings: " + ("yes" if same else "NO"))
        print(f"one week, 300 bookings: median {week_ms:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--api-only", action="store_true", help="skip the engine alone")
    parser.add_argument("--repeat", type=int, default=30, help="runs per median")
    args = parser.parse_args()

    scenario = reference_scenario()
    engine_count = None if args.api_only else bench_engine(scenario, args.repeat)
    if args.database == "postgres" and not postgres_available():
        print("\nPostgreSQL is not reachable (BENCH_POSTGRES_URL): API figures skipped.")
        return
    bench_api(scenario, args.database, args.repeat, engine_count)


if __name__ == "__main__":
    main()
