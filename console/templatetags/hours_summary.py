"""``{% save_summary form as summary %}``: the project's error summary (booking's
``error_summary``) with a heading for a form that saves rather than books."""

from django import template

from booking.templatetags.error_summary import NUMBER_WORDS, Summary, error_summary

register = template.Library()


def things_to_fix(count: int) -> str:
    """``Two things to fix before we can save this``."""
    number = NUMBER_WORDS[count - 1] if 1 <= count <= len(NUMBER_WORDS) else f"{count:,}"
    return f"{number} {'thing' if count == 1 else 'things'} to fix before we can save this"


@register.simple_tag
def save_summary(form) -> Summary | None:
    summary = error_summary(form)
    if summary is None:
        return None
    return Summary(things_to_fix(len(summary.lines)), summary.lines)
