"""The forms of her calendars page: a calendar address to add, how often to read them, and
what her own feed says of each booking."""

from django import forms

from practice.models import Practitioner

PLAIN = {"autocomplete": "off", "spellcheck": "false"}  # an address or a name, not prose


def _address(label: str, help_text: str, required: str) -> forms.CharField:
    """A calendar's address as she pastes it (https://, webcal://), checked when it is read."""
    return forms.CharField(
        label=label,
        max_length=2000,
        help_text=help_text,
        error_messages={"required": required},
        widget=forms.URLInput(attrs=PLAIN),
    )


def _name(help_text: str) -> forms.CharField:
    return forms.CharField(
        label="What to call it", max_length=80, required=False, help_text=help_text
    )


class FeedForm(forms.Form):
    name = _name("For you alone: “Personal”, “Family”, “Supervision”.")
    url = _address(
        "Calendar address",
        "The private address your calendar app gives for sharing (in Google "
        "Calendar: Settings › your calendar › “Secret address in iCal format”). It begins "
        "with https:// or webcal://. It is kept encrypted and not shown again.",
        "Paste the calendar's address here.",
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

    url = _address(
        "Server address",
        "iCloud: https://caldav.icloud.com · Fastmail: https://caldav.fastmail.com · "
        "Nextcloud: your Nextcloud's address. The address of one calendar works too.",
        "Type your calendar server's address here.",
    )
    username = forms.CharField(
        label="User name",
        max_length=200,
        help_text="Usually your email address or account name.",
        error_messages={"required": "Type the user name you sign in with."},
        widget=forms.TextInput(attrs=PLAIN),
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
    name = _name("For you alone; left empty, it takes the calendar's own name.")
    push_bookings = forms.BooleanField(
        label="Put my bookings in this calendar",
        required=False,
        initial=True,
        help_text="Each booking appears there within a minute and follows each change. Its "
        "title is the one you chose for your feed above; no client's address goes with it.",
    )
