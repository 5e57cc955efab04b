"""The practitioner's console: how long her pages take, and how many SQL queries, when her
practice is busy. One run prints every page side by side: median ms and SQL queries.

The week: ``GET /console/week/`` with 200 bookings in the week shown (free calls, paid
sessions with their payment, couples sessions with two intakes; intakes not started,
started, sent and flagged) and 5,000 bookings in the database in all, the rest spread over
the weeks before and after; 40 busy blocks in the week.

A client's page: ``GET /console/clients/<key>/`` of one client with 100 paid sessions over
two years (every other one with a refund, every one with a sent intake, every tenth with a
hardship decision), and of one with 2, whose query count must be the same; and the list of
her clients (``GET /console/clients/``), 102 of them with 402 bookings. This is a second
practitioner's practice in the same database: each page reads only its practitioner's.

Signed in as she is (her second factor in the session), through Django's test client.
Each measurement is one function of ``MEASUREMENTS`` taking the set-up practices and the
number of runs and giving its figures; another page is one more function.

Usage: bench/console.py [--database sqlite|postgres] [--repeat N] [--only NAME]
"""

import argparse
import sys
import time as clock
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as wall
from decimal import Decimal
from pathlib import Path

from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    bench_database,
    describe_database,
    heading,
    measure_page,
    postgres_available,
)

# Her second factor's secret is encrypted like intake answers: a key made for this run.
KEY = Fernet.generate_key().decode()
IN_WEEK = 200
IN_DATABASE = 5_000
BUSY_IN_WEEK = 40
WEEK_STEP = timedelta(minutes=50)  # 200 half-hour calls 50 minutes apart fill the week
OTHER_WEEKS = 40  # the other 4,800, 20 weeks either side


@dataclass
class Practice:
    practitioner: object
    client: object  # a Django test client signed in as her, with her second factor
    monday: datetime  # this week's, her midnight
    _clients: object = None

    def clients(self):
        """The client pages' practice, set up the first time a measurement asks for it."""
        if self._clients is None:
            self._clients = set_up_clients()
        return self._clients


def _signed_in_client(user):
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.test import Client

    TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "code", "at": clock.time()},
        {"method": "mfa", "at": clock.time(), "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    return client


def _bookings(offerings, starts, first_number: int):
    from booking.models import Booking

    rows = []
    for n, start in enumerate(starts, start=first_number):
        offering = offerings[n % len(offerings)]
        couple = offering.kind == "couples_session"
        rows.append(
            Booking(
                practitioner=offering.practitioner,
                offering=offering,
                status=Booking.Status.CONFIRMED,
                start=start,
                end=start + timedelta(minutes=30),
                blocked_start=start,
                blocked_end=start + timedelta(minutes=30),
                client_name=f"Client {n} Example",
                client_email=f"client{n}@example.org",
                client_timezone="Europe/Berlin",
                partner_name=f"Partner {n}" if couple else "",
                partner_email=f"partner{n}@example.org" if couple else "",
                consented_at=start - timedelta(days=3),
                privacy_notice_version="bench",
            )
        )
    return Booking.objects.bulk_create(rows, batch_size=500)


def _intakes_and_payments(bookings) -> None:
    from booking.payments.models import Payment
    from intake.models import Assignment, Response

    assignments, payments = [], []
    for booking in bookings:
        assignments.append(
            Assignment(booking=booking, email=booking.client_email, name=booking.client_name)
        )
        if booking.partner_email:
            assignments.append(
                Assignment(
                    booking=booking,
                    email=booking.partner_email,
                    name=booking.partner_name,
                    role="partner",
                )
            )
        if booking.offering.price:
            payments.append(
                Payment(
                    booking=booking,
                    checkout_session_id=f"cs_bench_{booking.public_id.hex}",
                    amount=booking.offering.price,
                    currency="EUR",
                    state=Payment.State.PAID,
                    created_at=booking.consented_at,
                )
            )
    assignments = Assignment.objects.bulk_create(assignments, batch_size=500)
    Payment.objects.bulk_create(payments, batch_size=500)
    responses = []
    for n, assignment in enumerate(assignments):
        if n % 3 == 0:
            continue  # not started
        started = assignment.booking.start - timedelta(days=2)
        responses.append(
            Response(
                assignment=assignment,
                questionnaire_id="short",
                questionnaire_version=2,
                needs_attention=n % 17 == 0,
                started_at=started,
                updated_at=started,
                submitted_at=started if n % 3 == 2 else None,
            )
        )
    Response.objects.bulk_create(responses, batch_size=500)


def set_up() -> Practice:
    """Her practice: hours, three offerings, 5,000 bookings of which 200 this week."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from booking.models import AvailabilityRule, BusyBlock
    from console.agenda import midnight, monday_of
    from practice.models import Offering, Practitioner

    user = get_user_model().objects.create_user("bench-practitioner", "bench@example.org")
    practitioner = Practitioner.objects.create(
        user=user, name="Bench", practice_name="Bench Practice", email="bench@example.org"
    )
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(practitioner=practitioner, weekday=day, start_time=s, end_time=e)
        for day in range(5)
        for s, e in ((wall(9), wall(12, 30)), (wall(14), wall(18)))
    )
    offerings = [
        Offering.objects.create(
            practitioner=practitioner,
            slug=f"bench-{kind}",
            name=kind,
            kind=kind,
            duration_minutes=30,
            price=Decimal("0") if kind == "assessment" else Decimal("120"),
        )
        for kind in ("assessment", "session", "couples_session")
    ]
    zone = practitioner.zone
    monday = midnight(monday_of(timezone.now().astimezone(zone).date()), zone)
    week_start = monday.astimezone(UTC)
    in_week = [week_start + n * WEEK_STEP for n in range(IN_WEEK)]
    per_other = (IN_DATABASE - IN_WEEK) // OTHER_WEEKS
    step = timedelta(days=7) / per_other
    others = [
        week_start + timedelta(weeks=week) + n * step
        for week in [*range(-OTHER_WEEKS // 2, 0), *range(1, OTHER_WEEKS // 2 + 1)]
        for n in range(per_other)
    ]
    bookings = _bookings(offerings, in_week + others, 0)
    _intakes_and_payments(bookings)
    BusyBlock.objects.bulk_create(
        BusyBlock(
            practitioner=practitioner,
            start=week_start + timedelta(hours=4 * n, minutes=10),
            end=week_start + timedelta(hours=4 * n, minutes=40),
        )
        for n in range(BUSY_IN_WEEK)
    )
    return Practice(practitioner=practitioner, client=_signed_in_client(user), monday=monday)


@dataclass(frozen=True)
class Figure:
    page: str
    ms: float
    queries: int
    note: str = ""


CLIENT = "zoe.brandt@example.org"
FEW = "noa.fischer@example.org"


def set_up_clients():
    """A second practitioner's practice: one client with 100 paid sessions, one with 2, and
    300 free calls of 100 others. Returns a test client signed in as her."""
    from django.test import Client

    from booking.models import Booking
    from tests.console.client_data import hardship_for, intake_for, paid_session
    from tests.console.support import add_totp, make_account, sign_in_with_factor
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
    client = Client()
    sign_in_with_factor(client, user)
    return client


def bench_week(practice: Practice, repeat: int) -> list[Figure]:
    from booking.models import Booking

    url = f"/console/week/?start={practice.monday.date().isoformat()}"
    week_end = practice.monday + timedelta(days=7)
    shown = Booking.objects.filter(
        practitioner=practice.practitioner, start__gte=practice.monday, start__lt=week_end
    ).count()
    ms, queries, size = measure_page(practice.client, url, repeat)
    return [
        Figure(
            "the week",
            ms,
            queries,
            f"{shown} bookings in the week, {IN_DATABASE:,} in all; page {size / 1024:.0f} KiB",
        )
    ]


def bench_client(practice: Practice, repeat: int) -> list[Figure]:
    from console.clients import client_key

    client = practice.clients()
    many = measure_page(client, f"/console/clients/{client_key(CLIENT)}/", repeat)
    few = measure_page(client, f"/console/clients/{client_key(FEW)}/", repeat)
    same = "the same" if many[1] == few[1] else "NOT the same"
    return [
        Figure("a client's page", many[0], many[1], "100 bookings"),
        Figure("a client's page", few[0], few[1], f"2 bookings: {same} queries as with 100"),
    ]


def bench_client_list(practice: Practice, repeat: int) -> list[Figure]:
    ms, queries, _ = measure_page(practice.clients(), "/console/clients/", repeat)
    return [Figure("her clients", ms, queries, "102 clients, 402 bookings")]


MEASUREMENTS = {"week": bench_week, "client": bench_client, "clients": bench_client_list}


def print_figures(figures: list[Figure]) -> None:
    width = max(len(f.page) for f in figures)
    print(f"{'page':<{width}}  {'median ms':>9}  {'queries':>7}  ")
    for f in figures:
        print(f"{f.page:<{width}}  {f.ms:>9.1f}  {f.queries:>7}  {f.note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=20, help="runs per median")
    parser.add_argument("--only", choices=sorted(MEASUREMENTS), help="one measurement")
    args = parser.parse_args()
    if args.database == "postgres" and not postgres_available():
        print("PostgreSQL is not reachable (BENCH_POSTGRES_URL): nothing measured.")
        return
    with bench_database(args.database, INTAKE_ENCRYPTION_KEYS=KEY):
        practice = set_up()
        heading(f"Her console, {args.repeat} requests per median ({describe_database()})")
        figures = []
        for name, measure in MEASUREMENTS.items():
            if args.only in (None, name):
                figures += measure(practice, args.repeat)
        print_figures(figures)


if __name__ == "__main__":
    main()
