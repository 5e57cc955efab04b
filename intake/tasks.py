"""Background jobs of the intake (django-tasks, like ``booking.tasks``)."""

from django_tasks import task

# Why the practitioner is emailed about a response (``tell_practitioner``'s ``reason``).
SENT = "sent"  # the client pressed Send
SENT_READ_SOON = "sent_read_soon"  # … and it holds an answer she has not been told of yet
ALERTED = "alerted"  # an answer she sees before sending was saved


@task()
def assign_intake(*, booking_id: int) -> None:
    """Ask the attendees of a newly confirmed booking to fill its questionnaire, once."""
    from intake import notifications, services

    notifications.send_invitations(services.assign_for_booking(booking_id=booking_id))


@task()
def tell_practitioner(*, response_id: int, reason: str, was_sent: bool = False) -> None:
    """Email the practitioner that a response was sent, or holds an answer to read now."""
    from intake import notifications

    notifications.send_practitioner_notice(
        response_id=response_id, reason=reason, was_sent=was_sent
    )


@task()
def erase_expired_intake() -> dict[str, int]:
    """Erase the intake answers and booking notes past the retention period (run daily)."""
    from django.utils import timezone

    from intake import retention

    return retention.apply_retention(now=timezone.now())
