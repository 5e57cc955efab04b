"""Phase 3 of bench/load.py: a mixed load with the rate limits on, each client its own
simulated network asking for a week of slots, booking, and opening the manage pages of what
it booked: requests/s, p95 latency, answers by status, 5xx answers and double bookings
(both must be 0), run by run and their median.
"""

import http.client
import json
import random
import statistics
import threading
import time
from collections import Counter

from common import HOST, OFFERING_SLUG, ZONE_NAME, Scenario, heading, slots_query
from load_writes import free_starts, overlapping_blocking_pairs, run_clients

MIXED_CLIENTS = 50
# What a mixed-load client does next: mostly look at times, sometimes book, sometimes open
# a booking it made.
MIXED_WEIGHTS = {"slots": 6, "book": 3, "manage": 2}


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
