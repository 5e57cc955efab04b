"""Background jobs (django-tasks; the database queue in production, run by db_worker)."""

from datetime import datetime

from django_tasks import task


@task()
def send_booking_notifications(*, booking_id: int, change: str) -> None:
    """Email the client and the practitioner about a change, with the calendar invite."""
    from booking.emails import changes

    changes.send_booking_notifications(booking_id=booking_id, change=change)


@task()
def send_manage_link(*, booking_id: int) -> None:
    """Email the booking's current manage link to the address it was booked with."""
    from booking.emails import link_emails

    link_emails.send_manage_link(booking_id=booking_id)


@task()
def send_confirmation_request(*, booking_id: int) -> None:
    """Email the link that confirms a free call held for its client's confirmation."""
    from booking.emails import link_emails

    link_emails.send_confirmation_request(booking_id=booking_id)


@task()
def send_payment_link(*, booking_id: int) -> None:
    """Email the client the link that pays for a session the practitioner booked them."""
    from booking.payments import payment_links

    payment_links.send_link_email(booking_id=booking_id)


@task()
def expire_hold(*, booking_id: int) -> None:
    """Mark a hold expired once its time has come (enqueued with ``run_after``)."""
    from booking import services

    services.expire_hold(booking_id=booking_id)


def schedule_hold_expiry(*, booking_id: int, at: datetime) -> None:
    """Enqueue expire_hold to run at ``at``, on a backend that can wait.

    The immediate backend (tests, the single-process demo) cannot: there the hold simply
    stops blocking at its time (selectors read ``hold_expires_at``) and the
    ``expire_holds`` command tidies its status.
    """
    if expire_hold.get_backend().supports_defer:
        expire_hold.using(run_after=at).enqueue(booking_id=booking_id)


@task()
def submit_refund(*, refund_id: int) -> None:
    """Ask Stripe for a refund decided in a committed transaction."""
    from booking.payments import refunds

    refunds.submit_refund(refund_id=refund_id)


@task()
def send_payment_email(*, kind: str, object_id: int) -> None:
    """The emails about money: a late payment refunded, a hardship request and its answer."""
    from booking.payments import emails

    emails.send_payment_email(kind=kind, object_id=object_id)


@task()
def send_hold_released(*, booking_id: int) -> None:
    """Tell the client of a payment link that the practitioner released its time."""
    from booking.payments import hold_release

    hold_release.send_released_email(booking_id=booking_id)
