"""Delivery Hub settings: one module, read from the environment.

The embedded default (no environment at all) is SQLite in var/, Celery tasks run eagerly and
email goes to the console. Production is switched on by environment alone: DJANGO_DEBUG=0,
DJANGO_SECRET_KEY, DATABASE_URL (PostgreSQL) and REDIS_URL (Celery broker and cache).
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_flag(name: str, *, default: bool) -> bool:
    """A strict boolean: anything but 1/0, true/false, yes/no, on/off stops start-up."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (true/false, yes/no, on/off); got {raw!r}.")


def env_int(name: str, *, default: int) -> int:
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None


def env_url(name: str, *, schemes: tuple[str, ...], default: str = "") -> str:
    raw = env.str(name, default=default).strip()
    if raw and raw.split("://", 1)[0] not in schemes:
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}; "
            f"got {raw!r}."
        )
    return raw


DEBUG = env_flag("DJANGO_DEBUG", default=True)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off: refusing to start."
        )
    SECRET_KEY = "insecure-embedded-default-key-for-local-use-only"  # noqa: S105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
if DEBUG:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "template_partials",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "django_celery_beat",
    "accounts",
    "portfolio",
    "governance",
    "benefits",
    "dashboard",
    "api",
    "reports",
    "onboarding",
    "notifications",
    "devdata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.HtmxVaryMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.navigation",
                "dashboard.context_processors.inbox",
            ],
            "builtins": [
                "django.templatetags.static",
                "template_partials.templatetags.partials",
                "core.templatetags.breadcrumbs",
                "core.templatetags.pages",
            ],
        },
    }
]
FORM_RENDERER = "config.forms.GovUKFormRenderer"

# --- Data -----------------------------------------------------------------------------------
DATABASE_URL = env_url(
    "DATABASE_URL",
    schemes=("sqlite", "postgres", "postgresql"),
    default=f"sqlite:///{VAR_DIR / 'deliveryhub.sqlite3'}",
)
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
    # No JIT compilation: every query here is a short one a person waits for, and compiling
    # one costs more than it saves (make bench: the dashboard's bounded count of "Ratings to
    # challenge" took 65-113 ms with JIT at 5,000 programmes, 2-8 ms without).
    _options = DATABASES["default"]["OPTIONS"]
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_flag("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# A task's message is acknowledged only once the task has finished (acks_late), so a worker that
# dies mid-task leaves it on Redis, unacknowledged. If a pool process dies (the OOM killer, a
# SIGKILL) the worker puts its message back on the queue at once (reject_on_worker_lost) and runs
# it again. Both tasks are safe to run twice: the roll-up writes its snapshot in one transaction
# and is idempotent; a report version is marked generated in one transaction, once.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every task is stopped after CELERY_TASK_TIME_LIMIT seconds (the soft limit before it raises
# SoftTimeLimitExceeded inside the task, so a document build is marked failed with the reason;
# the hard limit kills the pool process). A big document at 5,000 programmes takes well under
# the soft limit in a worker (make bench measures it).
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", default=480)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 30
# If the whole worker dies, nobody is left to put the message back: Redis hands it out again once
# it has been unacknowledged for visibility_timeout seconds, at the next restore sweep of a
# running worker (one at start-up, then about every 100 s). Kombu's default is an hour; ten minutes
# is above the hard time limit (derived from it if CELERY_TASK_SOFT_TIME_LIMIT is raised), so a
# task still running is never handed out twice, and a report does not sit "generating" for an
# hour after a crash. A redelivered build finds its document's state (reports/background.py).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": max(
        env_int("CELERY_VISIBILITY_TIMEOUT", default=600), CELERY_TASK_TIME_LIMIT + 60
    ),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict = {
    # The benefits and MTFP roll-up, nightly at 02:30 London time (CELERY_TIMEZONE): a full run
    # that first asserts the incremental state equals it (benefits.rollup.rollup_nightly).
    "benefits-rollup-nightly": {
        "task": "benefits.rollup_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    # The notifications outbox: retries whose backoff has passed, and rows whose task was lost.
    "notifications-sweep": {"task": "notifications.sweep", "schedule": 60.0},
    # Reminders (actions due in 3 days or overdue, risk reviews due or overdue) at 07:00, then
    # the daily digests (weekly on Mondays) at 07:30. Both are idempotent for the day.
    "governance-reminders-daily": {
        "task": "governance.reminder_run",
        "schedule": crontab(hour=7, minute=0),
    },
    # The risk counts the database keeps (governance.models.RiskTally) against a recount.
    "governance-tally-check-nightly": {
        "task": "governance.tally_check",
        "schedule": crontab(hour=2, minute=45),
    },
    "notifications-digests-daily": {
        "task": "notifications.digests",
        "schedule": crontab(hour=7, minute=30),
    },
}
# A burst of edits within this many seconds runs the roll-up once (benefits.services).
ROLLUP_COALESCE_SECONDS = env.int("ROLLUP_COALESCE_SECONDS", default=5)
CELERY_TIMEZONE = "Europe/London"

# --- Big documents (issue 22) ------------------------------------------------------------------
# A per-programme table of the quarterly report or a board pack prints at most this many rows in
# the PDF; every row is in the workbook appendix (the report's XLSX, the pack's workbook), and the
# pack's page shows as many with a link to the whole list. The PMO sees the number on those pages.
BIG_DOCUMENT_PDF_ROWS = env_int("BIG_DOCUMENT_PDF_ROWS", default=100)

# --- Assurance ---------------------------------------------------------------------------------
# An Amber/Red or Red delivery confidence schedules a follow-up review this many months later.
CONFIDENCE_FOLLOW_UP_MONTHS = env_int("CONFIDENCE_FOLLOW_UP_MONTHS", default=3)
# A gate review awaiting decision for longer than this is overdue ("Ratings to challenge").
GATE_REVIEW_OVERDUE_DAYS = env_int("GATE_REVIEW_OVERDUE_DAYS", default=28)
# Forecast benefits more than this many per cent below plan contradict a Green rating.
BENEFITS_SHORTFALL_PERCENT = env_int("BENEFITS_SHORTFALL_PERCENT", default=10)

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Local passwords (the embedded default, break-glass accounts). LOCAL_SIGN_IN=0 switches them
# off everywhere (the sign-in page and the admin): then only single sign-on signs anyone in.
LOCAL_SIGN_IN = env_flag("LOCAL_SIGN_IN", default=True)

# Single sign-on with OpenID Connect (accounts/oidc.py, README "Single sign-on"): off while
# OIDC_ISSUER is unset. The endpoints come from the issuer's discovery document.
OIDC_ISSUER = env_url("OIDC_ISSUER", schemes=("https", "http")).rstrip("/")
if OIDC_ISSUER.startswith("http://") and OIDC_ISSUER.split("/")[2].split(":")[0] not in (
    "127.0.0.1",
    "localhost",
    "[::1]",
):
    raise ImproperlyConfigured(f"OIDC_ISSUER must be an https:// URL; got {OIDC_ISSUER!r}.")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
if OIDC_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured("OIDC_ISSUER is set: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be.")
if not LOCAL_SIGN_IN and not OIDC_ISSUER:
    raise ImproperlyConfigured("LOCAL_SIGN_IN=0 needs OIDC_ISSUER: nobody could sign in.")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your council account")
OIDC_SUBJECT_CLAIM = env.str("OIDC_SUBJECT_CLAIM", default="sub")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", default=5)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
OIDC_STORE_ACCESS_TOKEN = False
OIDC_STORE_ID_TOKEN = False

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    *(["accounts.backends.LocalSignInBackend"] if LOCAL_SIGN_IN else []),
    "accounts.oidc.CouncilOIDCBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Locale -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="delivery-hub@localhost")
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_flag("DJANGO_EMAIL_USE_TLS", default=False)
# Seconds an outbox delivery waits for the mail server before recording a failure to retry.
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", default=10)
# Links in emails and Teams cards are absolute: the address people reach Delivery Hub at.
SITE_URL = env.str("DJANGO_SITE_URL", default="http://localhost:8000")
# Teams webhooks must be https on a public address. Tests (and only tests) set this to post to a
# receiver on loopback.
NOTIFICATIONS_ALLOW_LOOPBACK_WEBHOOKS = env_flag(
    "NOTIFICATIONS_ALLOW_LOOPBACK_WEBHOOKS", default=False
)

# --- Security ---------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10
# How many proxies in front of the app append to X-Forwarded-For. 0 (default): the client is
# REMOTE_ADDR. Behind one TLS proxy set 1, or sign-in throttling by address sees only the proxy.
TRUSTED_PROXIES = env_int("DJANGO_TRUSTED_PROXIES", default=0)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
