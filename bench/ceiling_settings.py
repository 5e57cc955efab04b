"""Settings of the ceiling bench/load.py measures against: the project's settings, the same
database, with one trivial view as the whole URLconf (``bench.ceiling_urls``). Never the
product's settings. Named ``bench.ceiling_settings`` from the project's root, where
gunicorn runs: putting ``bench/`` itself on the path would let its scripts ``console.py``
and ``intake.py`` stand in for the apps of those names.

``BENCH_CEILING_MIDDLEWARE`` picks the middleware: ``default`` is the list
``django-admin startproject`` writes for Django 5.2, what any Django site pays before its
views do anything; ``project`` is the project's own ``MIDDLEWARE``, so the gap between the
two is what the project's middleware costs a request. With ``default`` the installed apps
are startproject's too: ``allauth.account`` refuses to start without its middleware, and
the project's apps lean on allauth. The trivial view uses none of them.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from practice.settings import *  # noqa: F403
from practice.settings import INSTALLED_APPS as PROJECT_APPS
from practice.settings import MIDDLEWARE as PROJECT_MIDDLEWARE

DJANGO_DEFAULT_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
DJANGO_DEFAULT_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
VARIANTS = {
    "default": (DJANGO_DEFAULT_APPS, DJANGO_DEFAULT_MIDDLEWARE),
    "project": (PROJECT_APPS, PROJECT_MIDDLEWARE),
}

_variant = os.environ.get("BENCH_CEILING_MIDDLEWARE", "")
if _variant not in VARIANTS:
    raise ImproperlyConfigured(
        f"BENCH_CEILING_MIDDLEWARE must be one of {', '.join(VARIANTS)}, not {_variant!r}"
    )
INSTALLED_APPS, MIDDLEWARE = VARIANTS[_variant]
ROOT_URLCONF = "bench.ceiling_urls"
