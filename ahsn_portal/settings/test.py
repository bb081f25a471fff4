"""Settings for the test suite: a real PostgreSQL (DATABASE_URL), fast hashing, in-memory email."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import env, private_storage_settings

SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The tests use their own Redis database number so they never share state with `make run`.
REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/13")
CELERY_BROKER_URL = REDIS_URL
# Each test process keeps its own cache, so runs never share lock-outs or used codes. The tests of
# the shared Redis cache (tests/accounts/test_shared_cache.py) start servers with the real one.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DEMO_DATA_ALLOWED = True
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Each test points this at the object store (tests/conftest.py: the bucket TEST_STORAGE_URL names,
# or SeaweedFS started by the suite). A process a test starts with these settings gets STORAGE_URL
# from it; without one, a folder of the process's own.
STORAGES["private"] = private_storage_settings(  # noqa: F405
    env("STORAGE_URL", default=""), os.path.join(tempfile.gettempdir(), f"ahsn-portal-test-private-{os.getpid()}")
)
# Connection pooling does not mix with the test runner's transactions per test.
DATABASES["default"]["OPTIONS"].pop("pool", None)  # noqa: F405
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="ahsn_portal_test")}  # noqa: F405
ACCOUNT_RATE_LIMITS = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Serve static files straight from the app folders (no collectstatic needed here).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(exist_ok=True)  # noqa: F405 - keeps whitenoise quiet before collectstatic
