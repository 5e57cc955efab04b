from django.contrib import admin
from django.contrib.admin.widgets import AdminTimeWidget
from django.db import models

from booking.models import AvailabilityRule, DateOverride, TimeOff
from booking.payments.admin import RefundTierInline
from practice.models import ClientErasure, KnownClient, Offering, Practitioner
from practice.records_admin import ReadOnlyAdmin

# Her hours are whole minutes: 09:00, not 09:00:00 (the input still accepts seconds).
HH_MM = {models.TimeField: {"widget": AdminTimeWidget(format="%H:%M")}}


class AvailabilityRuleInline(admin.TabularInline):
    model = AvailabilityRule
    extra = 1
    formfield_overrides = HH_MM


class DateOverrideInline(admin.TabularInline):
    model = DateOverride
    extra = 0
    verbose_name = "date override (leave the times empty for a day off)"
    verbose_name_plural = "date overrides (leave the times empty for a day off)"
    formfield_overrides = HH_MM


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["name", "practice_name", "timezone", "email"]
    inlines = [AvailabilityRuleInline, DateOverrideInline, TimeOffInline]


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "duration_minutes", "price", "currency", "is_active"]
    list_filter = ["kind", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RefundTierInline]
    fieldsets = [
        (None, {"fields": ["practitioner", "name", "slug", "kind", "description", "is_active"]}),
        ("Price and who may book", {"fields": ["price", "currency", "returning_clients_only"]}),
        (
            "Time",
            {
                "fields": [
                    "duration_minutes",
                    "slot_step_minutes",
                    "buffer_before_minutes",
                    "buffer_after_minutes",
                    "min_notice_minutes",
                    "horizon_days",
                    "daily_cap",
                ]
            },
        ),
        (
            "Meeting",
            {"fields": ["video_link", "video_room_pattern", "questionnaire_id", "position"]},
        ),
    ]


@admin.register(KnownClient)
class KnownClientAdmin(admin.ModelAdmin):
    """Mark someone as a client before (or without) a completed booking here, so they may
    book sessions for returning clients once they sign in with this email."""

    list_display = ["email", "marked_at", "note"]
    search_fields = ["email", "note"]
    fields = ["email", "note", "marked_at"]
    readonly_fields = ["marked_at"]


@admin.register(ClientErasure)
class ClientErasureAdmin(ReadOnlyAdmin):
    """That clients were erased at their request, when and by whom, with the counts of what
    went and what stayed; never who they were."""

    list_display = ["erased_at", "erased_by", "bookings", "intakes", "accounts", "payments_kept"]
    date_hierarchy = "erased_at"
