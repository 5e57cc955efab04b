"""The production settings, with jobs run inline and a fast password hasher for tests."""

import os
import tempfile
from pathlib import Path

from practice.settings import *  # noqa: F403
from practice.settings import DATABASES

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so that threads (races, the live server) share one database;
    # one per process, so that parallel runs never meet.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"practice-test-{os.getpid()}.sqlite3")
    }

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "http://testserver"
