"""Effects in the admin: what ran, what waits, what failed and why, and "try again".

Read-only: an effect changes only through booking.effects (retry). Its args hold ids and
kinds, never content, so they are shown as they are; the last error is an exception's
class and a short message.
"""

from django.contrib import admin

from booking import effects
from booking.models import Effect
from practice.admin_actions import apply_each


@admin.register(Effect)
class EffectAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "attempts", "due_at", "last_error", "booking"]
    list_filter = ["status", "name"]
    search_fields = ["key"]
    ordering = ["-due_at"]
    list_select_related = ["booking"]
    readonly_fields = [
        "key",
        "name",
        "booking",
        "event",
        "args",
        "due_at",
        "status",
        "attempts",
        "last_error",
        "lease_until",
        "done_at",
        "created_at",
    ]
    actions = ["try_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Try again now")
    def try_again(self, request, queryset):
        waiting = queryset.filter(status__in=[Effect.Status.FAILED, Effect.Status.PENDING])
        apply_each(self, request, waiting, effects.retry, "effect(s) tried again")
