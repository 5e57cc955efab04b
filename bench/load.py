"""The API under gunicorn on PostgreSQL, loaded from this machine only (127.0.0.1).

1. Requests/s from 8 concurrent clients (wrk) of ``GET /api/v1/slots`` for one week of the
   reference scenario (bench/common.py) and of ``GET /api/v1/offerings`` (one small query,
   a small answer), against the ceiling: a trivial view, ``JsonResponse({"ok": True})``
   (bench/ceiling_settings.py and ceiling_urls.py, never the product's), under the same
   gunicorn configuration and database, once with Django's default middleware (what
   ``startproject`` writes) and once with the project's own; and, with Django's, the same
   view after one query of one parameter, the least an answer that must be current costs
   (a kept week of slots asks the database for her slots version), to show what is left
   above that floor. The three servers, each with its own workers, run side by side and
   only one is loaded at a time: an idle sync worker sleeps in select() and its arbiter
   wakes once a second, so the idle two take about 1 ms of CPU per second from the loaded
   one. The five are measured in turn, run by run, so that whatever else the machine is
   doing weighs on all alike: median of 3 runs each, and the ratios of slots and of
   offerings to each ceiling as the median of the per-run ratios (the issue's aim: a week
   of slots at 0.5 of the trivial view with Django's middleware). Before any run each
   endpoint must answer 200 with JSON, the ceiling's views ``{"ok": true}`` with the
   middleware their names say; a run with any other answer than 2xx is flagged.
2. ``POST /api/v1/bookings`` from 16 concurrent clients racing over the horizon's free
   slots in a shuffled order (many of them overlap, so many attempts must be refused):
   bookings/s, then a check that no two blocking bookings overlap. Median of 3 rounds.
   It lives in bench/load_writes.py.
3. A mixed load with the rate limits on: 50 clients for 30 s, each its own simulated
   network, asking for a week of slots, booking, and opening the manage pages of what
   they booked: requests/s, p95 latency, 5xx answers (must be 0), answers by status, and
   double bookings (must be 0), for each of 3 runs and their median. It lives in
   bench/load_mixed.py.

The rate limits stay at their defaults. The load comes from 127.0.0.1 only, so gunicorn
runs with CLIENT_IP_HEADER=X-Forwarded-For (as behind a proxy) and each simulated client
sends its own address: in phase 2 each attempt comes from its own network, in phase 3
each client is one network, so per-address limits and the email confirmation of a busy
network apply to it as they would to a person.

Every load is bounded in requests and in time; gunicorn is stopped and the bench database
dropped at the end, whatever happened.

Usage: bench/load.py [--seconds S] [--workers N] [--rounds N] [--mixed-seconds S]
                     [--mixed-runs N] [--reads-only | --mixed-only]
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ceiling_urls import ONE_QUERY_PATH, TRIVIAL_ANSWER, TRIVIAL_PATH  # noqa: E402
from common import (  # noqa: E402
    HOST,
    ROOT,
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
from load_mixed import bench_mixed, print_mixed_median  # noqa: E402
from load_writes import bench_writes  # noqa: E402

GET_CLIENTS = 8
MAX_REQUESTS_PER_WRK_THREAD = 200_000

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
# The ceilings: the middleware their server runs (bench.ceiling_settings.VARIANTS), and
# the view asked for (bench.ceiling_urls).
CEILINGS = {
    "trivial, Django's middleware": ("default", TRIVIAL_PATH),
    "trivial, project's middleware": ("project", TRIVIAL_PATH),
    "one query, Django's middleware": ("default", ONE_QUERY_PATH),
}
TRIVIAL = "trivial, Django's middleware"  # the ceiling
READ_RUNS = 3


@contextlib.contextmanager
def ceilings(env: dict[str, str], workers: int, folder: Path) -> Iterator[dict[str, str]]:
    """The ceiling's views under the project's gunicorn configuration, one server per
    middleware variant, side by side: ``{name: url}``."""
    with contextlib.ExitStack() as stack:
        servers, urls = {}, {}
        for name, (variant, view) in CEILINGS.items():
            if variant not in servers:
                variant_env = env | {
                    "DJANGO_SETTINGS_MODULE": "bench.ceiling_settings",
                    "BENCH_CEILING_MIDDLEWARE": variant,
                }
                log = folder / f"ceiling-{variant}.log"
                server = gunicorn(variant_env, workers, log, ready=TRIVIAL_PATH)
                servers[variant] = stack.enter_context(server)
            urls[name] = servers[variant] + view
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
        if name not in CEILINGS:
            continue
        variant, _ = CEILINGS[name]
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
            aim = "aim ≥ 0.5; " if (name, ceiling) == (SLOTS, TRIVIAL) else ""
            print(
                f"{name} / {ceiling}: {statistics.median(per_run):.2f} "
                f"({aim}run by run: {', '.join(f'{ratio:.2f}' for ratio in per_run)})"
            )
    if failed:
        print(
            f"!! NOT MEASURED AS NAMED: {', '.join(failed)} answered other than 2xx or failed "
            "to connect; their rates and ratios above count those answers too"
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
