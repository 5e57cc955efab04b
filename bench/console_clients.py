"""How fast is her page of one client with 100 bookings, and does its query count stay put?

One practitioner, one client with 100 paid sessions over two years (every other one with a
refund, every one with a sent intake questionnaire, every tenth with a hardship decision),
and 300 bookings of 100 other clients beside them. ``GET /console/clients/<key>/`` through
Django's test client, signed in as her with her second factor: median milliseconds and SQL
queries; then the query count with 2 and with 100 bookings (it should not change); and the
list of clients (``GET /console/clients/``) with those 101 clients.

Usage: bench/console_clients.py [--database sqlite|postgres] [--repeat N]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    bench_database,
    describe_database,
    heading,
    median_ms,
    postgres_available,
)
from cryptography.fernet import Fernet  # noqa: E402

CLIENT = "zoe.brandt@example.org"
FEW = "noa.fischer@example.org"


def populate():
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from booking.models import Booking
    from tests.console.client_data import hardship_for, intake_for, paid_session
    from tests.console.support import add_totp, make_account
    from tests.factories import (
        insert_booking,
        make_offering,
        make_practitioner,
        make_session_offering,
    )

    practitioner = make_practitioner()
    user = make_account(practitioner.email)
    practitioner.user = user
    practitioner.save(update_fields=["user"])
    add_totp(user)
    call = make_offering(practitioner)
    session = make_session_offering(practitioner)
    first = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)

    def sessions(email, name, count, hour):
        for i in range(count):
            booking = paid_session(
                session,
                first + timedelta(days=7 * i, hours=hour),
                email=email,
                name=name,
                refund=Decimal("60.00") if i % 2 else None,
                status=Booking.Status.COMPLETED,
            )
            intake_for(booking, answers={"what_brings_you": "Words of theirs, encrypted."})
            if i % 10 == 0:
                hardship_for(booking)

    sessions(CLIENT, "Zoë Brandt", 100, 0)
    sessions(FEW, "Noa Fischer", 2, 2)
    for i in range(300):
        insert_booking(
            call,
            first + timedelta(days=i // 3, hours=4 + i % 3),
            email=f"other{i % 100}@example.org",
            client_name=f"Other Client {i % 100}",
        )
    return user


def bench(database: str, repeat: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with bench_database(database, INTAKE_ENCRYPTION_KEYS=Fernet.generate_key().decode()):
        from console.clients import client_key
        from tests.console.support import sign_in_with_factor

        heading(f"Her page of one client through the test client on {describe_database()}")
        user = populate()
        client = Client()
        sign_in_with_factor(client, user)

        def get(path):
            response = client.get(path)
            assert response.status_code == 200, response.content[:500]
            return response

        def queries(path) -> int:
            with CaptureQueriesContext(connection) as captured:
                get(path)
            return len(captured.captured_queries)

        many = f"/console/clients/{client_key(CLIENT)}/"
        few = f"/console/clients/{client_key(FEW)}/"
        ms = median_ms(lambda: get(many), repeat=repeat)
        print(f"100 bookings: median {ms:.2f} ms over {repeat} requests, {queries(many)} queries")
        counts = {100: queries(many), 2: queries(few)}
        print("SQL queries per request (bookings of the client):")
        for bookings, count in counts.items():
            print(f"  {bookings:>3} bookings: {count}")
        same = len(set(counts.values())) == 1
        print("query count constant in bookings: " + ("yes" if same else "NO"))
        listing = "/console/clients/"
        list_ms = median_ms(lambda: get(listing), repeat=repeat)
        print(
            f"the list of 102 clients (402 bookings): median {list_ms:.2f} ms, "
            f"{queries(listing)} queries"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=30, help="runs per median")
    args = parser.parse_args()
    if args.database == "postgres" and not postgres_available():
        print("\nPostgreSQL is not reachable (BENCH_POSTGRES_URL): figures skipped.")
        return
    bench(args.database, args.repeat)


if __name__ == "__main__":
    main()
