"""How an admin action applies a service to each selected row."""

from collections.abc import Callable, Iterable

from django.contrib import admin, messages
from django.http import HttpRequest

from practice.errors import UserFacingError


def apply_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    items: Iterable,
    action: Callable,
    done: str,
) -> None:
    """Run ``action`` on each item; a rule's refusal is shown for that item and the others
    go on; then how many succeeded ("3 booking(s) marked as attended.")."""
    changed = 0
    for item in items:
        try:
            action(item)
        except UserFacingError as error:
            modeladmin.message_user(request, f"{item}: {error.message}", messages.WARNING)
        else:
            changed += 1
    if changed:
        modeladmin.message_user(request, f"{changed} {done}.", messages.SUCCESS)
