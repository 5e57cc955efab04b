"""Who is asked to fill which questionnaire, and their encrypted answers.

Questionnaires themselves are data files (``intake.questionnaires``); a response pins the
``(questionnaire_id, questionnaire_version)`` it answers. Answers are stored only as
encrypted bytes (``practice.crypto``) and are changed only by ``intake.services``.
"""

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from booking.models import Booking
from intake import questionnaires
from practice import crypto

# The key of the encrypted record that holds why a response needs attention. Question ids
# begin with a letter (``intake.questionnaires``), so it is never an answer's.
ATTENTION = "_attention"
UNSAFE = "unsafe"  # the reason: answers that signal someone may not be safe


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Assignment(models.Model):
    """One attendee of a booking, asked to fill the booking's questionnaire by a private link.

    A couples session has two, each with their own token and response.
    """

    class Role(models.TextChoices):
        CLIENT = "client", "Client"
        PARTNER = "partner", "Partner"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="intakes")
    email = models.EmailField()
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CLIENT)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once the invitation email went out; until then `send_intake_invitations` retries.
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The full intake this person sent recently, when they are asked a check-in instead:
    # the check-in's page offers it to read and update, her review shows it beside.
    earlier_response = models.ForeignKey(
        "Response", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["booking", "role"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "email"], name="one_intake_per_attendee"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()}) for booking {self.booking_id}"


class Response(models.Model):
    """The answers of one assignment to one questionnaire version, encrypted at rest.

    ``answers_encrypted`` is None before the first save and after erasure; an erased response
    stays as a tombstone (``erased_at``) so the practitioner knows an intake existed. It holds
    one encrypted record: the answers, and why they need attention (``ATTENTION``), so the
    reason is rotated, backed up and erased with the answers it comes from.
    """

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="response"
    )
    questionnaire_id = models.CharField(max_length=50)
    questionnaire_version = models.PositiveIntegerField()
    answers_encrypted = models.BinaryField(null=True, editable=False)
    skipped_sections = models.JSONField(default=list, blank=True)
    # A mark in clear, for listing, that something in the answers asks the practitioner to
    # look soon; what it is (``attention``) is kept inside the encrypted record, so a raw
    # table, a dump or a backup says no more than "look at this one".
    needs_attention = models.BooleanField(
        "needs attention",
        default=False,
        editable=False,
        help_text="Something here asks you to read it soon; the review page says what.",
    )
    # When the practitioner was emailed, once, that an answer she sees before sending was
    # saved (``services.claim_alert``); a later save that raises the flag again emails no one.
    practitioner_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True) | Q(answers_encrypted__isnull=True),
                name="erased_response_holds_no_answers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id} v{self.questionnaire_version} for {self.assignment}"

    @property
    def questionnaire(self) -> questionnaires.Questionnaire:
        return questionnaires.load(self.questionnaire_id, self.questionnaire_version)

    def _record(self) -> dict[str, Any]:
        if self.answers_encrypted is None:
            return {}
        return crypto.decrypt_json(self.answers_encrypted)

    @property
    def answers(self) -> dict[str, Any]:
        """The answers in clear (decrypted on every access; never log them)."""
        record = self._record()
        record.pop(ATTENTION, None)
        return record

    @property
    def attention(self) -> dict[str, list[str]]:
        """Why the response needs attention, in clear (decrypted: read it only where the
        answers may be read): ``{"unsafe": [question ids]}``, empty when nothing does."""
        if not self.needs_attention:
            return {}
        return self._record().get(ATTENTION, {})

    def keep_answers(self, answers: dict[str, Any], *, attention: dict[str, list[str]]) -> None:
        """Encrypt the answers with why they need attention, and set the mark in clear from
        the same reasons, so the two never disagree."""
        record = {**answers, ATTENTION: attention} if attention else answers
        self.answers_encrypted = crypto.encrypt_json(record)
        self.needs_attention = bool(attention)


class Consent(models.Model):
    """An attendee's explicit consent to the processing of their answers, as worded then."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="consents")
    questionnaire_id = models.CharField(max_length=50)
    questionnaire_version = models.PositiveIntegerField()
    consent_version = models.CharField(max_length=50)
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"Consent {self.consent_version} by {self.assignment}"


class SessionNote(models.Model):
    """The practitioner's own private note about one booking's session, encrypted at rest
    like intake answers (``practice.crypto``). Only she reads it, through
    ``intake.session_notes.read_note``, which writes each read to the access log first; it
    never goes into an email, a calendar entry or a log line."""

    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, related_name="session_note", editable=False
    )
    text_encrypted = models.BinaryField(editable=False)
    created_at = models.DateTimeField(editable=False)
    updated_at = models.DateTimeField(editable=False)

    def __str__(self) -> str:
        return f"Session note for booking {self.booking_id}"

    @property
    def text(self) -> str:
        """The note in clear (decrypted on every access; never log it)."""
        return crypto.decrypt_json(self.text_encrypted)


class AccessLog(models.Model):
    """A row for every time someone other than the client reads or exports a response, or
    reads the note a client wrote when booking (``booking``; ``response`` is then empty),
    or the practitioner's own session note (``session_note``)."""

    class Action(models.TextChoices):
        READ = "read", "Read"
        EXPORT = "export", "Export"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intake_reads"
    )
    response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.CASCADE, related_name="access_log"
    )
    booking = models.ForeignKey(
        Booking,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="note_reads",
        help_text="Set when the booking's note was read.",
    )
    session_note = models.ForeignKey(
        SessionNote,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reads",
        help_text="Set when the practitioner's session note was read.",
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(response__isnull=False)
                    & Q(booking__isnull=True)
                    & Q(session_note__isnull=True)
                )
                | (
                    Q(response__isnull=True)
                    & Q(booking__isnull=False)
                    & Q(session_note__isnull=True)
                )
                | (
                    Q(response__isnull=True)
                    & Q(booking__isnull=True)
                    & Q(session_note__isnull=False)
                ),
                name="access_log_reads_one_of_three",
            ),
        ]

    def __str__(self) -> str:
        if self.response_id:
            what = f"response {self.response_id}"
        elif self.session_note_id:
            what = f"session note {self.session_note_id}"
        else:
            what = f"note {self.booking_id}"
        return f"{self.user} {self.action} {what} at {self.at:%Y-%m-%d %H:%M}"


class CrisisLine(models.Model):
    """A helpline the practitioner adds, or corrects, for one country's support box.

    It joins the shipped lines of ``intake/crisis/countries.toml`` for that country; a line
    with the same name as a shipped one takes its place (a changed number, say). The shipped
    file stays the record of what was checked where; these rows are her own knowledge.
    """

    country = models.CharField(max_length=2, help_text="The country whose box shows it.")
    name = models.CharField(max_length=120, help_text="As the client will read it.")
    contact = models.CharField(
        max_length=200,
        help_text="What to call or text, and when, in plain words: “0800 111 0 111, free, "
        "day and night”.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="one_crisis_line_per_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"
