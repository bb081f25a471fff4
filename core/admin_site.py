"""The Django admin, opened to network admins for the settings they own.

DESIGN.md: reminder times and thresholds are "editable by network admins in the admin". A network
admin (a Membership role, not Django's `is_staff`) may open the admin and view and change the
reminder thresholds and the Celery beat schedules, and nothing else; Django superusers and
`is_staff` users keep the admin as Django gives it. Network admins reach it only after setting up
their second factor, like every other page (accounts.middleware).
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.http import HttpRequest

from accounts.typing import AnyUser
from core.access import is_network_admin

NETWORK_ADMIN_PERMISSIONS = frozenset(
    {
        "core.view_remindersettings",
        "core.change_remindersettings",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        "django_celery_beat.view_crontabschedule",
        "django_celery_beat.add_crontabschedule",
        "django_celery_beat.change_crontabschedule",
        "django_celery_beat.view_intervalschedule",
        "django_celery_beat.add_intervalschedule",
    }
)
NETWORK_ADMIN_APPS = frozenset(perm.split(".", 1)[0] for perm in NETWORK_ADMIN_PERMISSIONS)


def _is_active_network_admin(user: AnyUser) -> bool:
    return bool(user is not None and user.is_active and user.is_authenticated and is_network_admin(user))


class NetworkAdminPermissionBackend:
    """An authentication backend that authenticates nobody: it only answers the admin's
    permission questions for network admins."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: int) -> None:
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in NETWORK_ADMIN_PERMISSIONS and _is_active_network_admin(user_obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return app_label in NETWORK_ADMIN_APPS and _is_active_network_admin(user_obj)


class PortalAdminSite(AdminSite):
    site_header = "AHSN Involvement Portal administration"
    site_title = "AHSN Involvement Portal admin"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) or _is_active_network_admin(request.user)
