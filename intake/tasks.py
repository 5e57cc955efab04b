"""Background jobs of the intake (django-tasks, like ``booking.tasks``)."""

from django_tasks import task


@task()
def assign_intake(*, booking_id: int) -> None:
    """Ask the attendees of a newly confirmed booking to fill its questionnaire, once."""
    from intake import notifications, services

    for assignment in services.assign_for_booking(booking_id=booking_id):
        notifications.send_invitation(assignment)


@task()
def erase_expired_intake() -> int:
    """Erase the intake answers past the practice's retention period (run daily)."""
    from django.utils import timezone

    from intake import services

    return services.erase_expired(now=timezone.now())
