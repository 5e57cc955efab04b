"""Run one worker: django-tasks-db's queue loop and the application's schedule, together.

Start one or more (`manage.py worker`); each runs the schedule, and each tick is enqueued
once however many run (practice.scheduler). One line per job: its task, id, outcome and
duration, never its arguments or what it sent.

An idle worker looks at the queue every POLL_SECONDS. django-tasks-db's own default of a
second was most of the time from a booking's commit to its email (bench/effects.py: median
660 ms, p95 1.1 s; at a quarter second 155 ms and 370 ms), and an idle poll is one query
on a connection the worker keeps.
"""

import logging

from django.db import connections
from django_tasks.signals import task_finished
from django_tasks_db.compat import TASKS_LOGGER
from django_tasks_db.management.commands import db_worker

from practice import scheduler

logger = logging.getLogger("practice.worker")

POLL_SECONDS = 0.25


def log_job(sender, task_result, **kwargs) -> None:
    """The job's one line; a failure names the exception's class only (its message and
    traceback can hold an address: they stay in the task's row, for the admin)."""
    outcome = task_result.status.lower()
    if task_result.errors:
        outcome += f" ({task_result.errors[-1].exception_class_path.rsplit('.', 1)[-1]})"
    took = ""
    if task_result.started_at and task_result.finished_at:
        took = f" in {(task_result.finished_at - task_result.started_at).total_seconds():.3f}s"
    logger.info("job %s id=%s %s%s", task_result.task.module_path, task_result.id, outcome, took)


def keep_connections() -> None:
    """One database connection for the worker's life, checked before each poll and job.

    With the web's CONN_MAX_AGE of 0 the queue loop opens a new connection for every poll
    and every job: at a quarter-second poll PostgreSQL spent about 11 ms on each, and two
    workers sent half the emails per second (bench/effects.py: 16 against 31). The health
    check reconnects after the database restarts, where a stale connection would fail the
    poll and end the worker. An age the operator set is kept."""
    for alias in connections:
        database = connections[alias].settings_dict
        if database["CONN_MAX_AGE"] == 0:
            database["CONN_MAX_AGE"] = None
        database["CONN_HEALTH_CHECKS"] = True


class Command(db_worker.Command):
    help = "Run a background worker: the task queue and the periodic schedule."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # The reloader would run the schedule in its watching parent too.
        parser.set_defaults(reload=False, interval=POLL_SECONDS)

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        # django-tasks logs each job twice and a failure's traceback; log_job says it once.
        logging.getLogger(TASKS_LOGGER).setLevel(logging.CRITICAL)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per tick is ours
        logger.setLevel(logging.INFO if verbosity else logging.CRITICAL)

    def handle(self, *args, **options) -> None:
        task_finished.connect(log_job)
        self.configure_logging(options["verbosity"])  # before the scheduler's first lines
        keep_connections()
        schedule = scheduler.start()
        try:
            super().handle(*args, **options)
        finally:
            schedule.shutdown(wait=False)
