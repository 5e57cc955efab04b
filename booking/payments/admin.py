"""Money in the admin: read-only records, and actions that go through the services.

Payments, refunds and webhook events are what happened; nobody edits them by hand. The
practitioner acts through actions (cancel with or without the policy, decide a hardship
request), so every change is checked, logged, refunded through Stripe and emailed.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from booking import refusals
from booking.payments import hardship as payment_hardship
from booking.payments import selectors as payment_selectors
from booking.payments.models import (
    HardshipRequest,
    Payment,
    Refund,
    RefundTier,
    RejectedWebhook,
    WebhookEvent,
)
from practice.admin_actions import apply_each
from practice.records_admin import ReadOnlyAdmin


class RefundTierInline(admin.TabularInline):
    """The offering's cancellation policy (add it to OfferingAdmin.inlines)."""

    model = RefundTier
    extra = 0
    fields = ["min_hours_before_start", "refund_percent"]
    verbose_name = "refund tier (cancelling at least this many hours before refunds this %)"
    verbose_name_plural = "cancellation policy (no tiers: always a full refund)"


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ["created_at", "amount", "percent", "decided_by", "state", "provider_refund_id"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "booking", "amount", "currency", "state", "amount_refunded"]
    # A booking names itself in its practitioner's zone (Booking.__str__).
    list_select_related = ["booking__offering", "booking__practitioner"]
    list_filter = ["state", "currency"]
    date_hierarchy = "created_at"
    inlines = [RefundInline]
    fields = [
        "booking_link",
        "state",
        "amount",
        "currency",
        "amount_refunded",
        "checkout_session_id",
        "payment_intent_id",
        "created_at",
        "paid_at",
        "updated_at",
    ]
    readonly_fields = fields
    # Cancelling (and so refunding) happens from the booking, where a confirmation page
    # shows each refund first: one way to move money, never in one click.
    actions = None

    @admin.display(description="Booking")
    def booking_link(self, payment: Payment) -> str:
        url = reverse("admin:booking_booking_change", args=[payment.booking_id])
        return format_html(
            '<a href="{}">{}</a> (cancel or refund it from there)', url, payment.booking
        )


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "payment", "amount", "percent", "decided_by", "state"]
    list_filter = ["state", "decided_by"]
    fields = [
        "payment",
        "amount",
        "percent",
        "decided_by",
        "decided_by_user",
        "reason",
        "late_payment_refusal",
        "state",
        "error_code",
        "attempts",
        "provider_refund_id",
        "created_at",
        "succeeded_at",
    ]
    readonly_fields = fields

    @admin.display(description="Why its time could not be kept")
    def late_payment_refusal(self, refund: Refund) -> str:
        """A late payment's reason as the client was told it (its heading), not a code."""
        reason = payment_selectors.refund_refusal(refund)
        return refusals.LATE_PAYMENT_WORDINGS[reason].title if reason else "-"


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "type", "status", "outcome", "object_id", "stripe_event_id"]
    list_filter = ["type", "status"]
    search_fields = ["stripe_event_id", "object_id"]
    fields = list_display + ["processed_at"]
    readonly_fields = fields


@admin.register(RejectedWebhook)
class RejectedWebhookAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "reason", "stripe_event_id"]
    search_fields = ["stripe_event_id"]
    fields = list_display
    readonly_fields = fields


@admin.register(HardshipRequest)
class HardshipRequestAdmin(admin.ModelAdmin):
    list_display = ["requested_at", "booking", "state", "decided_at", "decided_by"]
    list_select_related = ["booking__offering", "booking__practitioner", "decided_by"]
    list_filter = ["state"]
    fields = ["booking", "state", "requested_at", "decided_at", "decided_by"]
    readonly_fields = fields
    actions = ["approve", "decline"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, *, approve: bool, done: str):
        apply_each(
            self,
            request,
            queryset,
            lambda hardship: payment_hardship.decide_hardship(
                request=hardship, approve=approve, actor_user=request.user
            ),
            done,
        )

    @admin.action(description="Approve: a full refund on cancellation (the client is emailed)")
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True, done="request(s) approved")

    @admin.action(description="Decline (the client is emailed)")
    def decline(self, request, queryset):
        self._decide(request, queryset, approve=False, done="request(s) declined")
