"""Settings for every Kinga deployment; read from the environment (django-environ).

The embedded default needs nothing set: SQLite under var/, keys generated into var/ on first run.
Production sets DJANGO_SETTINGS_MODULE=kinga.settings.production and the variables in docs/deploy.md.
"""

import json
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kinga.core.processes import PER_PROCESS_CACHES, web_workers

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

VAR_DIR = Path(env.str("KINGA_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


# Production never generates keys (a new app server would otherwise encrypt under keys nobody else has):
# they come from the environment or from KINGA_KEYS_FILE, shared by every server and kept with the backups.
_PRODUCTION = os.environ.get("DJANGO_SETTINGS_MODULE") == "kinga.settings.production"
KEYS_FILE = Path(env.str("KINGA_KEYS_FILE", default=str(VAR_DIR / "secrets.json")))


def _keys_file(*, generate: bool) -> dict:
    """Secrets absent from the environment, read from (and in the embedded setup generated once into) the
    keys file: var/secrets.json by default, never committed (var/ is ignored)."""
    data = json.loads(KEYS_FILE.read_text()) if KEYS_FILE.exists() else {}
    if not generate:
        return data
    changed = False
    if "secret_key" not in data:
        data["secret_key"] = secrets.token_urlsafe(50)
        changed = True
    if "encryption_keys" not in data:
        data["encryption_keys"] = [Fernet.generate_key().decode()]
        changed = True
    if "blind_index_key" not in data:
        data["blind_index_key"] = secrets.token_urlsafe(32)
        changed = True
    if changed:
        KEYS_FILE.write_text(json.dumps(data, indent=2))
        KEYS_FILE.chmod(0o600)
    return data


_generated = _keys_file(generate=not _PRODUCTION)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=_generated.get("secret_key", ""))
# Fernet keys, newest first: the first encrypts, all decrypt (rotation: `kinga rotate-keys`).
KINGA_ENCRYPTION_KEYS = env.list("KINGA_ENCRYPTION_KEYS", default=_generated.get("encryption_keys", []))
# Key of the HMAC blind indexes (exact and phonetic search on encrypted names); its own key, never the Fernet ones.
KINGA_BLIND_INDEX_KEY = env.str("KINGA_BLIND_INDEX_KEY", default=_generated.get("blind_index_key", ""))

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

KINGA_APPS = [
    "kinga.core",
    "kinga.plan",
    "kinga.cases",
    "kinga.registry",
    "kinga.community",
    "kinga.sites",
    "kinga.households",
    "kinga.supply",
    "kinga.fund",
    "kinga.governance",
    "kinga.monitoring",
    "kinga.field",
    "kinga.messaging",
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Kinga's apps before allauth: our templates override allauth's layouts.
    *KINGA_APPS,
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "kinga.core.tables.TableLabelsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kinga.core.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kinga.core.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kinga.core.middleware.ActorMiddleware",
    "kinga.core.middleware.RequireMFAMiddleware",
    "axes.middleware.AxesMiddleware",
    "kinga.core.middleware.BadInputMiddleware",
]

ROOT_URLCONF = "kinga.urls"
WSGI_APPLICATION = "kinga.wsgi.application"

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
                "kinga.core.context_processors.kinga",
            ],
            # `day` and `choice` on every page without a {% load %} (kinga.core.templatetags.kinga).
            "builtins": ["kinga.core.templatetags.kinga"],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kinga.sqlite3'}")}
# Two PostgreSQL roles (docs/deploy.md): DATABASE_URL is the runtime role's, which serves requests and owns
# nothing; MIGRATION_DATABASE_URL the owner's. The commands that change the schema connect as the owner, and
# `migrate` then grants the runtime role (kinga.core.db_roles).
MIGRATION_DATABASE_URL = env.str("MIGRATION_DATABASE_URL", default="")
KINGA_DB_RUNTIME_ROLE = DATABASES["default"].get("USER", "") if MIGRATION_DATABASE_URL else ""
# backup and restore read and recreate every table (the audit trail included), as the owner.
OWNER_COMMANDS = frozenset({"migrate", "createcachetable", "backup", "restore"})
_COMMAND = sys.argv[1] if len(sys.argv) > 1 and Path(sys.argv[0]).name in ("kinga", "manage.py") else ""
if MIGRATION_DATABASE_URL and _COMMAND in OWNER_COMMANDS:
    DATABASES = {"default": env.db("MIGRATION_DATABASE_URL")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    # A kept connection is checked before reuse, so after a PostgreSQL restart the first request reconnects
    # instead of failing on a dead socket; a refused connection fails fast (the 503 page, kinga.core.outage).
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
    # PostgreSQL's JIT compiles a query whose estimated cost is high, which costs 40-50 ms before the first row:
    # more than whole dashboard queries take here (measured at national scale, docs/benchmarks.md). Kinga's
    # queries are short and many; the JIT pays only for long analytical scans. KINGA_PG_JIT=on restores it.
    if not env.bool("KINGA_PG_JIT", default=False):
        DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: login by e-mail, no public sign-up (accounts are created by administrators).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "kinga.core.auth.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip,10/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Kinga"
MFA_ADAPTER = "kinga.core.auth.MFAAdapter"

# django-axes: repeated failed logins lock the account out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
# allauth authenticates with email=...: without this, axes would count failures per IP only and lock out
# every colleague behind the same office connection.
AXES_USERNAME_CALLABLE = "kinga.core.auth.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
# The client's address: the connection's own, or behind KINGA_PROXY_COUNT trusted reverse proxies (production:
# 1) the one they forward (kinga.core.auth.client_address); the public alert limits count per that address too.
KINGA_PROXY_COUNT = env.int("KINGA_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "kinga.core.auth.client_address"
# API tokens live at most this many days: a token asked for longer, or with no expiry, gets this maximum.
KINGA_API_TOKEN_MAX_DAYS = env.int("KINGA_API_TOKEN_MAX_DAYS", default=90)

# Sessions expire: on browser close and after inactivity.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English")), ("sw", _("Kiswahili"))]
# Kiswahili is complete only where a community member or a focal point goes (tools/i18n.py PUBLIC): the public
# alert form, and the focal point's home page ("/" stands for the home page alone), alert form, networks,
# awareness sessions and notification choices. Elsewhere it falls back to French.
KINGA_PARTIAL_LANGUAGES = {
    "sw": (
        "/alerte/",
        "/",
        "/community/alertes/nouvelle/",
        "/community/reseaux/",
        "/community/sensibilisation/",
        "/messages/preferences/",
    )
}
FORMAT_MODULE_PATH = ["kinga.core.formats"]  # dates of the languages Django has no formats for (sw)
LOCALE_PATHS: list = []  # each app keeps its catalogue in kinga/<app>/locale
TIME_ZONE = "Africa/Lubumbashi"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "kinga.core.staticfiles.StaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600 * 24
# Source maps are for developers: compressing them (brotli at its best) would make collectstatic take minutes.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *__import__("whitenoise.compress", fromlist=["Compressor"]).Compressor.SKIP_COMPRESS_EXTENSIONS,
    "map",
]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kinga.core.token_auth.KingaTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "kinga.core.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kinga.core.api_base.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anonymous_alert": "10/hour"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kinga API",
    "DESCRIPTION": "API of Kinga, the information system of the Lualaba child-labour exit plan.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set shared by several apps or fields; without these the generator invents
    # hash-suffixed names (Status867Enum) that change whenever a choice is added.
    "ENUM_NAME_OVERRIDES": {
        "SexEnum": "kinga.core.people.Sex",
        "OccupationEnum": "kinga.households.models.Occupation",
        "DocumentCheckEnum": "kinga.sites.models.DocumentCheck",
        "ActivityStatusEnum": "kinga.plan.models.ActivityStatus",
        "ActionItemStatusEnum": "kinga.community.models.ActionItemStatus",
        "CaseStatusEnum": "kinga.cases.models.CaseStatus",
        "ReferralStatusEnum": "kinga.cases.models.ReferralStatus",
        "ClosureReasonEnum": "kinga.cases.models.ClosureReason",
        "SubmissionSourceEnum": "kinga.field.models.Source",
        "SubmissionChannelEnum": "kinga.field.models.Channel",
        "FundDecisionKindEnum": "kinga.fund.models.DecisionKind",
    },
}

# Background work (Django tasks API): immediate in the embedded setup, database + `kinga worker` in production.
TASKS = {
    "default": {
        "BACKEND": env.str("KINGA_TASK_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"),
    }
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="kinga@localhost")

# One cache shared by every process: allauth marks a used TOTP code there (a per-process cache would accept
# the same code once per gunicorn worker), and the public alert channel counts its posts there. The default is
# the database's cache table (`kinga createcachetable`, run by `make setup` and the install steps); Redis
# where deployed (CACHE_URL=rediscache://...).
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://kinga_cache")}
if CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES and web_workers() > 1:
    raise ImproperlyConfigured(
        f"CACHE_URL names a per-process cache ({CACHES['default']['BACKEND']}) and {web_workers()} workers serve "
        "the app: a TOTP code would be accepted once per worker. Use the database cache (the default) or Redis."
    )

# Domain settings.
# The province the plan is for (its p-code): the DHIS2 and HXL exports report values without a territory to it.
KINGA_PROVINCE_PCODE = env.str("KINGA_PROVINCE_PCODE", default="CD72")
KINGA_PLAN_START_DATE = env.str(
    "KINGA_PLAN_START_DATE", default="2017-07-01"
)  # assumption: not in the document
KINGA_IATI_REPORTING_ORG = env.str("KINGA_IATI_REPORTING_ORG", default="XM-DAC-KINGA-IDAK")
KINGA_MAP_TILE_URL = env.str("KINGA_MAP_TILE_URL", default="")  # empty: the map works without tiles (offline)
KINGA_MAP_TILE_ATTRIBUTION = env.str("KINGA_MAP_TILE_ATTRIBUTION", default="")
KINGA_SYSTEM_ACTOR_EMAIL = "system@kinga.invalid"
KINGA_DEMO_PASSWORD = env.str("KINGA_DEMO_PASSWORD", default="")
# The public alert form: per client address, (posts, seconds) before that client is asked to wait; and a
# province-wide ceiling beyond which alerts are still accepted but marked to be triaged after the others.
KINGA_PUBLIC_ALERT_RATE = (env.int("KINGA_PUBLIC_ALERT_LIMIT", default=5), 600)
KINGA_PUBLIC_ALERT_CEILING = (env.int("KINGA_PUBLIC_ALERT_CEILING", default=100), 3600)
# Replacing the authenticator app: (wrong codes, seconds) per person, after which every code is refused until the
# window ends (counted in the shared cache, like the public alert limit).
KINGA_MFA_REPLACE_RATE = (env.int("KINGA_MFA_REPLACE_LIMIT", default=5), 900)
# Field servers the XLSForms are published to (`kinga forms publish --to kobo|odk`); empty: not configured.
KINGA_KOBO_URL = env.str("KINGA_KOBO_URL", default="")  # e.g. https://kf.kobotoolbox.org
KINGA_KOBO_TOKEN = env.str("KINGA_KOBO_TOKEN", default="")
KINGA_ODK_URL = env.str("KINGA_ODK_URL", default="")  # e.g. https://central.example.org
KINGA_ODK_USER = env.str("KINGA_ODK_USER", default="")
KINGA_ODK_PASSWORD = env.str("KINGA_ODK_PASSWORD", default="")
KINGA_ODK_PROJECT = env.str("KINGA_ODK_PROJECT", default="")  # the project's number in Central

# Notifications (kinga.messaging, docs/guide/notifications.md). KINGA_SMS_BACKEND: `console` (development: the
# SMS is written to the log), `http` (a gateway's JSON HTTP API at KINGA_SMS_GATEWAY_URL, bearer token
# KINGA_SMS_GATEWAY_TOKEN) or `disabled`. E-mail goes through Django's mail (EMAIL_URL). KINGA_NOTIFICATION_CHANNELS
# lists the channels the deployment offers (sms, email, or both); each person then chooses among them.
KINGA_SMS_BACKEND = env.str("KINGA_SMS_BACKEND", default="console")
KINGA_SMS_GATEWAY_URL = env.str("KINGA_SMS_GATEWAY_URL", default="")
KINGA_SMS_GATEWAY_TOKEN = env.str("KINGA_SMS_GATEWAY_TOKEN", default="")
KINGA_SMS_SENDER_ID = env.str("KINGA_SMS_SENDER_ID", default="KINGA")
KINGA_NOTIFICATION_CHANNELS = env.list("KINGA_NOTIFICATION_CHANNELS", default=["sms", "email"])
# A failed message is tried again after 1, 2, 4, 8… times this delay, at most KINGA_MESSAGE_MAX_ATTEMPTS times.
KINGA_MESSAGE_MAX_ATTEMPTS = env.int("KINGA_MESSAGE_MAX_ATTEMPTS", default=5)
KINGA_MESSAGE_RETRY_SECONDS = env.int("KINGA_MESSAGE_RETRY_SECONDS", default=60)
# The token the SMS/USSD gateway (RapidPro, TextIt or a plain gateway) presents to /messages/sms/ ; empty: refused.
KINGA_SMS_INBOUND_TOKEN = env.str("KINGA_SMS_INBOUND_TOKEN", default="")
# The address of Kinga in the links that messages carry.
KINGA_BASE_URL = env.str("KINGA_BASE_URL", default="http://localhost:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "kinga.core.redaction.RedactProtectedFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
DEFAULT_EXCEPTION_REPORTER_FILTER = "kinga.core.redaction.ProtectedExceptionReporterFilter"
