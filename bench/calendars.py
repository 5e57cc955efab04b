"""Her calendar read into busy time: how long a large feed takes to import, how much memory
it needs, and what its busy time costs the slot search.

1. A feed of 2,000 events over the 90-day horizon a read covers, built with icalendar: 200
   weekly series (RRULE; every 20th with an EXDATE, every 40th with one occurrence moved by
   a RECURRENCE-ID override), 1,800 single events; some all day, some on New York's clock
   (with their VTIMEZONE), some marked free (TRANSPARENT), which block nothing.
2. Served over HTTP by a thread in this process (the tests' calendar server) and imported
   through the real path: an ``ExternalCalendar`` of kind feed for the reference
   practitioner, ``imports.sync(calendar, now, force=True)`` (fetch, expand, replace its
   busy blocks in one transaction, look for conflicts with her bookings). Median seconds
   of 5 imports; the peak of traced Python allocations (tracemalloc) of one import, and the
   growth of the process's peak resident memory over one import (Linux: the peak is reset
   through /proc/self/clear_refs first, so the figure is that import's own). Beside it the
   expansion alone (``busy_times.busy_spans``) and the fetch alone, to show where the time
   goes.
3. ``GET /api/v1/slots`` for the reference scenario's 60 days (bench/common.py), through
   Django's test client, before the import and with its busy time stored: median ms, SQL
   queries, and the ratio. About 45 busy times a day cover the couple of dozen slots the
   reference leaves free, so the search with them finds none; it still reads every row.

Usage: bench/calendars.py [--database sqlite|postgres] [--runs N] [--repeat N]
"""

import argparse
import os
import resource
import statistics
import sys
import threading
import time
import tracemalloc
from datetime import date, datetime, timedelta
from datetime import time as wall
from http.server import ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    ZONE,
    bench_database,
    describe_database,
    heading,
    median_ms,
    populate,
    postgres_available,
    reference_scenario,
    slots_query,
)

# The calendar's address is stored encrypted, like intake answers: a key made for this run.
KEY = Fernet.generate_key().decode()
EVENTS = 2_000
SERIES = 200
DAYS = 90
NEW_YORK = ZoneInfo("America/New_York")
AIM_SECONDS = 2.0
AIM_MB = 100
AIM_RATIO = 1.5


def build_feed(first_day: date) -> tuple[bytes, dict[str, int]]:
    """The feed's bytes and what it holds, laid out deterministically from ``first_day``."""
    from icalendar import Calendar, Event

    def at(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
        return datetime.combine(day, wall(hour, minute), tzinfo=zone)

    counts = dict.fromkeys(
        ("series", "exdates", "overrides", "single", "all day", "New York", "free"), 0
    )
    events = []
    for s in range(SERIES):
        zone = NEW_YORK if s % 10 == 9 else ZONE
        begins = at(first_day + timedelta(days=s % 7), 7 + s % 12, 30 * (s % 2), zone)
        series = Event.new(
            uid=f"series-{s}@bench.example",
            start=begins,
            end=begins + timedelta(minutes=45),
            summary=f"Weekly {s}",
        )
        series.add("rrule", {"freq": "weekly"})
        if s % 20 == 0:
            series.add("exdate", begins + timedelta(weeks=2))
            counts["exdates"] += 1
        events.append(series)
        if s % 40 == 0:
            moved = Event.new(
                uid=series.uid,
                start=begins + timedelta(weeks=4, hours=2),
                end=begins + timedelta(weeks=4, hours=3),
                summary=f"Weekly {s}, moved",
            )
            moved.add("recurrence-id", begins + timedelta(weeks=4))
            events.append(moved)
            counts["overrides"] += 1
        counts["series"] += 1
        counts["New York"] += zone is NEW_YORK
    for n in range(EVENTS - SERIES):
        day = first_day + timedelta(days=n % DAYS)
        if n % 25 == 0:
            single = Event.new(
                uid=f"day-{n}@bench.example",
                start=day,
                end=day + timedelta(days=1),
                summary="Away",
            )
            counts["all day"] += 1
        else:
            zone = NEW_YORK if n % 6 == 0 else ZONE
            begins = at(day, 6 + n % 14, 15 * (n % 4), zone)
            single = Event.new(
                uid=f"single-{n}@bench.example",
                start=begins,
                end=begins + timedelta(minutes=30 + 15 * (n % 5)),
                summary=f"Appointment {n}",
            )
            counts["New York"] += zone is NEW_YORK
        if n % 9 == 0:
            single.add("transp", "TRANSPARENT")
            counts["free"] += 1
        events.append(single)
        counts["single"] += 1
    calendar = Calendar.new(prodid="-//bench//calendars//EN", subcomponents=events)
    calendar.add_missing_timezones()
    return calendar.to_ical(), counts


def serve(body: bytes) -> tuple[ThreadingHTTPServer, str]:
    """The feed at a local address, answered by the tests' calendar server (no ETag, so a
    forced read always reads it whole)."""
    from django.conf import settings

    from tests.calendar_server import Feeds

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Feeds)
    port = httpd.server_address[1]
    settings.CALENDAR_FETCH_ALLOWED_HOSTS = [f"127.0.0.1:{port}"]
    Feeds.routes = {"/busy.ics": (200, {"Content-Type": "text/calendar"}, body)}
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{port}/busy.ics"


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_growth_mb(run) -> tuple[float, str]:
    """How far one ``run()`` raised the process's resident memory above where it stood.
    Linux: the peak (VmHWM) is reset to the current size first, so it is this run's peak.
    Elsewhere only the lifetime peak (ru_maxrss) is known, which an earlier step may hold."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        before = _status_kb("VmRSS")
    except OSError:
        before = None
    if before is not None:
        run()
        return (_status_kb("VmHWM") - before) / 1024, "peak reset first"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    run()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (after - before) / 1024, "lifetime peak only: a lower bound"


def traced_peak_mb(run) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def median_seconds(run, runs: int) -> float:
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        run()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings)


def slots_figures(scenario, repeat: int) -> tuple[float, int, int]:
    """Median ms, SQL queries and slots of the 60-day search through the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    url = slots_query(scenario, 60)

    def get():
        response = client.get(url)
        assert response.status_code == 200, response.content[:500]
        return response

    with CaptureQueriesContext(connection) as captured:
        slots = len(get().json()["slots"])
    queries = len(captured.captured_queries)  # read now: the next request clears the log
    return median_ms(get, repeat=repeat), queries, slots


def bench(runs: int, repeat: int) -> None:
    from django.conf import settings
    from django.utils import timezone

    from booking.calendars import busy_times, fetch, imports
    from booking.models import BusyBlock, CalendarConflict, ExternalCalendar

    # Her conflict emails are rendered and handed to a backend that keeps nothing.
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    scenario = reference_scenario()
    populated = populate(scenario)
    practitioner = populated.practitioner
    now = timezone.now()
    start, end = imports.horizon(practitioner, now)
    body, counts = build_feed(start.astimezone(ZONE).date())
    httpd, url = serve(body)
    try:
        calendar = ExternalCalendar(
            practitioner=practitioner, kind=ExternalCalendar.Kind.FEED, name="Bench", host="x"
        )
        calendar.set_secrets(url=url)
        calendar.save()

        heading(f"Her calendar feed imported ({describe_database()})")
        held = ", ".join(f"{count} {what}" for what, count in counts.items())
        print(f"feed: {len(body) / 1024:,.0f} KiB, {EVENTS:,} events ({held})")
        print(f"horizon: {start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC")

        without = slots_figures(scenario, repeat)

        def sync():
            assert imports.sync(calendar, now, force=True), calendar.last_error

        began = time.perf_counter()
        first_mb, how = rss_growth_mb(sync)  # the first also opens her conflicts
        first_s = time.perf_counter() - began
        later_mb, _ = rss_growth_mb(sync)
        traced_mb = traced_peak_mb(sync)
        seconds = median_seconds(sync, runs)
        stored = BusyBlock.objects.filter(calendar=calendar).count()
        conflicts = CalendarConflict.objects.filter(calendar=calendar).count()

        def expand():
            return busy_times.busy_spans(body, zone=practitioner.zone, start=start, end=end)

        spans = len(expand())
        expand_s = median_seconds(expand, runs)
        fetch_s = median_seconds(lambda: fetch.fetch(url), runs)

        met = "met" if seconds < AIM_SECONDS else "MISSED"
        print(f"import (imports.sync): median {seconds:.2f} s of {runs} (aim < 2 s: {met})")
        print(f"  expansion alone (busy_times.busy_spans): median {expand_s:.2f} s")
        print(f"  fetch alone (fetch.fetch, local HTTP): median {fetch_s * 1000:.1f} ms")
        rest = seconds - expand_s - fetch_s
        print(f"  the rest, by difference (store in one transaction, conflicts): {rest:.2f} s")
        print(f"the first import (it opened the conflicts, sent their emails): {first_s:.2f} s")
        print(f"busy blocks stored: {stored:,} ({spans:,} spans expanded); {conflicts} conflicts")
        met = "met" if max(traced_mb, first_mb, later_mb) < AIM_MB else "MISSED"
        print(f"memory (aim < {AIM_MB} MB: {met}):")
        print(f"  tracemalloc peak of one import: {traced_mb:.1f} MB")
        print(f"  resident peak growth, first import: {first_mb:.1f} MB ({how})")
        print(f"  resident peak growth, a later import: {later_mb:.1f} MB")

        heading(f"GET /api/v1/slots, 60 days, {repeat} requests per median")
        with_ = slots_figures(scenario, repeat)
        print(f"{'':<28}  {'median ms':>9}  {'queries':>7}  {'slots':>5}")
        manual = len(scenario.busy_blocks)
        for label, (ms, queries, slots) in (
            (f"without the feed ({manual} blocks)", without),
            (f"with it ({manual} + {stored:,} blocks)", with_),
        ):
            print(f"{label:<28}  {ms:>9.2f}  {queries:>7}  {slots:>5}")
        ratio = with_[0] / without[0]
        met = "met" if ratio <= AIM_RATIO else "MISSED"
        print(f"ratio: {ratio:.2f}× (aim within {AIM_RATIO}×: {met})")
    finally:
        httpd.shutdown()
        httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=5, help="imports per median")
    parser.add_argument("--repeat", type=int, default=20, help="slot requests per median")
    args = parser.parse_args()
    if args.database == "postgres" and not postgres_available():
        print("PostgreSQL is not reachable (BENCH_POSTGRES_URL): nothing measured.")
        return
    name = f"bench_cal_{os.getpid()}"
    with bench_database(args.database, name=name, INTAKE_ENCRYPTION_KEYS=KEY):
        bench(args.runs, args.repeat)


if __name__ == "__main__":
    main()
