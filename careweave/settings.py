"""Django settings for Careweave.

Configuration comes from the environment so that the same code runs on a laptop (embedded
SQLite under ``var/``) and in production (``DATABASE_URL`` pointing at PostgreSQL).
No secret is stored in the repository: the secret key is read from ``CAREWEAVE_SECRET_KEY``
or generated once into ``var/secret_key``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from careweave.documents.storage_settings import documents_storage

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("CAREWEAVE_VAR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = os.environ.get("CAREWEAVE_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("CAREWEAVE_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("CAREWEAVE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "careweave.jobs",
    "careweave.territory",
    "careweave.people",
    "careweave.careplans",
    "careweave.access",
    "careweave.records",
    "careweave.fhir",
    "careweave.assessments",
    "careweave.programmes",
    "careweave.consultations",
    "careweave.financing",
    "careweave.maturity",
    "careweave.documents",
    "careweave.scheduling",
    "careweave.population",
    "careweave.notifications",
    "careweave.web",
]

# Background work (decision 0024): a database queue the ``careweave worker`` process runs, on SQLite and
# PostgreSQL alike. ``CAREWEAVE_TASKS=immediate`` runs each job inline at enqueue time (the test suite's
# default, see tests/conftest.py; a test that wants the real queue switches back with ``settings``).
# Two queues: "default" (notifications, mail, push, rest-hooks: out within a minute) and "long" (bulk exports,
# the population pipeline), each with its own worker process, so a long export never holds up a notification.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if os.environ.get("CAREWEAVE_TASKS") == "immediate" else "django_tasks_db.DatabaseBackend",
        "QUEUES": [],  # any queue name (``default``, ``long``)
    }
}

# FHIR Subscriptions (decision 0033): rest-hook endpoints must be https, except on this machine, unless allowed.
FHIR_SUBSCRIPTION_ALLOW_HTTP = os.environ.get("CAREWEAVE_SUBSCRIPTION_ALLOW_HTTP", "0") == "1"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "careweave.access.audit.AuditContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "careweave.web.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "careweave.access.middleware.RememberDecisionsMiddleware",
    "careweave.access.two_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "careweave.web.middleware.ContentSecurityPolicyMiddleware",
    "careweave.web.middleware.NoStoreMiddleware",
    "careweave.web.middleware.StrictTransportSecurityMiddleware",
    # after the others, so that only the view runs in its transaction: a form is saved once (web.once)
    "careweave.web.once.OnceMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "careweave.urls"
WSGI_APPLICATION = "careweave.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'careweave.sqlite3'}",
        conn_max_age=int(os.environ.get("CAREWEAVE_CONN_MAX_AGE", "60")),
        # A kept connection is checked before each request reuses it, so a restarted database costs
        # a reconnect instead of one failed request per server thread.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import writes; a busy timeout avoids spurious
    # "database is locked" errors when two requests write at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Strongest hasher first (Argon2id); the others only to verify legacy hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule for passwords: Django calls it after every password change, and it revokes the API tokens.
    {"NAME": "careweave.access.receivers.RevokeApiTokensOnPasswordChange"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Brute-force protection (careweave.access.login_throttle): failures are counted per pair of user name
# AND client address, never per user name alone (a stranger could lock out any named professional) nor
# per address alone (a care home or hospital shares one public address). After LOGIN_FAILURE_LIMIT
# failures the pair waits LOGIN_DELAY_BASE; each further failure doubles the wait, up to LOGIN_DELAY_CAP.
# Axes forgets a pair's failures AXES_COOLOFF_TIME after its last one (keep it above the cap).
LOGIN_FAILURE_LIMIT = int(os.environ.get("CAREWEAVE_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_DELAY_BASE = timedelta(seconds=int(os.environ.get("CAREWEAVE_LOGIN_DELAY_SECONDS", "60")))
LOGIN_DELAY_CAP = timedelta(seconds=int(os.environ.get("CAREWEAVE_LOGIN_DELAY_CAP_SECONDS", str(60 * 60))))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "careweave.access.login_throttle.failure_limit"
AXES_COOLOFF_TIME = timedelta(hours=24)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "careweave.web.views.security.locked_out"
AXES_VERBOSE = False
# Behind a reverse proxy every request comes from the proxy: with CAREWEAVE_PROXY_COUNT=1 (one proxy in front)
# the client address of the lock-out is read from X-Forwarded-For, so one user's failures never delay another.
PROXY_COUNT = int(os.environ.get("CAREWEAVE_PROXY_COUNT", "0") or 0)
AXES_CLIENT_IP_CALLABLE = "careweave.access.login_throttle.client_address"
# FHIR API bearer tokens expire after this many days unless a shorter or longer life is asked for
# (``careweave token USER --days N``, the "My API tokens" page), never more than API_TOKEN_MAX_DAYS.
API_TOKEN_DAYS = int(os.environ.get("CAREWEAVE_API_TOKEN_DAYS", "90"))
API_TOKEN_MAX_DAYS = int(os.environ.get("CAREWEAVE_API_TOKEN_MAX_DAYS", "366"))
# The FHIR base URL is ``/fhir/R4`` without a trailing slash (POST of a transaction Bundle goes
# there), so its routes start with "/" by design.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "urls.W002"]
# The FHIR endpoints read request bodies up to this size (real Synthea bundles reach several MB);
# DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MiB) still guards the rest of the site. See docs/fhir.md.
FHIR_MAX_BODY_BYTES = 20 * 1024 * 1024

# Optional second factor (TOTP): the issuer name shown in authenticator apps.
OTP_TOTP_ISSUER = "Careweave"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if os.environ.get("CAREWEAVE_HTTPS", "0") == "1":
    # Served behind a TLS proxy (decision 0005): Django itself sees plain HTTP, so Django's
    # SecurityMiddleware would never send HSTS; careweave.web.middleware.StrictTransportSecurityMiddleware
    # does, on every response. No SECURE_SSL_REDIRECT: the proxy redirects http to https, and Django,
    # seeing only plain HTTP from the proxy, would redirect forever.
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60  # one year
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

LANGUAGE_CODE = "nl"
LANGUAGES = [
    ("nl", _("Dutch")),
    ("fr", _("French")),
    ("de", _("German")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates as read in Belgium (day month year, 24 h), not Django's American defaults.
FORMAT_MODULE_PATH = ["careweave.formats"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# Documents in the plan (decision 0031): local files under var/documents, or an S3-compatible store when
# CAREWEAVE_DOCUMENTS_S3_BUCKET is set (README, "Documents"). Never served from a public URL.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(VAR_DIR / "media"), "base_url": None}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": documents_storage(os.environ, VAR_DIR),
}
DOCUMENT_MAX_BYTES = int(os.environ.get("CAREWEAVE_DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CAREWEAVE_LOG_LEVEL", "WARNING")},
}

# The demo (``careweave demo``) lists its accounts on the login page; never set in production.
CAREWEAVE_DEMO = os.environ.get("CAREWEAVE_DEMO") == "1"

# Population analytics
POPULATION_DATA_DIR = Path(os.environ.get("CAREWEAVE_POPULATION_DIR", VAR_DIR / "population"))
# FHIR Bulk Data $export (decision 0026): the ndjson files, written through Django's storage API, kept this long.
EXPORT_ROOT = Path(os.environ.get("CAREWEAVE_EXPORT_ROOT", VAR_DIR / "exports"))
EXPORT_KEEP_HOURS = int(os.environ.get("CAREWEAVE_EXPORT_KEEP_HOURS", "24"))
SMALL_CELL_K = int(os.environ.get("CAREWEAVE_SMALL_CELL_K", "5"))

# E-mail (maturity reminders, C13-R11). By default mails are written as files under var/mail, so a
# laptop or the demo never tries to reach an SMTP server; production sets the SMTP backend. Tests
# use Django's locmem backend (``mail.outbox``) whatever is set here.
EMAIL_BACKEND = os.environ.get("CAREWEAVE_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("CAREWEAVE_EMAIL_FROM", "Careweave <no-reply@careweave.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("CAREWEAVE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CAREWEAVE_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("CAREWEAVE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CAREWEAVE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("CAREWEAVE_EMAIL_USE_TLS", "1") == "1"
# An unreachable mail server fails the reminder after this many seconds instead of hanging the page.
EMAIL_TIMEOUT = int(os.environ.get("CAREWEAVE_EMAIL_TIMEOUT", "10"))

# Notifications (decision 0030): links in e-mails point here; web push signs with this VAPID key (a PEM
# file or the key itself; ``careweave manage vapid_keys`` makes a pair). Without a key, push is not offered.
# How often the menu's unread count asks the server (htmx polling, seconds).
CAREWEAVE_INBOX_POLL_SECONDS = int(os.environ.get("CAREWEAVE_INBOX_POLL_SECONDS", "20"))
CAREWEAVE_BASE_URL = os.environ.get("CAREWEAVE_BASE_URL", "http://127.0.0.1:8000")
CAREWEAVE_VAPID_PRIVATE_KEY = os.environ.get("CAREWEAVE_VAPID_PRIVATE_KEY", "")
CAREWEAVE_VAPID_PUBLIC_KEY = os.environ.get("CAREWEAVE_VAPID_PUBLIC_KEY", "")
CAREWEAVE_VAPID_SUBJECT = os.environ.get("CAREWEAVE_VAPID_SUBJECT", "mailto:admin@careweave.invalid")
