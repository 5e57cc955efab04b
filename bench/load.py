"""The API under gunicorn on PostgreSQL, loaded from this machine only (127.0.0.1).

1. Requests/s from 8 concurrent clients (wrk) of ``GET /api/v1/slots`` for one week of the
   reference scenario (bench/common.py) and of ``GET /api/v1/offerings`` (one small query,
   a small answer), against the ceiling: a trivial view, ``JsonResponse({"ok": True})``
   (bench/ceiling_settings.py and ceiling_urls.py, never the product's), under the same
   gunicorn configuration and database, once with Django's default middleware (what
   ``startproject`` writes) and once with the project's own. The three servers, each with
   its own workers, run side by side and only one is loaded at a time: an idle sync worker
   sleeps in select() and its arbiter wakes once a second, so the idle two take about 1 ms
   of CPU per second from the loaded one. The four are measured in turn, run by run, so
   that whatever else the machine is doing weighs on all alike: median of 3 runs each, and
   the ratios of slots and of offerings to each ceiling as the median of the per-run
   ratios (the issue's aim: a week of slots at 0.5 of the trivial view with Django's
   middleware). Before any run each endpoint must answer 200 with JSON, the trivial views
   ``{"ok": true}`` with the middleware their names say; a run with any other answer than
   2xx is flagged.
2. ``POST /api/v1/bookings`` from 16 concurrent clients racing over the horizon's free
   slots in a shuffled order (many of them overlap, so many attempts must be refused):
   bookings/s, then a check that no two blocking bookings overlap. Median of 3 rounds.
3. A mixed load with the rate limits on: 50 clients for 30 s, each its own simulated
   network, asking for a week of slots, booking, and opening the manage pages of what
   they booked: requests/s, p95 latency, 5xx answers (must be 0), answers by status, and
   double bookings (must be 0).

The rate limits stay at their defaults. The load comes from 127.0.0.1 only, so gunicorn
runs with CLIENT_IP_HEADER=X-Forwarded-For (as behind a proxy) and each simulated client
sends its own address: in phase 2 each attempt comes from its own network, in phase 3
each client is one network, so per-address limits and the email confirmation of a busy
network apply to it as they would to a person.

Every load is bounded in requests and in time; gunicorn is stopped and the bench database
dropped at the end, whatever happened.

Usage: bench/load.py [--seconds S] [--workers N] [--rounds N] [--mixed-seconds S]
                     [--reads-only | --mixed-only]
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ceiling_urls import TRIVIAL_ANSWER, TRIVIAL_PATH  # noqa: E402
from common import (  # noqa: E402
    OFFERING_SLUG,
    ROOT,
    ZONE_NAME,
    Scenario,
    bench_database,
    describe_database,
    free_port,
    heading,
    populate,
    postgres_available,
    reference_scenario,
    remove_busy_bookings,
    slots_query,
)

HOST = "127.0.0.1"  # never anything but this machine
GET_CLIENTS = 8
POST_CLIENTS = 16
MAX_REQUESTS_PER_WRK_THREAD = 200_000
POST_ATTEMPTS_PER_ROUND = 600
MIXED_CLIENTS = 50
# What a mixed-load client does next: mostly look at times, sometimes book, sometimes open
# a booking it made.
MIXED_WEIGHTS = {"slots": 6, "book": 3, "manage": 2}

# Stops each wrk thread after a fixed number of answers: every run is bounded in count as
# well as by wrk's own duration.
WRK_LIMIT = """
local limit = tonumber(os.getenv("BENCH_WRK_LIMIT"))
local answered = 0
function response(status, headers, body)
  answered = answered + 1
  if answered >= limit then wrk.thread:stop() end
end
"""


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    workers: int,
    log: Path,
    *,
    ready: str = "/api/v1/offerings",
) -> Iterator[str]:
    """The project's WSGI application under gunicorn (``DJANGO_SETTINGS_MODULE`` in ``env``
    picks its settings), its base URL once ``ready`` answers 200."""
    port = free_port()
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "practice.wsgi:application",
        f"--bind={HOST}:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--timeout=60",
        "--backlog=64",
        # Unused here, and one path for every arbiter on the machine: servers side by side
        # would take it from each other.
        "--no-control-socket",
    ]
    with log.open("w") as output:
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env=os.environ | env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                # The log goes with the bench's temporary folder: its end, here.
                end = "\n".join(log.read_text().splitlines()[-5:])
                raise RuntimeError(f"gunicorn exited ({server.returncode}); {log} ends:\n{end}")
            try:
                with urllib.request.urlopen(base + ready, timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within 30 s; see {log}")
            time.sleep(0.2)
        yield base
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)  # the arbiter stops its workers
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)  # our own session only
                server.wait()


def wrk(url: str, *, clients: int, seconds: int, script: Path) -> tuple[float, str]:
    """Requests per second, and a note on anything but 2xx answers."""
    threads = min(2, clients)
    output = subprocess.run(
        [
            "wrk",
            f"--threads={threads}",
            f"--connections={clients}",
            f"--duration={seconds}s",
            "--timeout=10s",
            f"--script={script}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
        env=os.environ | {"BENCH_WRK_LIMIT": str(MAX_REQUESTS_PER_WRK_THREAD)},
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    problems = [
        line.strip()
        for line in output.splitlines()
        if line.strip().startswith(("Non-2xx", "Socket errors"))
    ]
    return rate, "; ".join(problems)


SLOTS = "slots, one week"
OFFERINGS = "offerings"
# The ceiling's servers by the middleware they run (bench.ceiling_settings.VARIANTS).
CEILINGS = {
    "trivial, Django's middleware": "default",
    "trivial, project's middleware": "project",
}
READ_RUNS = 3


@contextlib.contextmanager
def ceilings(env: dict[str, str], workers: int, folder: Path) -> Iterator[dict[str, str]]:
    """The trivial view under the project's gunicorn configuration, one server per
    middleware variant, side by side: ``{name: url}``."""
    with contextlib.ExitStack() as stack:
        urls = {}
        for name, variant in CEILINGS.items():
            variant_env = env | {
                "DJANGO_SETTINGS_MODULE": "bench.ceiling_settings",
                "BENCH_CEILING_MIDDLEWARE": variant,
            }
            log = folder / f"ceiling-{variant}.log"
            server = gunicorn(variant_env, workers, log, ready=TRIVIAL_PATH)
            urls[name] = stack.enter_context(server) + TRIVIAL_PATH
        yield urls


def check_answers(endpoints: dict[str, str]) -> None:
    """One answer from each endpoint before any run: 200 with JSON, not a redirect; the
    trivial views answer ``{"ok": true}``, and only the project's middleware adds its
    Content-Security-Policy, so each server runs the middleware its name says."""
    for name, url in endpoints.items():
        try:
            with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - 127.0.0.1
                status, where, headers = answer.status, answer.url, answer.headers
                body = json.load(answer)
        except (OSError, ValueError) as error:
            raise RuntimeError(f"{name}: {url} did not answer JSON with 200: {error}") from error
        if status != 200 or where != url:
            raise RuntimeError(f"{name}: {url} answered {status} from {where}")
        variant = CEILINGS.get(name)
        if variant is None:
            continue
        if body != TRIVIAL_ANSWER:
            raise RuntimeError(f"{name}: {url} answered {body!r}, not {TRIVIAL_ANSWER!r}")
        if ("Content-Security-Policy" in headers) != (variant == "project"):
            raise RuntimeError(f"{name}: {url} does not run the {variant} middleware")


def bench_reads(
    base: str, scenario: Scenario, seconds: int, folder: Path, env: dict[str, str], workers: int
) -> None:
    heading(
        f"GET under gunicorn, {GET_CLIENTS} concurrent clients (wrk), median of {READ_RUNS} "
        f"interleaved runs, against a trivial view as the ceiling"
    )
    script = folder / "limit.lua"
    script.write_text(WRK_LIMIT)
    with ceilings(env, workers, folder) as trivial:
        endpoints = {
            SLOTS: base + slots_query(scenario, 7),
            OFFERINGS: f"{base}/api/v1/offerings",
            **trivial,
        }
        check_answers(endpoints)
        for url in endpoints.values():
            wrk(url, clients=GET_CLIENTS, seconds=2, script=script)  # warm every worker up
        # Runs alternate between the endpoints, so that whatever else the machine is doing
        # weighs on every side of the ratios alike.
        results: dict[str, list[tuple[float, str]]] = {name: [] for name in endpoints}
        for _ in range(READ_RUNS):
            for name, url in endpoints.items():
                results[name].append(wrk(url, clients=GET_CLIENTS, seconds=seconds, script=script))
    failed = []
    for name, runs in results.items():
        problems = "; ".join(sorted({note for _, note in runs if note}))
        if problems:
            failed.append(name)
        print(
            f"{name:>30}: {statistics.median(rate for rate, _ in runs):8.1f} requests/s   "
            f"(runs: {', '.join(f'{rate:.1f}' for rate, _ in runs)})"
            + (f"   PROBLEMS: {problems}" if problems else "")
        )
    for name in (SLOTS, OFFERINGS):
        for ceiling in CEILINGS:
            pairs = zip(results[name], results[ceiling], strict=True)
            per_run = [rate / top for (rate, _), (top, _) in pairs]
            aim = "aim ≥ 0.5; " if (name, CEILINGS[ceiling]) == (SLOTS, "default") else ""
            print(
                f"{name} / {ceiling}: {statistics.median(per_run):.2f} "
                f"({aim}run by run: {', '.join(f'{ratio:.2f}' for ratio in per_run)})"
            )
    if failed:
        print(
            f"!! NOT MEASURED AS NAMED: {', '.join(failed)} answered other than 2xx or failed "
            "to connect; their rates and ratios above count those answers too"
        )


def free_starts(base: str, scenario: Scenario) -> list[str]:
    first, last = scenario.days(60)
    url = (
        f"{base}/api/v1/slots?offering={OFFERING_SLUG}&start={first}&end={last}"
        f"&timezone={ZONE_NAME}"
    )
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - http://127.0.0.1
        return [slot["start"] for slot in json.load(answer)["slots"]]


def run_clients(clients: list[threading.Thread], seconds: float) -> float:
    """Start every client together and wait for all (a minute's grace past ``seconds``):
    the seconds it took."""
    began = time.perf_counter()
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(seconds + 60)
    return time.perf_counter() - began


def post_round(base: str, starts: list[str], round_no: int, seconds: int) -> dict:
    """16 clients take the next start from one shuffled queue until it is empty or time is
    up; each client keeps one connection open."""
    port = int(base.rsplit(":", 1)[1])
    queue = iter(enumerate(starts))
    lock = threading.Lock()
    statuses: Counter = Counter()
    deadline = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        try:
            while time.monotonic() < deadline:
                with lock:
                    item = next(queue, None)
                if item is None:
                    return
                n, start = item
                body = json.dumps(
                    {
                        "offering": OFFERING_SLUG,
                        "start": start,
                        "name": f"Load {round_no}-{n}",
                        "email": f"load-{round_no}-{n}@example.org",
                        "timezone": ZONE_NAME,
                        "note": "",
                        "consent": True,
                    }
                )
                try:
                    connection.request(
                        "POST",
                        "/api/v1/bookings",
                        body=body,
                        headers={
                            "Content-Type": "application/json",
                            # Each attempt its own network: the races, not the limits.
                            "X-Forwarded-For": f"{11 + n // 256}.{round_no}.{n % 256}.1",
                        },
                    )
                    answer = connection.getresponse()
                    answer.read()
                    status = answer.status
                except (OSError, http.client.HTTPException) as error:
                    status = type(error).__name__
                    connection.close()
                    connection = http.client.HTTPConnection(HOST, port, timeout=30)
                with lock:
                    statuses[status] += 1
        finally:
            connection.close()

    elapsed = run_clients([threading.Thread(target=client) for _ in range(POST_CLIENTS)], seconds)
    return {"elapsed": elapsed, "statuses": statuses}


def overlapping_blocking_pairs() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM booking_booking a JOIN booking_booking b
              ON a.practitioner_id = b.practitioner_id AND a.id < b.id
             AND tstzrange(a.blocked_start, a.blocked_end, '[)')
                 && tstzrange(b.blocked_start, b.blocked_end, '[)')
             WHERE a.status IN ('held', 'confirmed') AND b.status IN ('held', 'confirmed')
            """
        )
        return cursor.fetchone()[0]


def bench_writes(base: str, scenario: Scenario, populated, rounds: int, seconds: int) -> None:
    from booking.models import Booking, BookingEvent

    heading(
        f"POST /api/v1/bookings under gunicorn, {POST_CLIENTS} concurrent clients, "
        f"median of {rounds} rounds"
    )
    # With the 300 busy hours the horizon has only a couple of dozen free hours left; the
    # writes get the horizon with its 500 busy blocks only, so that there is room to book.
    remove_busy_bookings(populated)
    starts = free_starts(base, scenario)
    print(
        f"{len(starts)} free starts (15-minute step, so most overlap each other); "
        f"each round tries up to {POST_ATTEMPTS_PER_ROUND} of them in a shuffled order"
    )
    rates, attempts_rates, overlaps = [], [], 0
    for round_no in range(rounds):
        order = random.Random(round_no).sample(starts, k=min(len(starts), POST_ATTEMPTS_PER_ROUND))
        result = post_round(base, order, round_no, seconds)
        statuses = result["statuses"]
        booked = statuses.get(201, 0)
        made = Booking.objects.filter(offering=populated.offering).count()
        pairs = overlapping_blocking_pairs()
        overlaps += pairs
        rates.append(booked / result["elapsed"])
        attempts_rates.append(sum(statuses.values()) / result["elapsed"])
        answers = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items(), key=str))
        print(
            f"round {round_no + 1}: {sum(statuses.values())} attempts in "
            f"{result['elapsed']:.1f} s → {booked} booked ({rates[-1]:.1f} bookings/s, "
            f"{attempts_rates[-1]:.1f} attempts/s); answers {answers}; "
            f"rows {made}; overlapping blocking pairs: {pairs}"
        )
        if made != booked:
            print(f"  MISMATCH: {booked} answered 201 but {made} bookings exist")
        BookingEvent.objects.filter(booking__offering=populated.offering).delete()
        Booking.objects.filter(offering=populated.offering).delete()
    print(
        f"bookings/s: median {statistics.median(rates):.1f}; attempts/s: median "
        f"{statistics.median(attempts_rates):.1f}"
    )
    print(f"overlapping blocking bookings after all rounds: {overlaps} (must be 0)")


def mixed_client(port: int, number: int, starts: list[str], deadline: float, out: dict) -> None:
    """One simulated visitor on its own network (X-Forwarded-For 10.x.y.z, its own /24):
    week of slots, a booking now and then under a fresh address, its manage pages."""
    rng = random.Random(number)
    address = f"10.{number // 256}.{number % 256}.{rng.randint(1, 254)}"
    kinds = list(MIXED_WEIGHTS)
    weights = list(MIXED_WEIGHTS.values())
    manage_paths: list[str] = []
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        n = 0
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights)[0]
            if kind == "manage" and not manage_paths:
                kind = "slots"
            headers = {"X-Forwarded-For": address}
            if kind == "slots":
                method, path, body = "GET", out["slots_path"], None
            elif kind == "manage":
                method, path, body = "GET", rng.choice(manage_paths), None
            else:
                n += 1
                method, path = "POST", "/api/v1/bookings"
                body = json.dumps(
                    {
                        "offering": OFFERING_SLUG,
                        "start": rng.choice(starts),
                        "name": f"Visitor {number}-{n}",
                        "email": f"visitor-{number}-{n}@example.org",
                        "timezone": ZONE_NAME,
                        "consent": True,
                    }
                )
                headers["Content-Type"] = "application/json"
            began = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                answer = connection.getresponse()
                content = answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException) as error:
                status, content = type(error).__name__, b""
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
            elapsed = time.perf_counter() - began
            if kind == "book" and status == 201:
                manage_paths.append("/" + json.loads(content)["manage_url"].split("/", 3)[3])
            with out["lock"]:
                out["latencies"].append(elapsed)
                out["by_kind"][kind].append(elapsed)
                out["statuses"][(kind, status)] += 1
    finally:
        connection.close()


def bench_mixed(base: str, scenario: Scenario, populated, seconds: int, run: int) -> dict:
    """One run of the mixed load; its figures, for the median over runs. Each run starts
    from no bookings and empty rate-limit windows, as the first did."""
    from django.core.cache import cache

    from booking.models import Booking, BookingEvent

    heading(
        f"Mixed load with the rate limits on, run {run}: {MIXED_CLIENTS} clients, one network "
        f"each, for {seconds} s (slots : book : manage = "
        + " : ".join(str(weight) for weight in MIXED_WEIGHTS.values())
        + ")"
    )
    cache.clear()
    starts = free_starts(base, scenario)
    port = int(base.rsplit(":", 1)[1])
    out = {
        "lock": threading.Lock(),
        "latencies": [],
        "by_kind": {kind: [] for kind in MIXED_WEIGHTS},
        "statuses": Counter(),
        "slots_path": slots_query(scenario, 7),
    }
    deadline = time.monotonic() + seconds
    clients = [
        threading.Thread(target=mixed_client, args=(port, number, starts, deadline, out))
        for number in range(MIXED_CLIENTS)
    ]
    elapsed = run_clients(clients, seconds)

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[-1] * 1000 if len(values) > 1 else 0.0

    total = len(out["latencies"])
    server_errors = sum(
        count
        for (_, status), count in out["statuses"].items()
        if not isinstance(status, int) or status >= 500
    )
    print(
        f"{total} requests in {elapsed:.1f} s → {total / elapsed:.1f} requests/s; "
        f"p95 latency {p95(out['latencies']):.0f} ms"
    )
    for kind, values in out["by_kind"].items():
        answers = ", ".join(
            f"{status}: {count}"
            for (k, status), count in sorted(out["statuses"].items(), key=str)
            if k == kind
        )
        print(f"{kind:>8}: {len(values):6d} requests, p95 {p95(values):5.0f} ms; {answers}")
    held = Booking.objects.filter(offering=populated.offering, status=Booking.Status.HELD).count()
    confirmed = Booking.objects.filter(
        offering=populated.offering, status=Booking.Status.CONFIRMED
    ).count()
    print(
        f"bookings: {confirmed} confirmed, {held} held until their client confirms by email "
        "(a network past FREE_CALLS_PER_NETWORK)"
    )
    overlaps = overlapping_blocking_pairs()
    print(f"5xx answers and connection errors: {server_errors} (must be 0)")
    print(f"overlapping blocking bookings: {overlaps} (must be 0)")
    BookingEvent.objects.filter(booking__offering=populated.offering).delete()
    Booking.objects.filter(offering=populated.offering).delete()
    return {
        "rps": total / elapsed,
        "p95": p95(out["latencies"]),
        "server_errors": server_errors,
        "overlaps": overlaps,
    }


def print_mixed_median(runs: list[dict]) -> None:
    heading(f"Mixed load, median of {len(runs)} runs")
    print(
        f"{statistics.median(r['rps'] for r in runs):.1f} requests/s; p95 latency "
        f"{statistics.median(r['p95'] for r in runs):.0f} ms; 5xx in all runs: "
        f"{sum(r['server_errors'] for r in runs)} (must be 0); overlapping bookings in all "
        f"runs: {sum(r['overlaps'] for r in runs)} (must be 0)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="length of each wrk run")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--rounds", type=int, default=3, help="rounds of POST")
    parser.add_argument("--mixed-seconds", type=int, default=30, help="length of the mixed load")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--reads-only", action="store_true", help="only the GETs (1.)")
    only.add_argument("--mixed-only", action="store_true", help="only the mixed load (3.)")
    parser.add_argument("--mixed-runs", type=int, default=3, help="runs of the mixed load")
    args = parser.parse_args()

    if not postgres_available():
        print("PostgreSQL is not reachable (BENCH_POSTGRES_URL): nothing measured.")
        return
    has_wrk = shutil.which("wrk") is not None
    scenario = reference_scenario()
    with (
        tempfile.TemporaryDirectory(prefix="bench-load-") as folder,
        bench_database("postgres", DATABASE_CONN_MAX_AGE="60") as env,
    ):
        populated = populate(scenario)
        # Behind a proxy, as in production: the load's simulated addresses are believed.
        server_env = env | {"CLIENT_IP_HEADER": "X-Forwarded-For"}
        with gunicorn(server_env, args.workers, Path(folder) / "gunicorn.log") as base:
            print(
                f"gunicorn: {args.workers} sync workers on {base}, {describe_database()}, "
                f"persistent connections (DATABASE_CONN_MAX_AGE=60), jobs inline "
                f"(TASKS_BACKEND=immediate: the emails are rendered in the request), "
                f"{os.cpu_count()} cores shared by server, database and load"
            )
            if not args.mixed_only:
                if has_wrk:
                    bench_reads(
                        base, scenario, args.seconds, Path(folder), server_env, args.workers
                    )
                else:
                    print("wrk is not installed (apt-get install wrk): GETs not measured.")
            if not args.reads_only:
                if args.mixed_only:
                    remove_busy_bookings(populated)
                else:
                    bench_writes(base, scenario, populated, args.rounds, seconds=120)
                print_mixed_median(
                    [
                        bench_mixed(base, scenario, populated, args.mixed_seconds, run)
                        for run in range(1, args.mixed_runs + 1)
                    ]
                )
        for log in sorted(Path(folder).glob("*.log")):
            errors = [line for line in log.read_text().splitlines() if "Traceback" in line]
            if errors:
                print(f"gunicorn logged {len(errors)} tracebacks in {log.name}")


if __name__ == "__main__":
    main()
