"""The outbox: one row per thing a change must cause (an email, a reminder, a calendar push).

A row is written in the change's own transaction, so a committed change always has its
effects on record; the worker runs each row once, by its unique ``key``, and retries it
alone when its server is down. ``args`` holds ids and kinds only, never content.
"""

from django.db import models


class Effect(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        VOID = "void", "Void"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=60)
    booking = models.ForeignKey(
        "booking.Booking", null=True, blank=True, on_delete=models.CASCADE, related_name="effects"
    )
    event = models.ForeignKey(
        "booking.BookingEvent",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="effects",
    )
    args = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # When its task was last put on the queue to run (its run_after): the sweep re-enqueues
    # only rows whose task never was, or whose task is a lease overdue.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="effect_status_due")]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"
