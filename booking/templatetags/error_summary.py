"""``{% error_summary form as summary %}``: what the summary at the top of a form that came
back says, after GOV.UK's error summary: a heading that counts what is left to do, then one
line per problem, each leading to its field. Only the message is shown, never the label
glued to it with a colon: the messages are written to be read alone ("Please tell us your
name.")."""

from dataclasses import dataclass

from django import template

register = template.Library()

NUMBER_WORDS = ("One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")


@dataclass(frozen=True)
class Line:
    message: str
    target: str = ""  # the id of the field it leads to; empty for the form as a whole


@dataclass(frozen=True)
class Summary:
    heading: str
    lines: tuple[Line, ...]


def things_to_fix(count: int, goal: str = "") -> str:
    """``Two things to fix before we can book this`` (or another ``goal``: "we can save
    this")."""
    number = NUMBER_WORDS[count - 1] if 1 <= count <= len(NUMBER_WORDS) else f"{count:,}"
    things = "thing" if count == 1 else "things"
    return f"{number} {things} to fix before {goal or 'we can book this'}"


@register.simple_tag
def error_summary(form, goal: str = "") -> Summary | None:
    """The form's problems in its own order: the form's, then each field's first; the
    heading ends with ``goal`` where the form is for something else than booking."""
    if not form.errors:
        return None
    lines = [Line(str(message)) for message in form.non_field_errors()]
    for field in form:
        if field.errors:
            target = "" if field.is_hidden else field.auto_id
            lines.append(Line(str(field.errors[0]), target))
    return Summary(things_to_fix(len(lines), goal), tuple(lines))
