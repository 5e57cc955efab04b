"""The intake's periodic work as tasks, enqueued by the schedule (practice.schedule); the
management commands call the same functions by hand."""

from django_tasks import task


@task()
def send_waiting_invitations() -> int:
    """Schedule the invitations that never had their effect (a booking confirmed before it
    existed, or its assignment effect lost); how many. Those that did retry by themselves."""
    from django.utils import timezone

    from intake import assignments, notifications

    return notifications.invite(assignments.uninvited(now=timezone.now()))


@task()
def erase_expired_intake() -> dict[str, int]:
    """Erase the intake answers and booking notes past the retention period (run daily)."""
    from django.utils import timezone

    from intake import retention

    return retention.apply_retention(now=timezone.now())
