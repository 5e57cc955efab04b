"""Each email of the effect path arrives exactly once, with real processes: two
``manage.py worker`` processes on PostgreSQL sending to an SMTP server in its own process,
which counts the Message-IDs it accepts (each one stable per Effect row).

The emails are reminders due now (tests.factories.make_due_reminders), put on the queue as
a committed change puts them (effect_tasks.enqueue), and, through the outage, a booking's
confirmation emails and intake invitation; what a worker loses on the way is
found again by its own every-minute sweep. The lease and the back-off are shortened by
environment so that each test takes about a minute (the mail server's outage is a full one).
Any other email on the effect path is checked the same way: its rows, their Message-IDs,
``settle`` and ``assert_each_arrived_once``.
"""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from booking import effect_mail, effect_tasks, effects
from booking.models import BookingEvent, Effect
from tests.factories import insert_booking, make_due_reminders
from tests.postgres import postgres_only
from tests.processes import Sink, Workers, wait_for

pytestmark = [
    *postgres_only("several worker processes on one database"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.serial,
]

LEASE_SECONDS = 5
RETRY_BASE_SECONDS = 1  # retries 1, 3, 7, 15, 31 and 63 s after a first failure
OUTAGE_SECONDS = 60
# A row refused six times during the outage is next tried 64 s later, counted from its
# sixth refusal, which a loaded machine (tests in parallel beside the workers) pushes past
# the outage's end: settling must wait out that back-off with room to spare.
SETTLE_SECONDS = 240


@pytest.fixture
def database_queue(settings):
    """Enqueue as production does, on the database queue the workers read (not inline)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def sink(tmp_path):
    server = Sink(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def workers(transactional_db, tmp_path, sink, intake_key):
    """Started by each test; stopped before the test database is emptied, pass or fail."""
    pool = Workers(
        tmp_path,
        {
            "EMAIL_URL": sink.url,
            "EFFECT_LEASE": str(LEASE_SECONDS),
            "EFFECT_RETRY_BASE": str(RETRY_BASE_SECONDS),
            "INTAKE_ENCRYPTION_KEYS": intake_key,
            "SITE_URL": "http://testserver",
        },
    )
    try:
        yield pool
    finally:
        pool.stop()


@pytest.fixture
def due(assessment, database_queue):
    """``due(n)``: n reminders due now, each on the queue; their Message-IDs."""

    def make(count: int) -> set[str]:
        rows = make_due_reminders(assessment, count, now=timezone.now())
        with transaction.atomic():
            for row in rows:
                effect_tasks.enqueue(row)
        return {effect_mail.message_id(row) for row in rows}

    return make


def settle(sink: Sink, workers: Workers, expected: set[str]) -> None:
    """Wait until every expected message is at the server and every row is done, then stop
    the workers, so that nothing still in hand can arrive after the count."""
    try:
        wait_for(
            lambda: (
                expected <= set(sink.message_ids())
                and not Effect.objects.exclude(status=Effect.Status.DONE).exists()
            ),
            timeout=SETTLE_SECONDS,
            what=f"{len(expected)} emails at the server, every row done",
            every=0.5,
        )
    except AssertionError as missing:
        raise AssertionError(
            f"{missing}\n{_progress(sink, expected)}\n{workers.output()}"
        ) from None
    workers.stop()


def _progress(sink: Sink, expected: set[str]) -> str:
    statuses = Counter(Effect.objects.values_list("status", flat=True))
    return f"{len(expected & set(sink.message_ids()))} arrived; rows: {dict(statuses)}"


def assert_each_arrived_once(sink: Sink, expected: set[str]) -> None:
    arrived = Counter(sink.message_ids())
    assert sorted(mid for mid, times in arrived.items() if times > 1) == [], "sent twice"
    assert expected - set(arrived) == set(), "never arrived"
    assert set(arrived) - expected == set(), "not one of ours"
    assert sum(arrived.values()) == len(expected)


def test_a_thousand_due_reminders_are_each_sent_once_by_two_workers(due, sink, workers):
    expected = due(1000)

    workers.start(2)
    settle(sink, workers, expected)

    assert_each_arrived_once(sink, expected)
    assert set(Effect.objects.values_list("status", flat=True)) == {"done"}


def in_hand(worker: str) -> int | None:
    """The Effect row that ``worker`` is running at this moment, if any."""
    running = DBTaskResult.objects.filter(status="RUNNING", worker_ids__contains=[worker])
    for task in running.values_list("args_kwargs", flat=True):
        effect_id = task["kwargs"]["effect_id"]
        if Effect.objects.filter(pk=effect_id, status=Effect.Status.RUNNING).exists():
            return effect_id
    return None


def test_a_worker_killed_mid_batch_and_restarted_loses_and_doubles_nothing(due, sink, workers):
    expected = due(600)
    workers.start(2)
    wait_for(lambda: len(sink.message_ids()) >= 150, timeout=60, what="150 emails sent")

    held = wait_for(lambda: in_hand("worker-0"), timeout=10, what="worker 0 running a row")
    workers.kill(0)
    killed = Effect.objects.get(pk=held)
    workers.start(1)  # restarted, beside the one that kept going
    settle(sink, workers, expected)

    assert_each_arrived_once(sink, expected)
    # Killed mid-send, it was run again once its lease ran out; killed after its commit
    # of "done", the server had it.
    assert Effect.objects.get(pk=held).attempts == (2 if killed.status == "running" else 1)


def confirm_a_booking(offering) -> set[str]:
    """A call confirmed now, starting in 90 minutes (no reminder is still ahead of it), as a
    service records it; the Message-IDs of its client's and practitioner's emails."""
    start = (timezone.now() + timedelta(minutes=90)).replace(second=0, microsecond=0)
    with transaction.atomic():
        booking = insert_booking(offering, start, email="ana@example.org")
        effects.record(booking, BookingEvent.Kind.CONFIRMED, actor="client")
    emails = Effect.objects.filter(booking=booking, name__endswith="_email")
    assert sorted(emails.values_list("name", flat=True)) == [
        "booking.client_email",
        "booking.practitioner_email",
    ]
    return {effect_mail.message_id(row) for row in emails}


def test_every_email_arrives_once_when_the_mail_server_is_down_for_a_minute(
    due, sink, workers, assessment
):
    expected = due(200)
    workers.start(2)
    wait_for(lambda: len(sink.message_ids()) >= 50, timeout=60, what="50 emails sent")

    sink.stop()
    back_at = time.monotonic() + OUTAGE_SECONDS
    arrived = len(sink.message_ids())
    wait_for(
        lambda: Effect.objects.filter(status=Effect.Status.PENDING, attempts__gt=0).exists(),
        timeout=OUTAGE_SECONDS,
        what="a send refused while the server is down",
    )
    expected |= confirm_a_booking(assessment)  # booked while the mail server is down
    time.sleep(max(back_at - time.monotonic(), 0))
    assert len(sink.message_ids()) == arrived
    sink.start()
    settle(sink, workers, expected)

    # The booking's intake invitation, whose row the worker wrote once it was confirmed.
    [invitation] = Effect.objects.filter(name="intake.invitation")
    assert_each_arrived_once(sink, expected | {effect_mail.message_id(invitation)})


def test_a_worker_whose_database_connection_was_cut_sends_on(due, sink, workers):
    workers.start(1)
    workers.wait_until_ready()
    time.sleep(1)  # polling on the connection it keeps
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    expected = due(20)

    settle(sink, workers, expected)

    assert_each_arrived_once(sink, expected)
