"""How fast are slots found for the reference scenario (bench/common.py)?

1. The engine alone, whole horizon, no database: what ``booking.slot_search.compute`` runs
   once its two reads are in, on the integers the database hands it (open windows from
   the schedule, busy spans merged, free starts); for the reference scenario and with
   2,000 imported busy blocks in the horizon instead of its 500 (aim: within 1.5×).
2. ``GET /api/v1/slots`` through Django's test client on a fresh database, for the whole
   horizon: answered afresh (the kept answers emptied before each request, as after any
   change) and from the kept answer (a repeated read, as most are); median ms and SQL
   queries of each, the query count for 7 and 60 days with 0 and 300 bookings (it should
   not change), and the same with 2,000 busy blocks.

Usage: bench/slots.py [--database sqlite|postgres] [--api-only] [--repeat N]
"""

import argparse
import statistics
import sys
from datetime import time as wall_time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BASELINE_QUERIES,
    BASELINE_SECONDS,
    BUFFER_AFTER,
    BUSY_BLOCK_LENGTH,
    BUSY_BLOCKS,
    DURATION,
    SCHEDULE,
    STEP,
    WORKING_WEEKDAYS,
    ZONE,
    Scenario,
    add_busy_bookings,
    baseline_ratio_ms,
    bench_database,
    describe_database,
    heading,
    measure_page,
    median_ms,
    populate,
    postgres_available,
    reference_scenario,
    remove_busy_bookings,
    slots_query,
)

from booking.availability import open_spans  # noqa: E402
from booking.intervals import Interval, micros, micros_of  # noqa: E402
from booking.slots import busy_index, free_starts  # noqa: E402

HEAVY_BLOCKS = 2_000
ROUNDS = 3


def heavy_blocks(scenario: Scenario) -> tuple[Interval, ...]:
    """The reference scenario's 500 busy blocks and 1,500 more, as a full personal calendar
    read in gives them: quarter hours on the half hour, on weekday evenings, nights and
    early mornings and at weekends, away from her hours (and their buffers) and from
    each other, so that all 2,000 stay apart when merged and the slots found are the
    reference scenario's own: the same answer from four times the busy rows."""
    half_hour = timedelta(minutes=30)
    candidates = []
    moment = scenario.start
    while moment < scenario.end:
        local = moment.astimezone(ZONE)
        working_day = local.weekday() in WORKING_WEEKDAYS
        near_hours = working_day and wall_time(8) <= local.time() < wall_time(18)
        block = Interval(moment, moment + BUSY_BLOCK_LENGTH)
        far = all(
            other.end + half_hour <= block.start or block.end + half_hour <= other.start
            for other in scenario.busy_blocks
        )
        if not near_hours and far:
            candidates.append(block)
        moment += half_hour
    extra = HEAVY_BLOCKS - len(scenario.busy_blocks)
    step = len(candidates) / extra
    return (*scenario.busy_blocks, *(candidates[int(n * step)] for n in range(extra)))


def engine_starts(scenario: Scenario, busy: tuple[tuple[int, ...], tuple[int, ...]]) -> list[int]:
    """The engine's part of a search: windows, busy spans indexed, free starts."""
    windows = open_spans(SCHEDULE, scenario.first_day, scenario.last_day)
    return free_starts(
        windows,
        busy_index(*busy),
        duration=micros_of(DURATION),
        step=micros_of(STEP),
        after=micros_of(BUFFER_AFTER),
        earliest=micros(scenario.start),
        latest=micros(scenario.end),
    )


def bench_engine(scenario: Scenario, repeat: int) -> int:
    heading("Slot engine alone (open_spans + busy_index + free_starts), whole horizon")
    figures, counts = [], []
    for label, blocks in (
        (f"{BUSY_BLOCKS} busy blocks", scenario.busy_blocks),
        (f"{HEAVY_BLOCKS:,} busy blocks", heavy_blocks(scenario)),
    ):
        # As the slot search has them from the database: two columns of microseconds,
        # bookings first, then busy blocks.
        spans = (*scenario.busy_periods, *blocks)
        busy = (tuple(micros(i.start) for i in spans), tuple(micros(i.end) for i in spans))
        count = len(engine_starts(scenario, busy))
        ms = median_ms(lambda busy=busy: engine_starts(scenario, busy), repeat=repeat * 10)
        figures.append(ms)
        counts.append(count)
        print(
            f"{label:>17}: median {ms:.3f} ms over {repeat * 10} runs (aim ≤ 0.5 ms), "
            f"{count} slots; {len(scenario.working_days)} working days, "
            f"{len(scenario.busy_periods)} busy hours"
        )
    light, heavy = figures
    print(f"{HEAVY_BLOCKS:,} / {BUSY_BLOCKS} busy blocks: {heavy / light:.2f}× (aim ≤ 1.5×)")
    print(f"baseline {BASELINE_SECONDS[0]}–{BASELINE_SECONDS[1]} s: {baseline_ratio_ms(light)}")
    return counts[0]


def bench_api(scenario: Scenario, database: str, repeat: int, engine_count: int | None) -> None:
    with bench_database(database):
        from django.test import Client

        from booking import slot_search
        from booking.models import BusyBlock

        heading(f"GET /api/v1/slots through the test client on {describe_database()}")
        populated = populate(scenario)
        client = Client()

        def measure(days: int, *, afresh: bool) -> tuple[float, int]:
            before = slot_search.KEPT.clear if afresh else None
            ms, queries, _ = measure_page(
                client, slots_query(scenario, days), repeat, before=before
            )
            return ms, queries

        slots = len(client.get(slots_query(scenario, 60)).json()["slots"])
        print(f"60 days, 300 bookings, {BUSY_BLOCKS} busy blocks: {slots} slots", end="")
        if engine_count is not None:
            same = slots == engine_count
            print(" (the engine alone found the same)" if same else f" — MISMATCH: {engine_count}")
        print()
        afresh, kept = measure(60, afresh=True), measure(60, afresh=False)
        print(f"afresh: median {afresh[0]:.2f} ms, {afresh[1]} SQL queries (aim ≤ 5 ms)")
        print(f"kept:   median {kept[0]:.2f} ms, {kept[1]} SQL queries")
        print(
            f"baseline {BASELINE_SECONDS[0]}–{BASELINE_SECONDS[1]} s and {BASELINE_QUERIES} "
            f"queries: afresh {baseline_ratio_ms(afresh[0])}, "
            f"{BASELINE_QUERIES / afresh[1]:,.0f}× fewer queries"
        )
        week = measure(7, afresh=True), measure(7, afresh=False)
        print(f"one week: afresh {week[0][0]:.2f} ms, kept {week[1][0]:.2f} ms")

        counts = {(60, 300): (afresh[1], kept[1]), (7, 300): (week[0][1], week[1][1])}
        remove_busy_bookings(populated)
        for days in (60, 7):
            counts[(days, 0)] = (measure(days, afresh=True)[1], measure(days, afresh=False)[1])
        add_busy_bookings(scenario, populated)
        print("SQL queries per request, afresh / kept (days × bookings):")
        for (days, bookings), (cold, warm) in counts.items():
            print(f"  {days:>2} days, {bookings:>3} bookings: {cold} / {warm}")
        same = len({pair for pair in counts.values()}) == 1
        print("query counts constant in days and bookings: " + ("yes" if same else "NO"))

        # The reference and the heavy busy time in turns, rounds apart, so that whatever
        # else the machine does weighs on both sides of the ratio alike.
        def use(blocks) -> None:
            BusyBlock.objects.all().delete()
            BusyBlock.objects.bulk_create(
                BusyBlock(practitioner=populated.practitioner, start=block.start, end=block.end)
                for block in blocks
            )

        sides = {"reference": scenario.busy_blocks, "heavy": heavy_blocks(scenario)}
        rounds: dict[tuple[str, bool], list[float]] = {}
        for _ in range(ROUNDS):
            for side, blocks in sides.items():
                use(blocks)
                for fresh in (True, False):
                    rounds.setdefault((side, fresh), []).append(measure(60, afresh=fresh)[0])
        heavy_slots = len(client.get(slots_query(scenario, 60)).json()["slots"])
        print(
            f"{BUSY_BLOCKS} against {HEAVY_BLOCKS:,} busy blocks ({heavy_slots} slots), "
            f"in turns, median of {ROUNDS} rounds:"
        )
        for fresh, label in ((True, "afresh"), (False, "kept")):
            light = statistics.median(rounds[("reference", fresh)])
            heavy = statistics.median(rounds[("heavy", fresh)])
            print(f"  {label}: {light:.2f} / {heavy:.2f} ms, {heavy / light:.2f}× (aim ≤ 1.5×)")


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
