from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps

# Connects the Celery signals that carry the request id into tasks (core/request_id.py).
from core import request_id  # noqa: F401


class CoreConfig(AppConfig):
    default = True
    name = "core"
    verbose_name = "Portal core"


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site (core.admin_site), open to network admins."""

    default = False  # `core` in INSTALLED_APPS means CoreConfig
    default_site = "core.admin_site.PortalAdminSite"
