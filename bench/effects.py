"""The effect path under real workers: emails/s, emails sent twice, and commit-to-inbox time.

1. Throughput: 10,000 reminders due now (tests.factories.make_due_reminders), enqueued in
   one transaction; then two ``manage.py worker`` processes are started on them, sending to
   a local SMTP sink in its own process (tests.processes.Sink), which records the
   Message-ID of each message it accepts. Printed per run and as the median of --runs:
   emails/s between the sink's first and last acceptance, emails sent twice (must be 0)
   and emails never sent (must be 0), and tasks enqueued per email (above 1 when the
   sweep enqueued again rows still waiting in the queue).
2. Latency: with two idle workers, --latency-count times, one change is committed and timed
   from its commit to the sink accepting its email: median and p95, for each worker poll
   interval of --intervals (``manage.py worker --interval``; ``default`` is the worker's
   own). What is committed is ``MEASURED_COMMIT``: a booking confirmed, timed to the client's
   confirmation email.

PostgreSQL only (the workers need a database they share): a ``bench_effects`` database at
BENCH_POSTGRES_URL, created and dropped here. The machine's 2 cores are shared by the
workers, PostgreSQL and the sink; compare figures taken at rest.

Usage: bench/effects.py [--reminders N] [--runs N] [--latency-count N] [--intervals 1,0.25]
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import bench_database, describe_database, heading, postgres_available  # noqa: E402

LEASE_SECONDS = "120"  # production's: no row is taken over while the sink is up


def commit_booking_confirmed(offering, n: int) -> str:
    """Inside the caller's transaction: a booking confirmed as a service records it (its
    event, and with it the rows of its emails, enqueued on commit); returns the Message-ID
    of the client's confirmation."""
    from django.utils import timezone

    from booking import effect_mail, effects
    from booking.emails import changes
    from booking.models import BookingEvent
    from tests.factories import insert_booking

    start = timezone.now() + timedelta(days=1) + n * offering.duration
    booking = insert_booking(offering, start, email=f"latency{n}@example.org")
    event = effects.record(booking, BookingEvent.Kind.CONFIRMED, actor="client")
    client_email = event.effects.get(name=changes.EMAIL_EFFECT.format(recipient=changes.CLIENT))
    return effect_mail.message_id(client_email)


MEASURED_COMMIT: Callable[[object, int], str] = commit_booking_confirmed


def empty_tables() -> None:
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from booking.models import Booking, BookingEvent, Effect

    tables = [m._meta.db_table for m in (Effect, BookingEvent, Booking, DBTaskResult)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")  # noqa: S608 (our names)


def throughput_run(offering, count: int, worker_env: dict, folder: Path) -> dict:
    from django.db import transaction
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from booking import effect_mail, effect_tasks
    from booking.effect_tasks import run_effect
    from tests.factories import make_due_reminders
    from tests.processes import Sink, Workers, wait_for

    empty_tables()
    rows = make_due_reminders(offering, count, now=timezone.now())
    with transaction.atomic():
        for row in rows:
            effect_tasks.enqueue(row)
    expected = {effect_mail.message_id(row) for row in rows}
    sink = Sink(folder)
    sink.start()
    workers = Workers(folder, worker_env | {"EMAIL_URL": sink.url})
    try:
        workers.start(2)
        wait_for(
            lambda: len(set(sink.message_ids())) >= count,
            timeout=60 + count / 5,  # 5 emails/s would be far slower than any sane run
            what=f"{count} emails at the sink",
            every=0.5,
        )
        workers.stop()  # whatever was in hand arrives now, or never
    finally:
        workers.stop()
        sink.close()
    accepted = sink.accepted()
    arrived = Counter(message_id for _, message_id in accepted)
    seconds = accepted[-1][0] - accepted[0][0]
    tasks = DBTaskResult.objects.filter(task_path=run_effect.module_path).count()
    return {
        "per_second": (len(accepted) - 1) / seconds,
        "seconds": seconds,
        "tasks_per_email": tasks / count,
        "twice": sum(1 for times in arrived.values() if times > 1),
        "lost": len(expected - set(arrived)),
    }


def commit_to_sink(offering, n: int, sink) -> float:
    """Seconds from one commit of ``MEASURED_COMMIT`` to the sink accepting its email."""
    from django.db import transaction

    from tests.processes import wait_for

    committed = []
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(time.time()))  # first in line
        message_id = MEASURED_COMMIT(offering, n)
    accepted_at = wait_for(
        lambda: next((at for at, found in sink.accepted() if found == message_id), None),
        timeout=60,
        what=f"the email of commit {n}",
        every=0.002,
    )
    return accepted_at - committed[0]


def latency(offering, count: int, worker_env: dict, folder: Path, interval: str) -> list[float]:
    from tests.processes import Sink, Workers

    empty_tables()
    sink = Sink(folder)
    sink.start()
    workers = Workers(folder, worker_env | {"EMAIL_URL": sink.url})
    timings = []
    try:
        workers.start(2, *([] if interval == "default" else ["--interval", interval]))
        workers.wait_until_ready()
        time.sleep(2)  # past the first polls and the scheduler's start
        for n in range(count):
            timings.append(commit_to_sink(offering, n, sink))
            time.sleep(random.uniform(0, 1))  # commits land anywhere in a worker's poll
    finally:
        workers.stop()
        sink.close()
    return timings


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def throughput(offering, options, worker_env: dict) -> None:
    heading(f"Effect path, two workers ({describe_database()})")
    print(f"{options.reminders:,} reminders due now, median of {options.runs} runs")
    runs = []
    for number in range(options.runs):
        with tempfile.TemporaryDirectory(prefix="bench-effects-") as folder:
            run = throughput_run(offering, options.reminders, worker_env, Path(folder))
        runs.append(run)
        print(
            f"  run {number + 1}: {run['per_second']:.1f} emails/s ({run['seconds']:.1f} s), "
            f"sent twice {run['twice']}, never sent {run['lost']}, "
            f"{run['tasks_per_email']:.2f} tasks enqueued per email"
        )
    print(
        f"median: {statistics.median(r['per_second'] for r in runs):.1f} emails/s; "
        f"sent twice (all runs): {sum(r['twice'] for r in runs)} (must be 0); "
        f"never sent: {sum(r['lost'] for r in runs)} (must be 0)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-count", type=int, default=30)
    parser.add_argument("--intervals", default="default,1")
    options = parser.parse_args()
    if not postgres_available():
        print("PostgreSQL is not reachable at BENCH_POSTGRES_URL: skipped.")
        return

    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    with bench_database("postgres", name="bench_effects", TASKS_BACKEND="database") as env:
        from tests.factories import make_offering, make_practitioner

        offering = make_offering(make_practitioner())
        worker_env = env | {
            "INTAKE_ENCRYPTION_KEYS": key,
            "EFFECT_LEASE": LEASE_SECONDS,
            "LOG_LEVEL": "WARNING",
        }
        if options.runs:
            throughput(offering, options, worker_env)

        heading(f"From commit to the email at the sink ({MEASURED_COMMIT.__name__})")
        for interval in options.intervals.split(","):
            with tempfile.TemporaryDirectory(prefix="bench-effects-") as folder:
                timings = latency(
                    offering, options.latency_count, worker_env, Path(folder), interval
                )
            print(
                f"worker --interval {interval}: "
                f"median {milliseconds(statistics.median(timings))}, "
                f"p95 {milliseconds(p95(timings))}, max {milliseconds(max(timings))} "
                f"({len(timings)} commits)"
            )


if __name__ == "__main__":
    main()
