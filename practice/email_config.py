"""Email settings from one ``EMAIL_URL`` (what most hosts hand out), or the older variables.

``smtp://user:pass@host:port`` is plain SMTP (port 25), ``smtp+tls://`` upgrades with
STARTTLS (587), ``smtps://`` speaks TLS from the start (465); user and password are
url-decoded, so a password may hold ``@`` or ``/`` written as ``%40`` or ``%2F``.
``console://`` prints every email, ``file:///path`` writes each to a file in ``/path``.
Without ``EMAIL_URL``, ``EMAIL_HOST`` and its companions still work; without either, emails
are printed, as in development.
"""

from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
FILE = "django.core.mail.backends.filebased.EmailBackend"
SMTP_SCHEMES = {
    "smtp": (25, False, False),
    "smtp+tls": (587, True, False),
    "smtps": (465, False, True),
}


def _on(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def from_url(url: str) -> dict:
    """The Django email settings an ``EMAIL_URL`` names; a ValueError says what is wrong."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": CONSOLE}
    if parts.scheme == "file":
        if not parts.path:
            raise ValueError("EMAIL_URL file:// needs a directory: file:///var/mail/practice")
        return {"EMAIL_BACKEND": FILE, "EMAIL_FILE_PATH": unquote(parts.path)}
    if parts.scheme not in SMTP_SCHEMES:
        raise ValueError(
            "EMAIL_URL must start smtp://, smtp+tls://, smtps://, console:// or file://"
        )
    if not parts.hostname:
        raise ValueError("EMAIL_URL names no host")
    default_port, use_tls, use_ssl = SMTP_SCHEMES[parts.scheme]
    return {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }


def from_environ(environ: Mapping[str, str]) -> dict:
    """``EMAIL_URL`` when set, otherwise ``EMAIL_HOST`` and its companions, otherwise print."""
    if environ.get("EMAIL_URL"):
        return from_url(environ["EMAIL_URL"])
    host = environ.get("EMAIL_HOST", "")
    return {
        "EMAIL_BACKEND": SMTP if host else CONSOLE,
        "EMAIL_HOST": host,
        "EMAIL_PORT": int(environ.get("EMAIL_PORT", "25")),
        "EMAIL_HOST_USER": environ.get("EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": environ.get("EMAIL_HOST_PASSWORD", ""),
        "EMAIL_USE_TLS": _on(environ.get("EMAIL_USE_TLS")),
        "EMAIL_USE_SSL": _on(environ.get("EMAIL_USE_SSL")),
    }
