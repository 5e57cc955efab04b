"""The practice's periodic work as tasks, enqueued by the schedule (practice.schedule)."""

from django_tasks import task


@task()
def remove_unverified_accounts() -> int:
    """Delete the accounts made for a sign-in code that was never entered (after a week)."""
    from django.utils import timezone

    from practice import services

    return services.remove_unverified_accounts(now=timezone.now())
