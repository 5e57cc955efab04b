"""Intakes in the admin, without their answers: no field, column or filter shows them.

Answers are read only through the practitioner's review page, which writes the access log.
Questionnaires are data files in intake/questionnaires/, not rows.
"""

from django.contrib import admin

from intake.models import AccessLog, Assignment, Response
from practice.records_admin import ReadOnlyAdmin


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    # No token: it opens the answers.
    list_display = ["booking", "name", "email", "role", "created_at"]
    fields = ["booking", "name", "email", "role", "created_at"]
    readonly_fields = fields
    search_fields = ["name", "email"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = [
        "assignment",
        "questionnaire_id",
        "questionnaire_version",
        "started_at",
        "submitted_at",
        "erased_at",
    ]
    fields = [
        "assignment",
        "questionnaire_id",
        "questionnaire_version",
        "started_at",
        "updated_at",
        "submitted_at",
        "erased_at",
    ]
    readonly_fields = fields


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "action", "response"]
    fields = ["at", "user", "action", "response"]
    readonly_fields = fields
    list_filter = ["action"]
