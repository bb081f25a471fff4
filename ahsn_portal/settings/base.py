"""Settings shared by every environment. Values come from the environment (django-environ)."""

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=[])
SITE_URL = env("SITE_URL", default="http://localhost:8000")
SERVICE_NAME = "AHSN Involvement Portal"
# `manage.py seed_demo` creates accounts with a published password: only local and test settings allow it.
DEMO_DATA_ALLOWED = False

INSTALLED_APPS = [
    "core.apps.PortalAdminConfig",  # the Django admin, opened to network admins for reminders
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "django_celery_beat",
    "core",
    "accounts",
    "partners",
    "programmes",
    "involvement",
    "forum",
    "payments",
    "reports",
    "imports",
    "evidence",
    "opportunities",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",  # first: every later log line of the request carries the id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.RequireMfaForPrivilegedRolesMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "ahsn_portal.urls"
WSGI_APPLICATION = "ahsn_portal.wsgi.application"
ASGI_APPLICATION = "ahsn_portal.asgi.application"

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
                "core.context_processors.portal",
            ],
        },
    },
]

# Django's form templates, with <select> and <input> written in Python: a select's options each
# include two templates, which made a list page's cost grow with its filter's choices.
FORM_RENDERER = "core.form_renderer.PortalFormRenderer"

# --- Database: PostgreSQL only, psycopg 3 with Django's connection pool -------------------
DATABASES: dict[str, dict[str, Any]] = {
    "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/ahsn_portal")
}
DATABASES["default"]["ENGINE"] = "core.postgresql"  # Django's, with a pool that recovers from a restart
DATABASES["default"].setdefault("OPTIONS", {})


def database_pool(*, min_size: int) -> dict[str, Any]:
    """psycopg's pool options: `timeout` is how long a request waits for a connection before it
    fails (psycopg's default is 30 seconds, which held /healthz and every page that long)."""
    return {
        "min_size": min_size,
        "max_size": env.int("DB_POOL_MAX", default=10),
        "timeout": env.float("DB_POOL_TIMEOUT", default=5.0),
    }


# libpq's own limit on opening a connection (seconds; 2 is its minimum).
DB_CONNECT_TIMEOUT = env.int("DB_CONNECT_TIMEOUT", default=3)
DATABASES["default"]["OPTIONS"]["pool"] = database_pool(min_size=1)
DATABASES["default"]["OPTIONS"]["connect_timeout"] = DB_CONNECT_TIMEOUT
# PostgreSQL's JIT compiles a query when its estimated cost is high; for the portal's short page
# queries that compilation alone cost 250-390 ms (a 6.6 ms query took 400 ms). Reports and pages
# are planned to use indexes, so the application's connections switch it off, by choice.
# random_page_cost: PostgreSQL's default (4) prices a random read as a spinning disk would; the
# portal's working set is in memory (or on SSD), where an index lookup costs about what a page of a
# sequential scan does. At the default the planner scanned all 163,000 feedback rows for one
# activity's 170 (29 ms, against 2 ms through the index).
DB_SESSION_OPTIONS = "-c jit=off -c random_page_cost=1.1"
DATABASES["default"]["OPTIONS"]["options"] = DB_SESSION_OPTIONS
DATABASES["default"]["CONN_MAX_AGE"] = 0
# With the pool, this is how Django gives psycopg `check=ConnectionPool.check_connection`: each
# connection is tested as it is handed out (one round trip), so the ones a database restart killed
# are thrown away and replaced instead of failing the request. (Passing `check` in the pool
# options as well is refused: Django sets it from this.)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# /healthz waits at most this long for the database, so a load balancer hears "503" quickly.
HEALTHZ_DATABASE_TIMEOUT = 1.5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    # Signs nobody in: lets network admins change reminder settings and schedules in the admin.
    "core.admin_site.NetworkAdminPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "accounts.adapters.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[AHSN Involvement Portal] "
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "signup": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "AHSN Involvement Portal"
# Accept the code from the 30-second step either side as well: phone clocks drift, and a code
# typed just as it changes should not be refused.
MFA_TOTP_TOLERANCE = 1
INVITATION_VALID_DAYS = 14

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ("nhsuk",)
CRISPY_TEMPLATE_PACK = "nhsuk"
CRISPY_FAIL_SILENTLY = False

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and private files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("nhsuk", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
]
S3_SCHEMES = {"s3": "https", "s3+https": "https", "s3+http": "http"}


def private_storage_settings(url: str, folder: Path | str) -> dict[str, Any]:
    """The STORAGES["private"] entry for STORAGE_URL `url` (empty: the folder `folder`).

    `s3://KEY:SECRET@host[:port]/bucket?region=eu-west-2` speaks https to `host`;
    `s3+http://…` plain http (a store on the same private network or 127.0.0.1, as SeaweedFS or
    MinIO in docker-compose and the tests). Without KEY:SECRET, boto3 finds credentials itself
    (an instance role, AWS_ACCESS_KEY_ID…). `?prefix=some/folder` keeps every name under it."""
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}}
    parts = urlsplit(url)
    if parts.scheme not in S3_SCHEMES:
        raise ValueError(f"STORAGE_URL must start with s3://, s3+https:// or s3+http:// (got {parts.scheme}://)")
    bucket, _, prefix_in_path = parts.path.lstrip("/").partition("/")
    if not bucket:
        raise ValueError("STORAGE_URL names no bucket: s3://host/bucket")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = parts.hostname or ""
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": query.get("prefix", prefix_in_path).strip("/"),
        "region_name": query.get("region") or None,
        "endpoint_url": f"{S3_SCHEMES[parts.scheme]}://{host}{f':{parts.port}' if parts.port else ''}"
        if host
        else None,
        "access_key": unquote(parts.username) if parts.username else None,
        "secret_key": unquote(parts.password) if parts.password else None,
        # Private: no ACL header (the bucket's own, private, applies), never a public URL.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 60,
        # Two uploads of the same name never replace each other (as on a disk: a suffix is added).
        "file_overwrite": False,
        "signature_version": "s3v4",
        "addressing_style": query.get("addressing", "path"),
        "connect_timeout": 3,
        "read_timeout": 20,
    }
    return {"BACKEND": "core.storage.ObjectStorage", "OPTIONS": options}


# Receipts, forum papers, report files…: object storage when STORAGE_URL names a bucket, the folder
# PRIVATE_MEDIA_ROOT otherwise (one machine). See core/storage.py and docs/running.md.
STORAGE_URL = env("STORAGE_URL", default="")
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private_media")
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": private_storage_settings(STORAGE_URL, PRIVATE_MEDIA_ROOT),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
# An SMTP server that stops answering fails the delivery (retried later) instead of holding a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="AHSN Involvement Portal <no-reply@involvement.ahsn.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Redis: the Celery broker and the shared cache ----------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
# The cache lives in its own database number on the same server, so flushing one leaves the other.
REDIS_CACHE_DB = env.int("REDIS_CACHE_DB", default=1)


def redis_cache_url(broker_url: str, db: int) -> str | None:
    """The address of database `db` on the Redis server that `broker_url` names, as redis-py reads it.

    `redis://host:port/0` and `rediss://…` change their path; a unix socket (Celery's
    `redis+socket:///path`, which `make run` uses, or redis-py's `unix:///path`) becomes
    `unix:///path?db=N`. Anything else (`memory://` in the benchmarks) has no Redis: None."""
    parts = urlsplit(broker_url)
    if parts.scheme in ("redis", "rediss"):
        return urlunsplit(parts._replace(path=f"/{db}"))
    if parts.scheme in ("redis+socket", "unix"):
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "db"] + [("db", str(db))]
        return f"unix://{parts.path}?{urlencode(query)}"
    return None


def shared_cache(url: str | None) -> dict[str, Any]:
    """Redis shared by every web worker, so allauth's sign-in lock-out and its record of used TOTP
    codes hold across workers. If Redis does not answer, `core.cache` falls back to the worker's own
    memory and logs a warning: sign-in keeps working, with the lock-out counted per worker."""
    if url is None:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    return {
        "BACKEND": "core.cache.FailOpenRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "ahsn",
        # Short timeouts: a Redis that does not answer must not hold up a sign-in.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }


CACHES = {"default": shared_cache(env("REDIS_CACHE_URL", default=None) or redis_cache_url(REDIS_URL, REDIS_CACHE_DB))}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers and beat log through LOGGING below (JSON lines with the request id), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # With acks_late, Redis hands a task that no worker acknowledged to another worker after this
    # long. It must be longer than the longest countdown a task waits (a delivery retry waits up
    # to 20 minutes, core.tasks) and the longest run, or a waiting retry would run twice. A task
    # lost with a killed worker is not left waiting for it: the notification row is the record,
    # and core.tasks.requeue_stale_notifications delivers it within minutes (core.delivery).
    "visibility_timeout": 60 * 60,
}
# Queuing a task when the broker is down fails fast (about half a second) rather than holding
# a request: the caller logs it and the notification row waits for the requeue.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# No session outlives a working day; the shorter idle limits are enforced by
# accounts.middleware.SessionLimitsMiddleware (see accounts/sessions.py).
SESSION_COOKIE_AGE = 12 * 60 * 60
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Logging: structured JSON lines to stdout ------------------------------------------------
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": "INFO"},
        # WeasyPrint logs every step of every PDF at INFO; its warnings still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- GOV.UK Notify (text messages and letters); without a key, staff send them by hand -------
GOVUK_NOTIFY_API_KEY = env("GOVUK_NOTIFY_API_KEY", default="")
GOVUK_NOTIFY_SMS_TEMPLATE_ID = env("GOVUK_NOTIFY_SMS_TEMPLATE_ID", default="")
GOVUK_NOTIFY_LETTER_TEMPLATE_ID = env("GOVUK_NOTIFY_LETTER_TEMPLATE_ID", default="")

# NHS.UK frontend's CSS asks for its icons at the absolute path /assets/images/…: serve its
# dist folder at the site root so those URLs resolve (whitenoise, also in production).
WHITENOISE_ROOT = BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
