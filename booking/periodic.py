"""The booking's periodic work as tasks, enqueued by the schedule (practice.schedule).

Each is a sweep that is safe to run at any time and as often as wanted; the management
commands of the same names call the same functions by hand. The refund retry is
``booking.payments.periodic``'s, since booking never reaches into payments.
"""

from django_tasks import task


@task()
def expire_holds() -> int:
    """Mark holds whose time has passed as expired (the expire_hold task may have missed one)."""
    from booking import services

    return services.expire_holds()


@task()
def sync_calendars() -> int:
    """Read her calendars whose refresh time has come, for the busy time they hold."""
    from booking.calendars import imports

    return imports.sync_due()
