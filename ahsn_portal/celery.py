"""The Celery application: Redis broker from REDIS_URL, schedules stored in the database."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ahsn_portal.settings.local")

app = Celery("ahsn_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
