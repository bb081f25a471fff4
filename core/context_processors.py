"""Template context every page needs: the service name and navigation for the user's roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from core.models import Notification
from core.navigation import nav_entries_for


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def portal(request: HttpRequest) -> dict[str, Any]:
    """Every entry's URL name must exist: a renamed URL raises NoReverseMatch, so a test fails."""
    items: list[NavItem] = []
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        for label, url_name in nav_entries_for(user):
            url = reverse(url_name)
            active = request.path == url if url == "/" else request.path.startswith(url)
            items.append(NavItem(label=label, url=url, active=active))
        unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {"service_name": settings.SERVICE_NAME, "nav_items": items, "unread_notifications": unread}
