"""Settings, all read from the environment (12-factor) with safe development defaults.

Only this module reads the environment; application code reads ``django.conf.settings``.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from practice import email_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

# A development-only fallback: `manage.py check --deploy` flags it (django-insecure- prefix).
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-development-only-key-not-for-use"

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Where "Leave this page" on the intake pages goes: a neutral page, the same for everyone.
QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "https://www.bbc.com/weather")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL)
API_ALLOWED_ORIGINS = env_list("API_ALLOWED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "practice",
    "booking",
    "booking.payments",
    "intake",
    "console",
]

MIDDLEWARE = [
    "practice.middleware.UnstorableTextMiddleware",  # a NUL byte in path or cookie: 404
    "django.middleware.security.SecurityMiddleware",
    "practice.middleware.ApiReadsMiddleware",  # anonymous API reads: straight to the view
    "practice.headers.ContentSecurityPolicyMiddleware",
    "practice.headers.PrivatePagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "practice.middleware.PracticeTimezoneMiddleware",  # staff see the practice's zone
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "practice.urls"
WSGI_APPLICATION = "practice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "practice.context_processors.practice",
                "console.frame.frame",
            ],
        },
    },
]

# SQLite by default; DATABASE_URL (postgres://...) selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Every write transaction takes the write lock at BEGIN, so a booking's check and insert
    # cannot interleave with another's (DESIGN.md: no double booking on SQLite).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

# Background jobs: the database queue (run `manage.py db_worker`). TASKS_BACKEND=immediate
# runs them inline, which the tests and a single-process demo use.
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[os.environ.get("TASKS_BACKEND", "immediate" if DEBUG else "database")]
    }
}

# Email: EMAIL_URL (or EMAIL_HOST and its companions) for SMTP, otherwise printed to the
# console (development); practice/email_config.py reads them.
_email = email_config.from_environ(os.environ)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH")
EMAIL_TIMEOUT = 20
# The effect path (booking/effects.py): a failed effect waits EFFECT_RETRY_BASE seconds,
# doubled per attempt up to an hour, and is shown to her as failed after
# EFFECT_MAX_ATTEMPTS. A worker holds a row for EFFECT_LEASE seconds, longer than one
# SMTP session can take, before another worker may take it over (tests shorten both).
EFFECT_RETRY_BASE = int(os.environ.get("EFFECT_RETRY_BASE", "30"))
EFFECT_MAX_ATTEMPTS = int(os.environ.get("EFFECT_MAX_ATTEMPTS", "12"))
EFFECT_LEASE = int(os.environ.get("EFFECT_LEASE", str(6 * EMAIL_TIMEOUT)))

# Her calendars are read from the internet (booking.calendars.fetch): within this many
# seconds and bytes, or not at all. Only public addresses are fetched, except those named
# here ("IP:PORT"): a calendar server on the practice's own network, a test's local server.
CALENDAR_FETCH_TIMEOUT = int(os.environ.get("CALENDAR_FETCH_TIMEOUT", "15"))
CALENDAR_FETCH_MAX_BYTES = int(os.environ.get("CALENDAR_FETCH_MAX_BYTES", "20000000"))
CALENDAR_FETCH_ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("CALENDAR_FETCH_ALLOWED_HOSTS", "").split(",")
    if host.strip()
]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bookings@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers; the cookie and HSTS settings follow SITE_URL's scheme.
_https = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _https else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Enforced, not report-only: nothing runs or styles a page but files from this site and the
# inline scripts the templates mark with the request's nonce (``request.csp_nonce``). No
# Stripe script is needed (Checkout is a redirect); its origin joins form-action per response
# (practice.headers), as the pay form is redirected there.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Error reports name fields and variables, never their values (practice.error_reports).
DEFAULT_EXCEPTION_REPORTER_FILTER = "practice.error_reports.PrivateExceptionReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # The stripe library logs request bodies (client emails) at DEBUG and INFO; caldav logs
    # each request and answer (her events, our bookings' titles) at DEBUG.
    "loggers": {"stripe": {"level": "WARNING"}, "caldav": {"level": "WARNING"}},
}

# Accounts (django-allauth). Email is the only identifier; the usual way in is a code sent by
# email, which also verifies the address. A password is optional (the practitioner sets one
# for the admin, and can add TOTP there: allauth.mfa). An email never seen before gets an
# account when it asks for a code (practice.forms.EmailCodeRequestForm), so a returning
# client without an account gets in the same way as everyone else.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_request_login_code"
LOGIN_REDIRECT_URL = "booking:my_bookings"
ACCOUNT_ADAPTER = "practice.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "request_login_code": "practice.forms.EmailCodeRequestForm",
    "login": "practice.forms.LoginForm",
    "signup": "practice.forms.SignupForm",
    "add_email": "practice.forms.AddEmailForm",
    "change_email": "practice.forms.ChangeEmailForm",
    "reset_password": "practice.forms.ResetPasswordForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
# Email required, password optional: without "password1" here allauth drops the password
# field from the login form too, and a password set later could never be used.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1"]
ACCOUNT_USER_DISPLAY = "practice.adapters.user_display"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_CHANGE = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60  # long enough to find the email on another device
ACCOUNT_PREVENT_ENUMERATION = True
# Nobody is told by email that an address has no account (only deactivated accounts and a
# closed signup reach that branch here).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""  # subjects show on lock screens: no practice name
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
# allauth's defaults, written out so that they are visible, with a lower per-IP ceiling on
# code requests (each may create an account). They live in the default cache below.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "request_login_code": "10/m/ip,3/m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/10s/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Which request header holds the client's address when a proxy we run sets it (e.g.
# X-Real-IP, or X-Forwarded-For: its last entry is used). Empty: REMOTE_ADDR only, since a
# client can send any header it likes. allauth's sign-in limits read the same one
# (practice.adapters).
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
# Booking limits (practice.ratelimits), in allauth's notation, per client address and per email
# address. Someone booking for themselves and a partner, or fixing a typo, stays far below.
BOOKING_RATE_LIMITS = {
    "book": {
        "ip": os.environ.get("BOOKING_LIMITS_PER_IP", "10/h,30/d"),
        "email": os.environ.get("BOOKING_LIMITS_PER_EMAIL", "5/h,10/d"),
    },
    "reschedule": {"ip": "20/h", "email": "10/h"},
}
# Past this many free bookings from one network (IPv4 /24, IPv6 /64), a new free call is
# held until the client confirms it from an email, for FREE_CALL_CONFIRM_MINUTES.
FREE_CALLS_PER_NETWORK = os.environ.get("FREE_CALLS_PER_NETWORK", "3/d")
FREE_CALL_CONFIRM_MINUTES = 30
# Free calls one network may have waiting for their email confirmation at once (within
# FREE_CALL_CONFIRM_MINUTES); past it, a new one waits until those are confirmed or lapse.
UNCONFIRMED_PER_NETWORK = int(os.environ.get("UNCONFIRMED_PER_NETWORK", "2"))
# Unconfirmed bookings (free calls awaiting their email confirmation, unpaid holds) one
# address may have at once.
MAX_UNCONFIRMED_PER_ADDRESS = 3

MFA_ADAPTER = "practice.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# Passkeys need a secure origin; the development server on http://127.0.0.1 is allowed too.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# The API trusts the session for "who may book" (booking.api.booking_refusal); a Lax cookie
# is never sent with a cross-site POST, which keeps that safe together with the JSON-only
# bodies described in booking/api.py.
SESSION_COOKIE_SAMESITE = "Lax"

# A cache every process shares: allauth's rate limits and code attempts live here. The
# database by default (`manage.py createcachetable`); REDIS_URL switches to Redis.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            # Culling drops rate-limit history, so keep room for many keys.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# Payments (Stripe). Without STRIPE_SECRET_KEY a DEBUG server uses the local stand-in that
# plays Stripe's part (booking/payments/standin.py); it is never active with DEBUG off.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")  # tests point it at the stand-in

# Intake answers are encrypted at rest with these Fernet keys (comma-separated; the first
# encrypts, all decrypt: rotate with `manage.py rotate_intake_keys`). Without any, a DEBUG
# server uses the key `make run` writes to var/intake-dev.key (git-ignored); anywhere else
# the system check intake.E001 refuses to start.
INTAKE_ENCRYPTION_KEYS = env_list("INTAKE_ENCRYPTION_KEYS")
_INTAKE_DEV_KEY_FILE = BASE_DIR / "var" / "intake-dev.key"
if not INTAKE_ENCRYPTION_KEYS and DEBUG and _INTAKE_DEV_KEY_FILE.exists():
    INTAKE_ENCRYPTION_KEYS = [_INTAKE_DEV_KEY_FILE.read_text().strip()]
