"""The practice: its practitioner (her zone, her booking policy) and what she offers."""

import secrets
import zoneinfo
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from practice.timezones import validate_timezone


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class Practitioner(models.Model):
    """The person clients book, with the zone her hours are written in.

    Bookings of one practitioner never overlap: her row is also the lock that serialises
    booking decisions (``select_for_update`` in booking.services).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practitioner",
    )
    name = models.CharField(max_length=120)
    practice_name = models.CharField(max_length=120, help_text="Shown in emails and invites.")
    email = models.EmailField(help_text="Where booking notifications go.")
    timezone = models.CharField(
        max_length=64,
        default="Europe/Berlin",
        validators=[validate_timezone],
        help_text="Her weekly hours are wall-clock times in this zone.",
    )
    manage_cutoff = models.DurationField(
        default=timedelta(hours=24),
        help_text="Clients can reschedule or cancel by link until this long before the start.",
    )
    contact_note = models.CharField(
        max_length=200,
        blank=True,
        help_text="How to reach her after the cut-off, e.g. 'reply to this email'.",
    )
    # The key of her private calendar feed (/calendar/<token>.ics); rotated in her console.
    feed_token = models.CharField(
        max_length=64, default=new_feed_token, unique=True, editable=False
    )

    class FeedDetail(models.TextChoices):
        NAMES = "names", "First name and offering (“Sam · Single session”)"
        OFFERING = "offering", "Offering only (“Single session”)"
        BUSY = "busy", "Only “Busy”"

    feed_detail = models.CharField(
        max_length=10,
        choices=FeedDetail.choices,
        default=FeedDetail.NAMES,
        help_text="What her private calendar feed shows as each booking's title.",
    )
    calendar_refresh_minutes = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(5)],
        help_text="How often her calendars are read for busy time.",
    )
    intake_retention_days = models.PositiveIntegerField(
        default=365,
        validators=[MinValueValidator(1)],
        help_text="Intake answers are erased this many days after the client's last session.",
    )
    checkin_within_days = models.PositiveIntegerField(
        default=180,
        validators=[MinValueValidator(1)],
        help_text="A client who sent the full intake questionnaire within this many days is "
        "asked a short check-in before their next session instead, with their earlier answers "
        "at hand to read and update.",
    )
    morning_email_at = models.TimeField(
        null=True,
        blank=True,
        help_text="Her morning email with the day's sessions goes out at this time in her "
        "zone; none when empty.",
    )

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


def default_reminder_hours() -> list[int]:
    """A day before, to plan around it, and two hours before, to be there on time."""
    return [24, 2]


class Offering(models.Model):
    """Something bookable: a free assessment call, a paid session, a couples session."""

    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", "Free assessment call"
        SESSION = "session", "Single session"
        COUPLES_SESSION = "couples_session", "Couples session"

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="offerings"
    )
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(5)])
    price = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="EUR")
    returning_clients_only = models.BooleanField(default=False)
    video_link = models.URLField(blank=True, help_text="Sent in confirmations and invites.")
    video_room_pattern = models.CharField(
        max_length=200,
        blank=True,
        help_text="A link with {room} in it, e.g. https://meet.jit.si/mara-{room}: each booking "
        "gets a room name of its own in place of {room}. When set, it is used instead of the "
        "fixed video link.",
    )
    questionnaire_id = models.CharField(
        max_length=40,
        blank=True,
        help_text="The questionnaire sent before a booking: empty for the one its kind has "
        "always had, 'none' for none, else a questionnaire's id.",
    )
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    min_notice_minutes = models.PositiveIntegerField(
        default=12 * 60, help_text="How soon from now the earliest slot may start."
    )
    horizon_days = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(1)], help_text="How far ahead clients can book."
    )
    daily_cap = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="At most this many of this offering a day (empty: no cap).",
    )
    slot_step_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5)], help_text="Start times are this far apart."
    )
    # Hours before the start at which each attendee is emailed a reminder (booking.reminders);
    # empty for none. Each client may keep fewer of them for their own booking.
    reminder_hours = models.JSONField(
        default=default_reminder_hours,
        blank=True,
        help_text="Hours before the start at which attendees get a reminder, e.g. [24, 2].",
    )
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="offering_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def meeting_word(self) -> str:
        """What clients call one booking of it, in pages and emails: "call" or "session"."""
        return "call" if self.kind == self.Kind.ASSESSMENT else "session"

    @property
    def is_free(self) -> bool:
        return self.price == 0

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer_before(self) -> timedelta:
        return timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)


class KnownClient(models.Model):
    """Someone the practitioner has marked as her client, by email, account or not.

    Marked clients may book what is for returning clients once they sign in with this
    address (practice.selectors.is_returning_client). One row per address, whatever its case.
    """

    email = models.EmailField(help_text="The address they sign in with.")
    note = models.CharField(
        max_length=200,
        blank=True,
        help_text="For you only: never shown to the client, never in an email.",
    )
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]
        verbose_name = "known client"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="known_client_email_unique_ci",
                violation_error_message="This email is already marked as a client.",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        self.email = self.email.strip().lower()


# Erased clients' bookings keep their rows (payments point at them) under this name and an
# address on a domain that can never receive mail (RFC 2606), one per erasure.
ERASED_NAME = "Erased client"
ERASED_DOMAIN = "erased.invalid"


def is_erased_address(email: str) -> bool:
    """Whether ``email`` is the placeholder an erasure left: nothing is ever sent to it."""
    return email.lower().endswith("@" + ERASED_DOMAIN)


class ClientErasure(models.Model):
    """That a client was erased, when, by whom and how much: never who the client was.

    Kept as the practice's own record that a request to be forgotten was carried out
    (``practice.erasure``); the counts say what went and what stayed.
    """

    erased_at = models.DateTimeField()
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    bookings = models.PositiveIntegerField(help_text="Bookings made by the client, anonymised.")
    partner_bookings = models.PositiveIntegerField(
        default=0, help_text="Couples bookings the client was the partner on."
    )
    intakes = models.PositiveIntegerField(help_text="Intake questionnaires whose answers went.")
    accounts = models.PositiveIntegerField(help_text="Sign-in accounts deleted.")
    known_client = models.BooleanField(help_text="Whether a returning-client mark was removed.")
    payments_kept = models.PositiveIntegerField()
    refunds_kept = models.PositiveIntegerField()
    hardship_requests_kept = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = "client erasure"

    def __str__(self) -> str:
        return f"Client erased at {self.erased_at:%Y-%m-%d %H:%M}"

    @property
    def placeholder_email(self) -> str:
        return f"erased-{self.pk}@{ERASED_DOMAIN}"


class PeriodicRun(models.Model):
    """One tick of the schedule (practice.schedule), claimed by the first worker to reach it.

    The unique (name, due_at) pair is the claim: a second worker's insert fails, so each
    tick enqueues its task once however many workers run the scheduler.
    """

    name = models.CharField(max_length=80)
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "due_at"], name="periodic_run_once_per_tick")
        ]

    def __str__(self) -> str:
        return f"{self.name} at {self.due_at:%Y-%m-%d %H:%M}"
