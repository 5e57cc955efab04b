"""Her private calendar feed: what one poll of ``/calendar/<token>.ics`` costs when her
practice is busy, and what the "nothing changed" answer costs.

5,000 bookings of hers, one every 70 minutes from 30 days back (the feed's reach) to about
seven months ahead, half free calls and half sessions: mostly confirmed, one in ten of
those ahead cancelled (a cancelled booking stays in the feed, as CANCELLED), two in three
of those past completed. Through Django's test client:

1. ``GET /calendar/<token>.ics`` built afresh (the kept copy emptied before each request, as
   after any change of a booking): median ms, SQL queries and the body's size.
2. The same while nothing changed, answered from the copy kept under its ETag (a calendar
   app that never asks conditionally).
3. The same with ``If-None-Match`` set to the ETag the first answer gave, as her calendar
   app asks every few minutes: it must answer 304; median ms and SQL queries.

Usage: bench/feed.py [--database sqlite|postgres] [--repeat N]
"""

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    bench_database,
    describe_database,
    heading,
    measure_page,
    postgres_available,
)

BOOKINGS = 5_000
STEP = timedelta(minutes=70)  # longer than a session: one practitioner, one at a time
BACK = timedelta(days=30)


def set_up():
    """Her practice and its 5,000 bookings; the feed's address and how many it shows."""
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from booking.models import Booking
    from tests.factories import make_offering, make_practitioner, new_booking

    practitioner = make_practitioner()
    offerings = [
        make_offering(practitioner),
        make_offering(practitioner, slug="session", name="Single session", duration_minutes=60),
    ]
    now = timezone.now()
    first = (now - BACK + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    rows = []
    for n in range(BOOKINGS):
        start = first + n * STEP
        status = Booking.Status.CONFIRMED
        if start < now and n % 3:
            status = Booking.Status.COMPLETED
        elif start > now and n % 10 == 0:
            status = Booking.Status.CANCELLED
        rows.append(
            new_booking(
                offerings[n % 2],
                start,
                status=status,
                email=f"client{n}@example.org",
                client_name=f"Client{n} Example",
            )
        )
    Booking.objects.bulk_create(rows, batch_size=500)
    by_status = dict(
        Booking.objects.filter(practitioner=practitioner)
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    last = first + (BOOKINGS - 1) * STEP
    described = ", ".join(f"{count:,} {status}" for status, count in sorted(by_status.items()))
    print(f"{BOOKINGS:,} bookings ({described}), {first:%Y-%m-%d} – {last:%Y-%m-%d}")
    return reverse("booking:calendar_feed", kwargs={"token": practitioner.feed_token})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=10, help="requests per median")
    args = parser.parse_args()
    if args.database == "postgres" and not postgres_available():
        print("PostgreSQL is not reachable (BENCH_POSTGRES_URL): nothing measured.")
        return
    with bench_database(args.database, name=f"bench_cal_feed_{os.getpid()}"):
        from django.core.cache import cache
        from django.test import Client

        heading(f"Her calendar feed through the test client ({describe_database()})")
        url = set_up()
        client = Client()
        first = client.get(url)
        assert first.status_code == 200, first.status_code
        events = first.content.count(b"BEGIN:VEVENT")
        full = measure_page(client, url, args.repeat, before=cache.clear)
        kept = measure_page(client, url, args.repeat * 3)
        unchanged = measure_page(
            client, url, args.repeat * 3, status=304, **{"If-None-Match": first["ETag"]}
        )
        print(f"{'request':<34}  {'median ms':>9}  {'queries':>7}  {'body':>9}")
        for label, row in (("GET, whole feed built", full), ("GET, the copy kept", kept)):
            print(f"{label:<34}  {row[0]:>9.1f}  {row[1]:>7}  {row[2] / 1024:>5,.0f} KiB")
        print(
            f"{'GET, If-None-Match: its ETag → 304':<34}  {unchanged[0]:>9.1f}  "
            f"{unchanged[1]:>7}  {unchanged[2]:>5} B"
        )
        print(
            f"{events:,} events in the feed; medians of {args.repeat} and {args.repeat * 3}; "
            f"304 is {full[0] / unchanged[0]:,.0f}× cheaper"
        )


if __name__ == "__main__":
    main()
