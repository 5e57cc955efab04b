"""Spans of time as she says them: "12 hours before", "2 weeks ahead", never ``12:00:00``.

``DurationField`` is a form field of a number and a unit (minutes, hours, days, weeks) that
cleans to whole minutes; ``in_words`` says a number of minutes back the same way, choosing
the largest unit that divides it. The widget's template is in ``console/templates/`` because
Django's form renderer reads the apps' template folders only.
"""

from django import forms
from django.core.exceptions import ValidationError

UNITS = [("minutes", 1), ("hours", 60), ("days", 24 * 60), ("weeks", 7 * 24 * 60)]
_MINUTES = dict(UNITS)


def largest_unit(minutes: int) -> tuple[int, str]:
    """(count, unit) with the largest unit that divides ``minutes`` (0 is "0 minutes")."""
    for unit, size in reversed(UNITS):
        if minutes and minutes % size == 0:
            return minutes // size, unit
    return minutes, "minutes"


def in_words(minutes: int) -> str:
    """``720`` → "12 hours", ``60`` → "1 hour", ``1440`` → "1 day", ``0`` → "no time"."""
    if not minutes:
        return "no time"
    count, unit = largest_unit(minutes)
    return f"{count} {unit if count != 1 else unit[:-1]}"


class DurationWidget(forms.MultiWidget):
    """A number box and a unit menu, side by side; each carries its own accessible name
    (the field's label names the pair: ``aria-describedby`` is left to the template)."""

    template_name = "console/widgets/duration.html"

    def __init__(self, attrs=None):
        super().__init__(
            [
                forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
                forms.Select(choices=[(unit, unit) for unit, _size in UNITS]),
            ],
            attrs,
        )

    def decompress(self, value):
        if value in (None, ""):
            return [None, "hours"]
        return list(largest_unit(int(value)))


class DurationField(forms.MultiValueField):
    """Cleans to whole minutes, within ``min_minutes``..``max_minutes``."""

    widget = DurationWidget

    def __init__(self, *, min_minutes: int = 0, max_minutes: int | None = None, **kwargs):
        self.min_minutes, self.max_minutes = min_minutes, max_minutes
        fields = (
            forms.IntegerField(min_value=0),
            forms.ChoiceField(choices=[(unit, unit) for unit, _size in UNITS]),
        )
        super().__init__(fields, require_all_fields=True, **kwargs)

    def compress(self, data_list):
        if not data_list:
            return None
        count, unit = data_list
        minutes = count * _MINUTES[unit]
        if minutes < self.min_minutes:
            raise ValidationError(f"Please choose at least {in_words(self.min_minutes)}.")
        if self.max_minutes is not None and minutes > self.max_minutes:
            raise ValidationError(f"Please choose at most {in_words(self.max_minutes)}.")
        return minutes
