"""Intakes in the admin, without their answers: no field, column or filter shows them.

Answers are read only through the practitioner's review page, which writes the access log.
Questionnaires are data files in intake/questionnaires/, not rows. So are the shipped
crisis lines (intake/crisis/countries.toml); the practitioner's own lines are rows, which
she keeps in her console (Hours, Support lines) and the operator can still see here.
"""

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join

from intake import crisis
from intake.crisis import data
from intake.models import AccessLog, Assignment, CrisisLine, Response
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
        "needs_attention",
        "erased_at",
    ]
    # A generic mark only: why a response needs attention is inside its encrypted answers,
    # read on the review page (which logs the read), never here.
    list_filter = ["needs_attention"]
    fields = [
        "assignment",
        "questionnaire_id",
        "questionnaire_version",
        "started_at",
        "updated_at",
        "submitted_at",
        "needs_attention",
        "erased_at",
    ]
    readonly_fields = fields


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "action", "response"]
    fields = ["at", "user", "action", "response"]
    readonly_fields = fields
    list_filter = ["action"]


class CrisisLineForm(forms.ModelForm):
    # A choice, not free text: a code the box never asks for would be a line nobody sees.
    country = forms.ChoiceField(choices=crisis.country_choices)

    class Meta:
        model = CrisisLine
        fields = ["country", "name", "contact"]


@admin.register(CrisisLine)
class CrisisLineAdmin(admin.ModelAdmin):
    form = CrisisLineForm
    list_display = ["name", "country_name", "contact", "updated_at"]
    search_fields = ["name", "contact"]
    fields = ["country", "name", "contact", "shipped_lines"]
    readonly_fields = ["shipped_lines"]

    @admin.display(description="Country")
    def country_name(self, line: CrisisLine) -> str:
        country = data.countries().get(line.country)
        return country.name.removeprefix("the ") if country else line.country

    @admin.display(description="Lines shipped for this country")
    def shipped_lines(self, line: CrisisLine) -> str:
        """What the box already shows there: a line of the same name replaces that one."""
        country = data.countries().get(line.country) if line.pk else None
        if country is None:
            return (
                "Save to see the lines shipped for the country. A line with the same name as "
                "a shipped one replaces it; any other is added."
            )
        if not country.lines:
            return f"None: the box shows {country.emergency} and the worldwide directory."
        return format_html_join(
            "", "<div>{}: {}</div>", ((shipped.name, shipped.contact) for shipped in country.lines)
        )
