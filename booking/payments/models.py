"""Money beside bookings: payments, refunds, the webhook log, cancellation policy, hardship.

A booking's status says whether the time is taken; a payment's state says what happened to
the money. They live on separate rows and change only through booking.payments' checkout,
confirmation, webhooks, refunds and hardship modules, so that one can always be checked
against the other (selectors.disagreements).

Nothing personal is stored here: the client's name and email stay on the booking, and a
webhook event keeps its id, type and the id of the object it is about, never its payload.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from booking.models import Booking
from practice.models import Offering


class Payment(models.Model):
    """What one booking costs and what became of the money: one Stripe Checkout (a retry
    reuses it, never makes a second), or the practitioner's payment link (Checkout opened
    from an emailed link), or money she took outside the system (bank transfer, cash),
    which Stripe never hears of, its refunds included."""

    class Method(models.TextChoices):
        CHECKOUT = "checkout", "Checkout by the client"
        LINK = "link", "Payment link sent by the practitioner"
        OUTSIDE = "outside", "Paid outside the system"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"
        REFUNDED = "refunded", "Refunded"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"

    # Money was taken in these states (a partial refund leaves the rest taken).
    CAPTURED = (State.PAID, State.PARTIALLY_REFUNDED, State.REFUNDED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    booking = models.OneToOneField(
        Booking, on_delete=models.PROTECT, related_name="payment", editable=False
    )
    checkout_session_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True, editable=False
    )
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, editable=False)
    currency = models.CharField(max_length=3, editable=False)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.PENDING, editable=False
    )
    method = models.CharField(
        max_length=10, choices=Method.choices, default=Method.CHECKOUT, editable=False
    )
    amount_refunded = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0"), editable=False
    )
    created_at = models.DateTimeField(editable=False)
    paid_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                name="payment_refund_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.pk} ({self.get_state_display()})"

    @property
    def is_captured(self) -> bool:
        return self.state in self.CAPTURED


class Refund(models.Model):
    """A decision to give money back, and what Stripe made of it.

    The row is written with the decision (in the same transaction as the cancellation);
    Stripe is asked after commit with an idempotency key taken from this row, so a retry
    after a crash or a timeout never refunds twice.
    """

    class DecidedBy(models.TextChoices):
        POLICY = "policy", "Cancellation policy"
        PRACTITIONER = "practitioner", "Practitioner (policy waived)"
        HARDSHIP = "hardship", "Hardship exception"
        LATE_PAYMENT = "late_payment", "Payment arrived after its hold ended"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    provider_refund_id = models.CharField(max_length=255, blank=True, db_index=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    percent = models.PositiveSmallIntegerField(help_text="Of the amount paid.")
    decided_by = models.CharField(max_length=20, choices=DecidedBy.choices)
    decided_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    error_code = models.CharField(
        max_length=100, blank=True, help_text="Stripe's error code when it refused."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(percent__lte=100), name="refund_percent_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"Refund {self.pk} ({self.get_state_display()})"

    @property
    def idempotency_key(self) -> str:
        return f"refund-{self.public_id}"


class WebhookEvent(models.Model):
    """Each Stripe event once, by its id: a repeated delivery finds its row and stops.

    Written in the same transaction as the change the event causes, so an event whose
    handling failed leaves no row and is handled again when Stripe retries it.
    """

    class Status(models.TextChoices):
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"

    stripe_event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    outcome = models.CharField(max_length=60, blank=True)
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_event_id}"


class RejectedWebhook(models.Model):
    """A correctly signed delivery that is not an event we can act on (see
    booking.payments.webhook_events): its id when usable, why, and when. Never the body,
    which may be large and carries the client's email address and payment details."""

    stripe_event_id = models.CharField(max_length=255, blank=True, db_index=True)
    reason = models.CharField(max_length=100)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"Rejected {self.stripe_event_id or 'event'}: {self.reason}"


class RefundTier(models.Model):
    """One step of an offering's cancellation policy.

    Cancelling at least ``min_hours_before_start`` before the start (the boundary itself
    included) refunds ``refund_percent``; the highest tier that the notice reaches applies,
    and a notice below every tier refunds nothing. An offering without tiers refunds in
    full: no penalty that the client was never shown.
    """

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="refund_tiers")
    min_hours_before_start = models.PositiveIntegerField()
    refund_percent = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        ordering = ["offering", "-min_hours_before_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "min_hours_before_start"], name="refund_tier_unique_hours"
            ),
            models.CheckConstraint(
                condition=Q(refund_percent__lte=100), name="refund_tier_percent_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.refund_percent}% from {self.min_hours_before_start} h before"


class HardshipRequest(models.Model):
    """A client's one-time request to be refunded in full whatever the notice.

    It carries no reason on purpose: what happened is the client's to tell the practitioner
    in their own words, not ours to store.
    """

    class State(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, related_name="hardship_request", editable=False
    )
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.REQUESTED, editable=False
    )
    requested_at = models.DateTimeField(editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
    )
    # Her optional line to the client with her answer, quoted as hers in their email.
    reply_line = models.CharField(max_length=500, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Hardship request for booking {self.booking_id} ({self.get_state_display()})"
