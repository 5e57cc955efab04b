"""The payments' periodic work as a task, enqueued by the schedule (practice.schedule)."""

from django_tasks import task


@task()
def retry_refunds() -> int:
    """Submit refunds still pending after a few minutes (Stripe was unreachable)."""
    from booking.payments import refunds

    return refunds.retry_pending_refunds()
