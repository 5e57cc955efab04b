"""The forms of her calendars page: a calendar address to add, how often to read them, and
what her own feed says of each booking."""

from django import forms

from practice.models import Practitioner


class FeedForm(forms.Form):
    name = forms.CharField(
        label="What to call it",
        max_length=80,
        required=False,
        help_text="For you alone: “Personal”, “Family”, “Supervision”.",
    )
    url = forms.CharField(
        label="Calendar address",
        max_length=2000,
        help_text="The private address your calendar app gives for sharing (in Google "
        "Calendar: Settings › your calendar › “Secret address in iCal format”). It begins "
        "with https:// or webcal://. It is kept encrypted and not shown again.",
        error_messages={"required": "Paste the calendar's address here."},
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


REFRESH_CHOICES = [
    (5, "Every 5 minutes"),
    (10, "Every 10 minutes"),
    (15, "Every 15 minutes"),
    (30, "Every 30 minutes"),
    (60, "Every hour"),
]


class RefreshForm(forms.Form):
    minutes = forms.TypedChoiceField(
        label="Read my calendars",
        choices=REFRESH_CHOICES,
        coerce=int,
    )


class FeedDetailForm(forms.Form):
    detail = forms.ChoiceField(
        label="Each booking's title in your calendar",
        choices=Practitioner.FeedDetail.choices,
        widget=forms.RadioSelect,
    )
