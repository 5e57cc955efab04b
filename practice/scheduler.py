"""The clock inside every worker: APScheduler fires the ticks of practice.schedule.

A tick does not run its job. It enqueues the job's task once, in the transaction that
inserts the tick's ``PeriodicRun`` row; a second worker reaching the same tick fails on the
row's unique (name, due_at) and enqueues nothing. Every crontab names whole minutes, so a
tick's minute is its name on every worker, however late its thread wakes.
"""

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from practice.models import PeriodicRun
from practice.schedule import SCHEDULE

logger = logging.getLogger("practice.worker")

# Claimed ticks are kept a week, for the admin to see what ran; older ones are pruned.
KEEP_RUNS = timedelta(days=7)
# The queue is first in, first out within a priority: a tick (the sweep, a hold's expiry)
# goes ahead of a backlog of emails instead of waiting minutes behind ten thousand of them.
TICK_PRIORITY = 50


def claim(name: str, task_path: str, due_at: datetime) -> bool:
    """Enqueue the task of the tick ``name`` due at ``due_at``, unless a worker already did."""
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(name=name, due_at=due_at)
            import_string(task_path).using(priority=TICK_PRIORITY).enqueue()
    except IntegrityError:
        return False
    PeriodicRun.objects.filter(name=name, due_at__lt=due_at - KEEP_RUNS).delete()
    return True


def tick(name: str, task_path: str) -> None:
    """One firing of the schedule in the scheduler's thread, with its own connection."""
    due_at = timezone.now().replace(second=0, microsecond=0)
    try:
        if claim(name, task_path, due_at):
            logger.info("tick %s due=%s enqueued", name, due_at.isoformat())
    except OperationalError as error:  # SQLite busy: the next tick sweeps the same work
        logger.warning("tick %s due=%s skipped (%s)", name, due_at.isoformat(), error)
    finally:
        connection.close()


def start() -> BackgroundScheduler:
    """Start the schedule in a background thread of this process; stop it with shutdown()."""
    scheduler = BackgroundScheduler(
        timezone=UTC,
        executors={"default": ThreadPoolExecutor(1)},
        # A tick woken late (a busy machine) still belongs to its minute; older ones are
        # dropped, since the next tick sweeps the same work.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
    )
    for name, crontab, task_path in SCHEDULE:
        import_string(task_path)  # a wrong path fails at start, not at 03:30
        scheduler.add_job(
            tick, CronTrigger.from_crontab(crontab, timezone=UTC), args=(name, task_path), id=name
        )
    scheduler.start()
    return scheduler
