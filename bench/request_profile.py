"""Where the milliseconds of one request go: ``GET /api/v1/slots`` for a week of the reference
scenario (bench/common.py) and ``GET /api/v1/offerings``, each through Django's own WSGI
handler with the project's settings and middleware, as gunicorn calls it, profiled with
pyinstrument over many requests.

For each request it prints the median wall time unprofiled, then the profiled time split by
where it is spent (each frame's own time, by the module it belongs to): the request's way
through Django and its middleware, the session and user, SQL (Django's database layer and
the driver), the form, the slot search, time zones, JSON, and the rest. Then pyinstrument's
call tree, so that a share can be followed to the line that spends it. ``--kept`` (the
default) measures a week read again with nothing changed, as most reads are; ``--afresh``
empties the kept answers before each request.

Usage: bench/request_profile.py [--database sqlite|postgres] [--requests N] [--afresh] [--tree]
"""

import argparse
import io
import statistics
import sys
import sysconfig
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    bench_database,
    describe_database,
    heading,
    populate,
    postgres_available,
    reference_scenario,
    slots_query,
)

# Where a frame's own time is counted, by the first fragment its file path contains.
PLACES = (
    ("session and user", ("contrib/sessions", "contrib/auth", "allauth/")),
    ("SQL (Django's database layer, driver)", ("django/db/", "psycopg", "sqlite3")),
    (
        "middleware",
        ("django/middleware", "contrib/messages", "csp/", "practice/middleware", "headers.py"),
    ),
    ("the form", ("django/forms", "booking/api_forms", "_strptime")),
    (
        "slot search",
        ("booking/slot", "booking/selectors", "booking/intervals", "booking/availability"),
    ),
    ("time zones", ("zoneinfo", "practice/timezones")),
    ("JSON", ("json/", "django/core/serializers")),
    ("response", ("django/http/",)),
    ("URL routing", ("django/urls",)),
    ("request handling (Django, WSGI)", ("django/core/handlers", "django/", "wsgiref")),
    ("the view", ("booking/api",)),
    ("this script's calls", ("bench/request_profile",)),
)


def place(path: str) -> str:
    for name, fragments in PLACES:
        if any(fragment in path for fragment in fragments):
            return name
    return "other"


STDLIB = sysconfig.get_paths()["stdlib"]
STDLIB_PLACES = ("json/", "zoneinfo")  # the rest of the standard library serves its caller


def own_times(frame, totals: Counter, caller: str = "other") -> None:
    """Each frame's own time (its time less its children's), by place. A built-in, the
    standard library (``copy`` for a form's fields, say) and pyinstrument's "[self]" frames
    count where they were called from."""
    path = frame.file_path or ""
    served = path.startswith(STDLIB) and not any(part in path for part in STDLIB_PLACES)
    here = place(path) if path.endswith(".py") and not served else caller
    children = frame.children
    totals[here] += frame.time - sum(child.time for child in children)
    for child in children:
        own_times(child, totals, here)


def environ(path_and_query: str) -> dict:
    path, _, query = path_and_query.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def profile(handler, url: str, requests: int, before) -> None:
    from pyinstrument import Profiler

    statuses: Counter = Counter()

    def call() -> None:
        before()

        def start_response(status, headers, exc_info=None):
            statuses[status] += 1

        body = handler(environ(url), start_response)
        b"".join(body)
        body.close()

    for _ in range(50):
        call()
    timings = []
    for _ in range(requests):
        began = time.perf_counter()
        call()
        timings.append((time.perf_counter() - began) * 1000)
    if set(statuses) != {"200 OK"}:
        raise RuntimeError(f"{url} answered {dict(statuses)}")

    profiler = Profiler(interval=0.0001)
    profiler.start()
    for _ in range(requests):
        call()
    profiler.stop()
    session = profiler.last_session
    totals: Counter = Counter()
    own_times(session.root_frame(), totals)
    profiled = sum(totals.values())
    wall = statistics.median(timings)
    print(f"median {wall:.3f} ms a request unprofiled, over {requests} requests")
    print("profiled time, by where it is spent (shares of the request):")
    for name, seconds in totals.most_common():
        share = seconds / profiled
        print(f"  {name:<40} {share:6.1%}  ≈ {share * wall:.3f} ms")
    return profiler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--afresh", action="store_true", help="empty kept answers each time")
    parser.add_argument("--tree", action="store_true", help="print pyinstrument's call trees")
    args = parser.parse_args()
    if args.database == "postgres" and not postgres_available():
        print("PostgreSQL is not reachable (BENCH_POSTGRES_URL): nothing measured.")
        return

    scenario = reference_scenario()
    with bench_database(args.database, DATABASE_CONN_MAX_AGE="60"):
        from django.core.handlers.wsgi import WSGIHandler

        from booking import slot_search

        populate(scenario)
        handler = WSGIHandler()
        before = slot_search.KEPT.clear if args.afresh else (lambda: None)
        kept = "emptied before each request" if args.afresh else "kept"
        for label, url in (
            (f"GET /api/v1/slots, one week, answers {kept}", slots_query(scenario, 7)),
            ("GET /api/v1/offerings", "/api/v1/offerings"),
        ):
            heading(f"{label}: {describe_database()}, the project's middleware")
            profiler = profile(handler, url, args.requests, before)
            if args.tree:
                print(profiler.output_text(unicode=True, color=False, short_mode=True))


if __name__ == "__main__":
    main()
