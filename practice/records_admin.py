"""The admin for records of what happened (payments, webhook events, intakes, access logs):
visible to staff, changed by nobody by hand, only by the services that write them."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
