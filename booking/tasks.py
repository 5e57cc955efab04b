"""Background jobs (django-tasks; the database queue in production, run by db_worker)."""

from django_tasks import task


@task()
def send_booking_notifications(*, booking_id: int, change: str) -> None:
    """Email the client and the practitioner about a change, with the calendar invite."""
    from booking import notifications

    notifications.send_booking_notifications(booking_id=booking_id, change=change)
