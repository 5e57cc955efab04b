"""The console's periodic work as tasks, enqueued by the schedule (practice.schedule)."""

from django_tasks import task


@task()
def send_morning_summaries() -> int:
    """Schedule today's morning email of each practitioner whose time has come; safe to run
    as often as wanted (one a day each, by its key)."""
    from django.utils import timezone

    from console import morning

    return morning.schedule_summaries(now=timezone.now())
