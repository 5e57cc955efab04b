"""Phase 2 of bench/load.py: ``POST /api/v1/bookings`` from 16 concurrent clients racing
over the horizon's free slots in a shuffled order, each attempt from its own network (many
overlap, so many must be refused): bookings/s, then a check that no two blocking bookings
overlap. The mixed load (load_mixed.py) takes its free starts, its overlap check and its
way of starting clients together from here.
"""

import http.client
import json
import random
import statistics
import threading
import time
import urllib.request
from collections import Counter

from common import HOST, OFFERING_SLUG, ZONE_NAME, Scenario, heading, remove_busy_bookings

POST_CLIENTS = 16
POST_ATTEMPTS_PER_ROUND = 600


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
