"""Production settings: every secret comes from the environment; start-up fails without them."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    DB_CONNECT_TIMEOUT,
    DB_SESSION_OPTIONS,
    REDIS_CACHE_DB,
    database_pool,
    env,
    redis_cache_url,
    shared_cache,
)

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["ENGINE"] = "core.postgresql"  # Django's, with a pool that recovers from a restart
DATABASES["default"]["OPTIONS"] = {
    "pool": database_pool(min_size=2),
    "connect_timeout": DB_CONNECT_TIMEOUT,
    "options": DB_SESSION_OPTIONS,  # jit off: see base.py
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # the pool checks each connection it hands out (base.py)
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CACHES = {"default": shared_cache(env("REDIS_CACHE_URL", default=None) or redis_cache_url(REDIS_URL, REDIS_CACHE_DB))}
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
