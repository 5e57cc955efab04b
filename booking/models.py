"""Availability rules, busy time and bookings.

Bookings are changed only by ``booking.services``; every change writes a BookingEvent in the
same transaction. The blocked span (start − buffer before, end + buffer after) is stored so
that the database itself can refuse overlaps (see migration 0002 on PostgreSQL).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from booking.epoch_micros import EpochMicros
from practice.models import Offering, Practitioner
from practice.timezones import validate_timezone


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class AvailabilityRule(models.Model):
    """A weekly window of wall-clock time in the practitioner's zone (several a day allowed).

    Wall-clock times, not instants: 09:00–17:00 stays 09:00–17:00 across a DST change.
    Without an offering a rule is part of her general hours; with one, it belongs to that
    offering's own week, which replaces her general hours for that offering alone (free
    calls only on Tuesday afternoons). Date overrides and time off apply to every offering.
    """

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="availability_rules"
    )
    offering = models.ForeignKey(
        Offering,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_hours",
        help_text="Empty: her general hours. Set: this offering's own week instead of them.",
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="rule_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class DateOverride(models.Model):
    """Hours for one date that replace the weekly rules for that date.

    A row without times makes the date a day off; several rows with times give several
    windows (extra or shorter hours).
    """

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="date_overrides"
    )
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(start_time__isnull=True) & Q(end_time__isnull=True))
                | Q(end_time__gt=F("start_time")),
                name="override_is_day_off_or_a_window",
            ),
        ]

    def __str__(self) -> str:
        if self.start_time is None:
            return f"{self.date}: day off"
        return f"{self.date}: {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class TimeOff(models.Model):
    """A vacation: whole days, inclusive, in the practitioner's zone."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="time_off"
    )
    first_day = models.DateField()
    last_day = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["first_day"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="time_off_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_day} – {self.last_day}"


class BusyBlock(models.Model):
    """Time the practitioner is busy outside this system (entered by hand or imported)."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Entered by hand"
        FEED = "feed", "Imported calendar"

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="busy_blocks"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    external_uid = models.CharField(max_length=255, blank=True)
    # The calendar it was read from; its busy time goes with it when she removes it.
    calendar = models.ForeignKey(
        "booking.ExternalCalendar",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="busy_blocks",
    )
    # Start and end as the slot search reads them (booking.slot_reads), computed and stored
    # by the database on every write: an imported calendar gives thousands of blocks, and
    # turning each instant into an integer on every search cost more than reading it.
    start_micros = models.GeneratedField(
        expression=EpochMicros("start"), output_field=models.BigIntegerField(), db_persist=True
    )
    end_micros = models.GeneratedField(
        expression=EpochMicros("end"), output_field=models.BigIntegerField(), db_persist=True
    )

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["practitioner", "start", "end"]),
            # The slot search's read, on the integers themselves (booking.slot_reads).
            models.Index(
                fields=["practitioner", "start_micros", "end_micros"], name="busy_block_micros"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="busy_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"busy {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} UTC"


class Booking(models.Model):
    class Status(models.TextChoices):
        HELD = "held", "Held"  # for payment, or for its email confirmation (a free call)
        CONFIRMED = "confirmed", "Confirmed"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

    BLOCKING = (Status.HELD, Status.CONFIRMED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="bookings"
    )
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(max_length=10, choices=Status.choices, editable=False)
    start = models.DateTimeField(editable=False)
    end = models.DateTimeField(editable=False)
    blocked_start = models.DateTimeField(editable=False)
    blocked_end = models.DateTimeField(editable=False)
    hold_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    client_name = models.CharField(max_length=120)
    client_email = models.EmailField(db_index=True)
    client_timezone = models.CharField(max_length=64)
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
    )
    # What brings them, in their words: as private as intake answers, so encrypted the same
    # way (practice.crypto), read only through booking.selectors.booking_note by the practitioner
    # (intake's review page logs each read), erased with the answers at retention.
    note_encrypted = models.BinaryField(null=True, editable=False)
    # A couples session's second attendee: invited to their own intake by their own email,
    # never sent to Stripe and never put in a calendar or an email subject.
    partner_name = models.CharField(max_length=120, blank=True, default="")
    partner_email = models.EmailField(blank=True, default="")
    # The partner's zone, when the practice knows it: their emails and reminders show it.
    partner_timezone = models.CharField(
        max_length=64, blank=True, default="", validators=[validate_timezone]
    )
    # Which of the offering's reminders the client chose to keep (booking.reminder_choice):
    # None for all of them, [] for none.
    reminder_hours = models.JSONField(null=True, blank=True, editable=False)
    consented_at = models.DateTimeField()
    privacy_notice_version = models.CharField(max_length=20)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["practitioner", "blocked_start", "blocked_end"]),
            models.Index(fields=["status", "hold_expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="booking_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(blocked_start__lte=F("start")) & Q(blocked_end__gte=F("end")),
                name="booking_blocked_span_covers_meeting",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(hold_expires_at__isnull=False),
                name="booking_hold_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        # The practitioner's wall clock, as she booked it: "… 2026-12-04 10:30 CET (…)".
        start = self.start.astimezone(self.practitioner.zone)
        return f"{self.offering} {start:%Y-%m-%d %H:%M %Z} ({self.get_status_display()})"

    @property
    def partner_zone(self) -> str:
        """Where the partner reads a clock: their own zone when known, else the booker's."""
        return self.partner_timezone or self.client_timezone

    @property
    def ical_uid(self) -> str:
        """Stable across every change, so calendars update the event instead of adding one."""
        return f"booking-{self.public_id}@practice"


class BookingEvent(models.Model):
    """The audit trail: one row per change of a booking, written in the same transaction."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        RESCHEDULED = "rescheduled", "Rescheduled"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"
        CONFIRMED = "confirmed", "Confirmed"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"
        ATTENDANCE_UNDONE = "attendance_undone", "Attendance mark undone"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.CharField(max_length=20, help_text="client, practitioner, staff or system")
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        at = self.at.astimezone(self.booking.practitioner.zone)
        return f"{self.kind} by {self.actor} at {at:%Y-%m-%d %H:%M %Z}"


# The outbox, her calendars and her slots version live in their own modules; importing them
# here makes them part of the app's models.
from booking.models_calendars import CalendarConflict, ExternalCalendar  # noqa: E402, F401
from booking.models_effects import Effect  # noqa: E402, F401
from booking.models_slots import SlotsVersion  # noqa: E402, F401
