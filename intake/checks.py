"""Start-up checks: no intake without working encryption keys."""

import binascii

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, register

from practice.crypto import NO_KEYS


@register(Tags.security)
def check_encryption_keys(app_configs=None, **kwargs) -> list[Error]:
    """intake.E001 without keys, intake.E002 for a key Fernet cannot use.

    Registered as an ordinary check (not deploy-only), so ``runserver``, ``migrate`` and
    ``check`` refuse to start anywhere without keys. It does not look at DEBUG: a DEBUG
    server gets its key from ``var/intake-dev.key`` (made by ``make run``) in settings.
    pytest does not run system checks; the intake tests set a key for themselves.
    """
    keys = getattr(settings, "INTAKE_ENCRYPTION_KEYS", None) or []
    if not keys:
        return [
            Error(
                NO_KEYS,
                hint="For development, `make run` creates var/intake-dev.key.",
                id="intake.E001",
            )
        ]
    errors = []
    for index, key in enumerate(keys):
        try:
            Fernet(key)
        except (ValueError, TypeError, binascii.Error):
            errors.append(
                Error(
                    f"INTAKE_ENCRYPTION_KEYS[{index}] is not a Fernet key "
                    "(32 url-safe base64-encoded bytes).",
                    id="intake.E002",
                )
            )
    return errors
