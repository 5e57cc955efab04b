"""The practitioner's tools until her own console exists.

Bookings are read-only here except through actions that call the services, so that every
change is checked, logged and announced to the client. Times show in the practitioner's
zone (practice.middleware activates it for staff; the columns below name it as well).
"""

from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from booking import (
    booking_changes,
    effects_admin,  # noqa: F401  registers Effect's admin
    services,
)
from booking.models import Booking, BookingEvent, BusyBlock
from booking.payments import policy
from booking.payments import refunds as payment_refunds
from booking.payments.models import Payment, Refund
from practice.admin_actions import apply_each
from practice.models import Offering

WAIVE = "waive"
PER_POLICY = "policy"
CHOOSE_REFUND = "Choose how to refund the paid bookings."


def local_start(booking: Booking) -> datetime:
    return booking.start.astimezone(booking.practitioner.zone)


def short_when(moment: datetime) -> str:
    """``Thu 3 Dec 2026, 10:00 CET``: short enough for a column, with the zone named."""
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M %Z}"


# How the data a service logged with an event reads in the booking's history.
EVENT_WORDS = {
    "start": "at",
    "old_start": "from",
    "new_start": "to",
    "refund_percent": "refund %",
    "refund_decided_by": "decided by",
    "reason": "why",
    "late": "paid after the hold expired",
}
INSTANTS = ("start", "old_start", "new_start")


def event_details(event: BookingEvent) -> str:
    """``from Wed 2 Dec 2026, 10:30 CET · to Wed 2 Dec 2026, 12:00 CET``: the event's data
    in words, instants in the practitioner's zone, money with its currency."""
    data = dict(event.data)
    zone = event.booking.practitioner.zone
    parts = []
    if "refund_amount" in data:
        amount = policy.format_money(data.pop("refund_amount"), data.pop("refund_currency", ""))
        parts.append(f"refund {amount}")
    # In a fixed order: PostgreSQL's jsonb keeps keys in its own order, not the logged one.
    order = [key for key in EVENT_WORDS if key in data] + sorted(set(data) - set(EVENT_WORDS))
    for key in order:
        value = data[key]
        label = EVENT_WORDS.get(key, key.replace("_", " "))
        if key in INSTANTS and value:
            value = short_when(datetime.fromisoformat(value).astimezone(zone))
        elif value is True:
            parts.append(label)
            continue
        parts.append(f"{label} {value}")
    return " · ".join(parts) or "-"


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "actor_user", "details"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("booking__practitioner")

    @admin.display(description="Details")
    def details(self, event: BookingEvent) -> str:
        return event_details(event)


@dataclass
class CancelRow:
    """One booking on the confirmation page: what cancelling it would do to the money."""

    booking: Booking
    when: str
    cancellable: bool
    per_policy: str  # what happens to the money if she keeps to the policy
    waived: str  # … and if she waives it
    differs: bool  # whether her choice changes the refund
    paid: bool = False


class CancelForm(forms.Form):
    refund = forms.ChoiceField(
        label="Refund",
        choices=[
            (PER_POLICY, "Refund per the cancellation policy"),
            (WAIVE, "Waive the policy: refund in full"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": CHOOSE_REFUND},
    )

    def __init__(self, *args, needs_choice: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["refund"].required = needs_choice

    @property
    def waive(self) -> bool:
        return self.cleaned_data.get("refund") == WAIVE


def _cancel_row(booking: Booking, payment: Payment | None, *, now: datetime) -> CancelRow:
    """The refund as cancel_paid_booking would decide it at ``now``: cancellation_terms
    (an approved hardship request, else the offering's tiers) on what is still refundable."""
    cancellable = booking.status == Booking.Status.CONFIRMED
    when = short_when(local_start(booking))
    if not cancellable:
        why = f"Not cancelled: it is {booking.get_status_display().lower()}."
        return CancelRow(booking, when, False, why, why, False)
    if payment is None:
        nothing = "Nothing was paid: no refund."
        return CancelRow(booking, when, True, nothing, nothing, False)
    if not payment.is_captured:
        nothing = f"Payment {payment.get_state_display().lower()}: no refund."
        return CancelRow(booking, when, True, nothing, nothing, False)
    percent, decided_by = payment_refunds.cancellation_terms(booking, now=now)
    money = payment_refunds.refund_for(payment, percent)
    full = payment_refunds.refund_for(payment, 100)
    if decided_by == Refund.DecidedBy.HARDSHIP:
        per_policy = f"{policy.format_money(money, payment.currency)} back in full (hardship)."
    elif money > 0:
        per_policy = (
            f"{policy.format_money(money, payment.currency)} back ({percent} % per the policy)."
        )
    else:
        per_policy = "No refund (the policy gives nothing this close to the start)."
    waived = f"{policy.format_money(full, payment.currency)} back in full."
    if full <= 0:
        waived = per_policy = "Already refunded: nothing more to give back."
    return CancelRow(booking, when, True, per_policy, waived, money != full, paid=True)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    # Four narrow columns, so that the status stays on screen at 1280 px with the sidebars.
    list_display = ["when", "offering", "client_contact", "status"]
    list_select_related = ["offering", "practitioner"]
    list_filter = ["status", "offering"]
    search_fields = ["client_name", "client_email", "partner_name", "partner_email"]
    date_hierarchy = "start"
    inlines = [BookingEventInline]
    readonly_fields = [
        "intake",
        "money",
        "public_id",
        "status",
        "meeting_time",
        "client_timezone",
        "partner_name",
        "partner_email",
        "consented_at",
        "privacy_notice_version",
        "sequence",
        "created_at",
        "updated_at",
    ]
    fields = [
        "status",
        "intake",
        "offering",
        "meeting_time",
        "money",
        "client_name",
        "client_email",
        "client_timezone",
        "partner_name",
        "partner_email",
        "consented_at",
        "privacy_notice_version",
        "public_id",
        "sequence",
        "created_at",
        "updated_at",
    ]
    actions = ["cancel_bookings", "mark_attended", "mark_no_show"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("practitioner")

    def get_urls(self):
        cancel = path(
            "<int:pk>/cancel/",
            self.admin_site.admin_view(self.cancel_one),
            name="booking_booking_cancel",
        )
        return [cancel, *super().get_urls()]

    def cancel_one(self, request, pk: int):
        """ "Cancel…" on a booking's own page: the same confirmation as the list's action."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        answer = self.cancel_bookings(request, Booking.objects.filter(pk=pk))
        return answer or redirect(reverse("admin:booking_booking_change", args=[pk]))

    @admin.display(description="Money")
    def money(self, booking: Booking) -> str:
        """What was paid and given back, with a link to the payment's own page."""
        payment = Payment.objects.filter(booking=booking).first()
        if payment is None:
            return "Nothing to pay." if booking.offering.is_free else "No payment."
        text = f"{policy.format_money(payment.amount, payment.currency)}, "
        text += payment.get_state_display().lower()
        if payment.amount_refunded:
            refunded = policy.format_money(payment.amount_refunded, payment.currency)
            text += f"; {refunded} refunded"
        url = reverse("admin:payments_payment_change", args=[payment.pk])
        return format_html('{} (<a href="{}">payment and refunds</a>)', text, url)

    @admin.display(description="When", ordering="start")
    def when(self, booking: Booking) -> str:
        return short_when(local_start(booking))

    @admin.display(description="Client", ordering="client_name")
    def client_contact(self, booking: Booking) -> str:
        # Name over email in one cell: half the width of two columns.
        return format_html(
            '{}<br><span class="quiet">{}</span>', booking.client_name, booking.client_email
        )

    @admin.display(description="Time")
    def meeting_time(self, booking: Booking) -> str:
        if booking.pk is None:
            return "-"
        start, end = local_start(booking), booking.end.astimezone(booking.practitioner.zone)
        return f"{start:%a} {start.day} {start:%b %Y, %H:%M}–{end:%H:%M %Z}"

    @admin.display(description="Intake")
    def intake(self, booking: Booking) -> str:
        """A link to the review page, which checks she is the practitioner and logs the
        read; the admin itself never shows answers, nor the client's note."""
        has_note = booking.note_encrypted is not None
        if booking.pk is None or not (has_note or booking.intakes.exists()):
            return "No note and no questionnaire for this booking."
        url = reverse("intake:booking_review", args=[booking.public_id])
        label = (
            "Read the client's note and intake answers" if has_note else "Read the intake answers"
        )
        return format_html('<a href="{}">{}</a>', url, label)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        couples = obj is not None and (
            obj.offering.kind == Offering.Kind.COUPLES_SESSION or obj.partner_name
        )
        if couples:
            return fields
        return [name for name in fields if name not in ("partner_name", "partner_email")]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "offering"]

    @admin.action(description="Cancel… (shows the refunds first; the client is emailed)")
    def cancel_bookings(self, request, queryset):
        """Django's intermediate-page pattern: the first post lists the bookings and what
        each refund would be; the second (``post``) cancels through the payment service,
        per the policy or with it waived."""
        bookings = list(queryset.select_related("offering", "practitioner").order_by("start"))
        payments = {p.booking_id: p for p in Payment.objects.filter(booking__in=bookings)}
        now = timezone.now()
        rows = [_cancel_row(b, payments.get(b.pk), now=now) for b in bookings]
        needs_choice = any(row.differs for row in rows)
        confirmed = bool(request.POST.get("post"))
        form = CancelForm(request.POST if confirmed else None, needs_choice=needs_choice)
        if confirmed and form.is_valid():
            self._cancel(request, bookings, waive=form.waive)
            return None
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": "Cancel these bookings?",
            "subtitle": None,
            "opts": opts,
            "app_label": opts.app_label,
            "rows": rows,
            "any_cancellable": any(row.cancellable for row in rows),
            "any_paid": any(row.paid for row in rows),
            "needs_choice": needs_choice,
            "form": form,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/booking/booking/cancel_confirmation.html", context)

    def _cancel(self, request, bookings: list[Booking], *, waive: bool) -> None:
        cancelled = 0
        refunds = []
        for booking in bookings:
            try:
                done = payment_refunds.cancel_paid_booking(
                    booking=booking,
                    actor="practitioner",
                    waive_policy=waive,
                    actor_user=request.user,
                )
            except services.BookingError as error:
                self.message_user(request, f"{booking}: {error.message}", messages.WARNING)
                continue
            cancelled += 1
            if done.refund is not None:
                amount = policy.format_money(done.refund.amount, done.refund.payment.currency)
                refunds.append(f"{amount} to {booking.client_name}")
        if not cancelled:
            return
        money = f"Refunds: {'; '.join(refunds)}." if refunds else "No refunds."
        self.message_user(
            request,
            f"{cancelled} booking(s) cancelled; the clients are emailed. {money}",
            messages.SUCCESS,
        )

    @admin.action(description="Mark as attended")
    def mark_attended(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda b: booking_changes.mark_attendance(
                booking=b, attended=True, actor_user=request.user
            ),
            "booking(s) marked as attended",
        )

    @admin.action(description="Mark as no-show")
    def mark_no_show(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda b: booking_changes.mark_attendance(
                booking=b, attended=False, actor_user=request.user
            ),
            "booking(s) marked as no-show",
        )


@admin.register(BusyBlock)
class BusyBlockAdmin(admin.ModelAdmin):
    list_display = ["start", "end", "source"]
    list_filter = ["source"]
