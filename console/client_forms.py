"""The forms of her client pages: the note of a returning client, the erase confirmation."""

from django import forms

from practice.models import KnownClient

NOTE_MISSING = (
    "Please write a few words on why, for yourself (for example: worked together in 2024)."
)
CONFIRM_MISMATCH = "Please type the client's email address, or the word erase, to confirm."


class ReturningForm(forms.Form):
    note = forms.CharField(
        label="Why (for you only)",
        max_length=KnownClient._meta.get_field("note").max_length,
        help_text="Never shown to the client, never in an email.",
        error_messages={
            "required": NOTE_MISSING,
            "max_length": "Please keep the note under 200 characters.",
        },
    )


class EraseForm(forms.Form):
    confirmation = forms.CharField(
        label="To confirm, type their email address or the word erase",
        max_length=254,
        error_messages={"required": CONFIRM_MISMATCH},
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["confirmation"].widget.attrs.update(
            {"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        )

    def clean_confirmation(self) -> str:
        typed = self.cleaned_data["confirmation"].strip().lower()
        if typed not in {"erase", self.email.lower()}:
            raise forms.ValidationError(CONFIRM_MISMATCH)
        return typed
