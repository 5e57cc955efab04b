"""Everything the application runs on a clock, in one list: (name, crontab in UTC, task).

Every worker (``manage.py worker``) runs this schedule; a tick only enqueues its task, once,
claimed by a ``PeriodicRun`` row (practice.scheduler), so any number of workers can run.
Tasks are named by path so that this list imports nothing of the apps it drives.
"""

SCHEDULE = [
    ("expire-holds", "* * * * *", "booking.periodic.expire_holds"),
    ("calendar-sync", "* * * * *", "booking.periodic.sync_calendars"),
    ("retry-refunds", "*/5 * * * *", "booking.payments.periodic.retry_refunds"),
    ("intake-invitations", "*/5 * * * *", "intake.periodic.send_waiting_invitations"),
    ("intake-retention", "30 3 * * *", "intake.periodic.erase_expired_intake"),
    ("effect-sweep", "* * * * *", "booking.effect_tasks.sweep_effects"),
    ("morning-summaries", "*/5 * * * *", "console.periodic.send_morning_summaries"),
    ("unverified-accounts", "30 3 * * *", "practice.periodic.remove_unverified_accounts"),
]
