"""The page benchmark (`make bench`): production settings served over plain http on 127.0.0.1.

Production makes cookies Secure and redirects to https, so a benchmark client on http would never
send its session back; only those are turned off here. Each response carries X-Query-Count."""

from .production import *  # noqa: F403
from .production import MIDDLEWARE, env

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
MIDDLEWARE = ["benchmarks.query_count.QueryCountMiddleware", *MIDDLEWARE]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(STATIC_ROOT))  # noqa: F405 - a folder per run
