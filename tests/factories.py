"""Plain builders for test data: a practitioner with Mon–Fri hours, offerings, bookings."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from booking import reminders
from booking.models import AvailabilityRule, Booking, Effect
from practice.models import Offering, Practitioner


def make_practitioner(*, timezone="Europe/Berlin", hours=((time(9), time(17)),), **fields):
    """A practitioner with the same ``hours`` every weekday (Mon–Fri)."""
    defaults = {
        "name": "Dr. Mara Lindqvist",
        "practice_name": "Lindqvist Coaching",
        "email": "mara@example.org",
        "timezone": timezone,
        "contact_note": "Reply to this email and Mara will get back to you.",
    }
    practitioner = Practitioner.objects.create(**(defaults | fields))
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(practitioner=practitioner, weekday=day, start_time=s, end_time=e)
        for day in range(5)
        for s, e in hours
    )
    return practitioner


def make_offering(practitioner, **fields) -> Offering:
    defaults = {
        "slug": "assessment",
        "name": "Free assessment call",
        "kind": Offering.Kind.ASSESSMENT,
        "duration_minutes": 30,
        "price": Decimal("0"),
        "slot_step_minutes": 30,
        "min_notice_minutes": 12 * 60,
        "horizon_days": 60,
        "video_link": "https://video.example.org/mara",
    }
    return Offering.objects.create(practitioner=practitioner, **(defaults | fields))


def make_session_offering(practitioner, **fields) -> Offering:
    defaults = {
        "slug": "session",
        "name": "Single session",
        "kind": Offering.Kind.SESSION,
        "duration_minutes": 60,
        "price": Decimal("120.00"),
        "returning_clients_only": True,
    }
    return make_offering(practitioner, **(defaults | fields))


def make_couples_offering(practitioner, **fields) -> Offering:
    defaults = {
        "slug": "couples",
        "name": "Couples session",
        "kind": Offering.Kind.COUPLES_SESSION,
        "duration_minutes": 90,
        "price": Decimal("180.00"),
    }
    return make_offering(practitioner, **(defaults | fields))


def new_booking(
    offering: Offering,
    start: datetime,
    *,
    status=Booking.Status.CONFIRMED,
    email="client@example.org",
    hold_expires_at=None,
    **fields,
) -> Booking:
    """A booking as the services would leave it, not yet saved (for ``bulk_create``)."""
    return Booking(
        practitioner=offering.practitioner,
        offering=offering,
        status=status,
        start=start,
        end=start + offering.duration,
        blocked_start=start - offering.buffer_before,
        blocked_end=start + offering.duration + offering.buffer_after,
        hold_expires_at=hold_expires_at,
        client_name=fields.pop("client_name", "Sam Client"),
        client_email=email,
        client_timezone=fields.pop("client_timezone", "Europe/Berlin"),
        consented_at=fields.pop("consented_at", start - timedelta(days=3)),
        privacy_notice_version="2026-11",
        **fields,
    )


def insert_booking(offering: Offering, start: datetime, **fields) -> Booking:
    """A booking written straight to the table, as the services would leave it."""
    booking = new_booking(offering, start, **fields)
    booking.save(force_insert=True)
    return booking


def make_due_reminders(offering: Offering, count: int, *, now: datetime) -> list[Effect]:
    """``count`` confirmed bookings, each with its client's 24-hour reminder due ``now``:
    the queue a worker finds after a busy hour. Written in bulk, not enqueued.

    One practitioner never has two sessions at once, so the bookings run back to back from
    a day ahead, for weeks when ``count`` is large; a reminder looks only at whether its
    booking is still ahead, at the same version, with those hours kept, so each is sent.
    """
    span = offering.buffer_before + offering.duration + offering.buffer_after
    first = now + timedelta(days=1) + offering.buffer_before
    bookings = Booking.objects.bulk_create(
        (
            new_booking(offering, first + n * span, email=f"client{n}@example.org")
            for n in range(count)
        ),
        batch_size=1000,
    )
    return Effect.objects.bulk_create(
        (
            Effect(
                key=reminders.key(booking, reminders.CLIENT, 24),
                name=reminders.SEND,
                booking=booking,
                args={"recipient": reminders.CLIENT, "hours": 24, "sequence": booking.sequence},
                due_at=now,
            )
            for booking in bookings
        ),
        batch_size=1000,
    )


def booking_emails(outbox) -> list:
    """The emails about a booking itself, without the intake invitations sent beside them."""
    return [message for message in outbox if "a few optional questions" not in message.subject]


def raw_table_text(table: str) -> str:
    """Every row of ``table`` as the database holds it, bytes read as Latin-1: to prove
    that some text is not stored in clear."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        rows = cursor.fetchall()
    assert rows, f"{table} is empty: nothing to look into"
    return repr(rows) + "".join(
        bytes(value).decode("latin-1")
        for row in rows
        for value in row
        if isinstance(value, bytes | memoryview)
    )


def assign_intake_again(booking) -> None:
    """Run the intake's assignment effect for ``booking`` once more, as a second
    confirmation (a webhook delivered twice) or a booking inserted without its event would."""
    import uuid

    from django.utils import timezone

    from booking import effects
    from intake import notifications

    effects.schedule(
        notifications.ASSIGNMENT,
        f"{notifications.ASSIGNMENT}:test:{uuid.uuid4()}",
        due_at=timezone.now(),
        booking=booking,
    )
