"""The intake's periodic work as tasks, enqueued by the schedule (practice.schedule).

Retention is ``intake.tasks.erase_expired_intake``; the management commands call the same
functions by hand.
"""

from django_tasks import task


@task()
def send_waiting_invitations() -> int:
    """Send the invitations whose email did not go out; how many were waiting.

    A failure raises (naming assignment ids only), so the task shows as failed and the next
    tick tries again.
    """
    from django.utils import timezone

    from intake import notifications, services

    pending = services.uninvited(now=timezone.now())
    notifications.send_invitations(pending)
    return len(pending)
