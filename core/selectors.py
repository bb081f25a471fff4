"""Reads for the core app: audit log and dashboard."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.roles import MANAGER_ROLES, Role
from accounts.typing import AnyUser
from core.access import is_network_admin, memberships_of, scoped_get_or_404, visible_organisation_ids
from core.audit import actions_matching
from core.delivery import WAITING_STATUSES, cancelled_reminders
from core.models import AuditEntry, Notification


def audit_entries_for_user(
    *,
    user: AnyUser,
    action: str = "",
    organisation_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries a lead may read (their organisations) or a network admin (everything)."""
    org_ids = visible_organisation_ids(user, roles=MANAGER_ROLES)
    qs = AuditEntry.objects.select_related("actor", "organisation")
    if Role.NETWORK_ADMIN not in {m for m in _roles(user)}:
        qs = qs.filter(organisation_id__in=org_ids)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if action:
        qs = qs.filter(actions_matching(action))
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(created_at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    return qs.order_by("-created_at", "-id")


def _roles(user: AnyUser) -> set[str]:
    return {m.role for m in memberships_of(user)}


# --- Notifications ------------------------------------------------------------------------------


def notifications_for_user(*, user: AnyUser) -> QuerySet[Any]:
    """The signed-in person's own notifications, newest first (portal inbox)."""

    if not isinstance(user, User):
        return Notification.objects.none()
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def get_notification_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Any:
    """One of the person's own notifications (404 for anyone else's)."""

    return get_object_or_404(notifications_for_user(user=user), pk=pk)


def staff_notifications(*, user: AnyUser, status: str) -> QuerySet[Any]:
    """Messages in one delivery state for the organisations a lead manages (network admins: all),
    leaving out reminders whose activity or meeting has been cancelled."""

    qs = Notification.objects.filter(status=status).select_related("partner", "user", "organisation")
    if status in WAITING_STATUSES:
        # A reminder for an activity or meeting cancelled since is not to be passed on (the next
        # sweep marks it "not sent"); the same filter, no extra query.
        qs = qs.exclude(cancelled_reminders())
    if not is_network_admin(user):
        qs = qs.filter(organisation_id__in=visible_organisation_ids(user, roles=MANAGER_ROLES))
    return qs.order_by("created_at", "id")


def get_staff_notification_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Any:
    """A message on the staff pages: 404 outside the user's organisations, 403 without a lead role."""

    qs = Notification.objects.select_related("partner", "user", "organisation")
    if is_network_admin(user):
        return get_object_or_404(qs, pk=pk)
    return scoped_get_or_404(qs, user, write=write, write_roles=MANAGER_ROLES, pk=pk)
