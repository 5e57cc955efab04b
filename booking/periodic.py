"""The booking's periodic work as tasks, enqueued by the schedule (practice.schedule).

Each is a sweep that is safe to run at any time and as often as wanted; the management
commands of the same names call the same functions by hand.
"""

from django_tasks import task


@task()
def expire_holds() -> int:
    """Mark holds whose time has passed as expired (the expire_hold task may have missed one)."""
    from booking import services

    return services.expire_holds()


@task()
def retry_refunds() -> int:
    """Submit refunds still pending after a few minutes (Stripe was unreachable)."""
    from booking.payments import services

    return services.retry_pending_refunds()
