"""The practitioner's tools until her own console exists.

Bookings are read-only here except through actions that call the services, so that every
change is checked, logged and announced to the client.
"""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from booking import services
from booking.models import Booking, BookingEvent, BusyBlock


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "actor_user", "data"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["start", "offering", "client_name", "client_email", "status"]
    list_filter = ["status", "offering"]
    search_fields = ["client_name", "client_email"]
    date_hierarchy = "start"
    inlines = [BookingEventInline]
    readonly_fields = [
        "intake",
        "public_id",
        "status",
        "start",
        "end",
        "client_timezone",
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
        "start",
        "end",
        "client_name",
        "client_email",
        "client_timezone",
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

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "offering"]

    def _apply(self, request, queryset, action, done: str):
        changed = 0
        for booking in queryset:
            try:
                action(booking)
            except services.BookingError as error:
                self.message_user(request, f"{booking}: {error.message}", messages.WARNING)
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{changed} booking(s) {done}.", messages.SUCCESS)

    @admin.action(description="Cancel (the client is emailed)")
    def cancel_bookings(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda b: services.cancel(booking=b, actor="practitioner", actor_user=request.user),
            "cancelled",
        )

    @admin.action(description="Mark as attended")
    def mark_attended(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda b: services.mark_attendance(booking=b, attended=True, actor_user=request.user),
            "marked as attended",
        )

    @admin.action(description="Mark as no-show")
    def mark_no_show(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda b: services.mark_attendance(booking=b, attended=False, actor_user=request.user),
            "marked as no-show",
        )


@admin.register(BusyBlock)
class BusyBlockAdmin(admin.ModelAdmin):
    list_display = ["start", "end", "source"]
    list_filter = ["source"]
