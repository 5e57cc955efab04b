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


class CalDAVForm(forms.Form):
    # Beside the feed form on one page: its fields need ids of their own.
    prefix = "caldav"

    url = forms.CharField(
        label="Server address",
        max_length=2000,
        help_text="iCloud: https://caldav.icloud.com · Fastmail: https://caldav.fastmail.com · "
        "Nextcloud: your Nextcloud's address. The address of one calendar works too.",
        error_messages={"required": "Type your calendar server's address here."},
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    username = forms.CharField(
        label="User name",
        max_length=200,
        help_text="Usually your email address or account name.",
        error_messages={"required": "Type the user name you sign in with."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="App password",
        max_length=200,
        strip=False,
        help_text="An app password made for this in your account's security settings, not "
        "your main password. It is kept encrypted and never shown again.",
        error_messages={"required": "Type the app password here."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    name = forms.CharField(
        label="What to call it",
        max_length=80,
        required=False,
        help_text="For you alone; left empty, it takes the calendar's own name.",
    )
    push_bookings = forms.BooleanField(
        label="Put my bookings in this calendar",
        required=False,
        initial=True,
        help_text="Each booking appears there within a minute and follows each change. Its "
        "title is the one you chose for your feed above; no client's address goes with it.",
    )
