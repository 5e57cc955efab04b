"""The limits on text that comes in from outside, checked before any of it reaches the
database.

PostgreSQL cannot store a NUL byte (psycopg refuses the query) and refuses a value longer
than its column; SQLite stores both without a word. Checking at the edge keeps the two
databases alike and turns what would be a 500 into a message: form fields get these
validators, and raw values (a query string, a URL part) go through ``usable_text``.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator

EMAIL_MAX_LENGTH = 254  # the longest address SMTP carries; every email column has it
EMAIL_TOO_LONG = (
    f"An email address has at most {EMAIL_MAX_LENGTH} characters; please check this one."
)
# Django's own wording, which its form fields already show for a NUL byte.
NUL_CHARACTER = str(ProhibitNullCharactersValidator.message)
# Stripe's ids, our tokens and slugs are all far shorter; an id longer than this is nonsense.
ID_MAX_LENGTH = 255


def email_validators() -> list:
    """For any email field whose value may be stored: the length every column allows
    (Django's form fields already refuse a NUL byte)."""
    return [MaxLengthValidator(EMAIL_MAX_LENGTH, message=EMAIL_TOO_LONG)]


def text_error(value: str, *, max_length: int) -> str | None:
    """Why ``value`` cannot be stored in a column of ``max_length``, or None."""
    if "\x00" in value:
        return NUL_CHARACTER
    if len(value) > max_length:
        return f"This is longer than {max_length:,} characters."
    return None


def check_text(value: str, *, max_length: int) -> None:
    """``text_error`` as a ValidationError, for forms and services."""
    if error := text_error(value, max_length=max_length):
        raise ValidationError(error, code="unstorable")


def usable_text(value: str | None, *, max_length: int = ID_MAX_LENGTH) -> str | None:
    """A raw value (query string, URL part) that may be looked up, or None for one that
    names nothing: empty, with a NUL byte, or longer than any id of ours."""
    if not value or text_error(value, max_length=max_length):
        return None
    return value
