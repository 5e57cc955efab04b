"""The schedule in every worker: each tick enqueues its task once, however many workers
reach it (the PeriodicRun row is the claim), on SQLite and PostgreSQL alike."""

from datetime import UTC, datetime, timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from booking.effect_tasks import run_effect
from practice import scheduler
from practice.schedule import SCHEDULE

DUE = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
TASK = "booking.periodic.expire_holds"


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_two_workers_reaching_one_tick_enqueue_its_task_once(database_queue):
    first = scheduler.claim("expire-holds", TASK, DUE)
    second = scheduler.claim("expire-holds", TASK, DUE)

    assert (first, second) == (True, False)
    assert [r.task_path for r in DBTaskResult.objects.all()] == [TASK]


@pytest.mark.django_db(transaction=True)
def test_the_next_tick_enqueues_again(database_queue):
    scheduler.claim("expire-holds", TASK, DUE)
    scheduler.claim("expire-holds", TASK, DUE + timedelta(minutes=1))

    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_tick_goes_ahead_of_a_backlog_of_emails(database_queue):
    for effect_id in range(5):  # emails waiting to go out
        run_effect.enqueue(effect_id=effect_id)

    scheduler.claim("expire-holds", TASK, DUE)

    assert DBTaskResult.objects.ready().first().task_path == TASK


def test_the_scheduler_starts_with_every_entry_of_the_schedule():
    schedule = scheduler.start()
    try:
        assert sorted(job.id for job in schedule.get_jobs()) == sorted(n for n, _, _ in SCHEDULE)
    finally:
        schedule.shutdown(wait=False)
