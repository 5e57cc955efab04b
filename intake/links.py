"""The private link of an assignment: its random token, the only key to the answers."""

import hmac

from django.conf import settings
from django.urls import reverse

from intake.models import Assignment
from practice.validators import usable_text


def fill_path(assignment: Assignment) -> str:
    return reverse("intake:start", kwargs={"token": assignment.token})


def fill_url(assignment: Assignment) -> str:
    return settings.SITE_URL + fill_path(assignment)


def assignment_by_token(token: str) -> Assignment | None:
    """The assignment whose token this is, or None.

    The lookup is an indexed equality on 256 random bits, so its timing tells nothing
    useful; the constant-time comparison after it keeps the check itself honest.
    """
    if usable_text(token, max_length=64) is None:
        return None
    assignment = (
        Assignment.objects.select_related("booking__offering", "booking__practitioner")
        .filter(token=token)
        .first()
    )
    if assignment is None or not hmac.compare_digest(assignment.token, token):
        return None
    return assignment
