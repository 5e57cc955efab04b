"""Her own calendars: the ones read for busy time (ICS feeds, CalDAV) and what they found.

What reaches a calendar's server is secret (a Google "secret address", a CalDAV app
password), so it is kept encrypted (``credentials``) and never shown again; the console
names a calendar by the name she gives it and its host. A calendar that fails keeps the
busy time of its last good read: it never empties her week.
"""

from django.db import models
from django.db.models import Q

from practice import crypto
from practice.models import Practitioner


class ExternalCalendar(models.Model):
    class Kind(models.TextChoices):
        FEED = "feed", "Calendar address (ICS)"
        CALDAV = "caldav", "CalDAV calendar"

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="calendars"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=80)
    # The host alone, to tell her calendars apart without showing the secret address.
    host = models.CharField(max_length=255)
    # encrypt_json of {"url": …} for a feed; {"url", "username", "password",
    # "calendar_url"} for CalDAV (calendar_url: the calendar found by discovery).
    credentials = models.BinaryField()
    # CalDAV only: her confirmed bookings are written to it as they change.
    push_bookings = models.BooleanField(default=False)
    paused = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The last read: when it was tried, when it last worked, and what went wrong since.
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    busy_count = models.PositiveIntegerField(default=0)
    # Validators of the feed's last answer, for a conditional GET.
    etag = models.CharField(max_length=255, blank=True)
    last_modified = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.host})"

    @property
    def secrets(self) -> dict:
        return crypto.decrypt_json(self.credentials)

    def set_secrets(self, **values) -> None:
        self.credentials = crypto.encrypt_json(values)


class CalendarConflict(models.Model):
    """Busy time in one of her calendars over a confirmed booking: marked in her console and
    told to her once by email. Nothing is cancelled by itself; the conflict is resolved
    when the busy time or the booking moves away."""

    booking = models.ForeignKey(
        "booking.Booking", on_delete=models.CASCADE, related_name="calendar_conflicts"
    )
    calendar = models.ForeignKey(
        ExternalCalendar, null=True, on_delete=models.SET_NULL, related_name="conflicts"
    )
    busy_start = models.DateTimeField()
    busy_end = models.DateTimeField()
    found_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["found_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_calendar_conflict_per_booking",
            )
        ]

    def __str__(self) -> str:
        state = "open" if self.resolved_at is None else "resolved"
        return f"conflict of booking {self.booking_id} ({state})"
