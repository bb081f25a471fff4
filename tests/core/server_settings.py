"""Production settings, served over plain http on 127.0.0.1: for tests that start real servers.

Only what plain http needs changes (cookies not Secure, no redirect to https), plus the test
suite's fast password hasher (the test users' passwords are hashed with it) and static files
served from the app folders (no collectstatic). The cache, the database pool and the broker are
production's, configured from the environment the test gives the server.
"""

from ahsn_portal.settings.production import *  # noqa: F403
from ahsn_portal.settings.production import STORAGES, env

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A test that counts what several processes send gives them one folder to write emails to.
EMAIL_BACKEND = env("TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default="")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
