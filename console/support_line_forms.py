"""The form for one of her crisis lines: a country from the shipped list, a name, a contact.

It checks what a person would get wrong (nothing typed, a country not in the list); the
service (``intake.crisis.own_lines``) checks again inside its transaction, and its errors
come back on the field they concern.
"""

from django import forms

from intake import crisis
from intake.crisis import own_lines
from intake.models import CrisisLine

NAME_MAX = CrisisLine._meta.get_field("name").max_length
CONTACT_MAX = CrisisLine._meta.get_field("contact").max_length


class CrisisLineForm(forms.Form):
    country = forms.ChoiceField(
        label="Country",
        error_messages={
            "required": own_lines.UNKNOWN_COUNTRY,
            "invalid_choice": own_lines.UNKNOWN_COUNTRY,
        },
    )
    name = forms.CharField(
        label="Name of the line",
        max_length=NAME_MAX,
        help_text="As the client will read it. The same name as a line already listed "
        "for the country replaces that line in the box.",
        error_messages={"required": own_lines.NEEDS_NAME},
    )
    contact = forms.CharField(
        label="How to reach it",
        max_length=CONTACT_MAX,
        help_text="What to call or text, and when, in plain words: “0800 111 0 111, free, "
        "day and night”.",
        error_messages={"required": own_lines.NEEDS_CONTACT},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Choose a country"), *crisis.country_choices()]
        self.fields["name"].widget.attrs["autocomplete"] = "off"
        self.fields["contact"].widget.attrs["autocomplete"] = "off"

    def add_service_error(self, error: own_lines.LineError) -> None:
        self.add_error(error.field, error.message)
