from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.forms import AuditFilterForm
from accounts.models import MANAGER_ROLES
from core import dashboard, selectors
from core.access import visible_organisation_ids, visible_organisations

logger = logging.getLogger(__name__)


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    from django.shortcuts import redirect
    from django.urls import NoReverseMatch, reverse

    from core.access import memberships_of
    from partners.selectors import partner_for_user

    if not memberships_of(request.user) and partner_for_user(request.user) is not None:
        # A lay partner's home page is their own area.
        try:
            return redirect(reverse("partners:home"))
        except NoReverseMatch:
            pass
    return render(request, "core/dashboard.html", {"sections": dashboard.sections_for(request.user)})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not visible_organisation_ids(request.user, roles=MANAGER_ROLES):
        raise PermissionDenied("Only involvement leads and network admins can read the audit log.")
    form = AuditFilterForm(request.GET or None, organisations=visible_organisations(request.user, roles=MANAGER_ROLES))
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_entries_for_user(
        user=request.user,
        action=filters.get("action") or "",
        organisation_id=filters["organisation"].pk if filters.get("organisation") else None,
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_log.html", {"form": form, "page_obj": page, "query": query.urlencode()})


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


def _check_redis() -> str:
    import redis
    from django.conf import settings

    url = settings.REDIS_URL.replace("redis+socket://", "unix://")
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and compose: 200 when the database and Redis both answer."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means "down"
        logger.warning("healthz: database did not answer", exc_info=True)
        checks["database"] = "unavailable"
    try:
        checks["redis"] = _check_redis()
    except Exception:  # noqa: BLE001
        logger.warning("healthz: redis did not answer")
        checks["redis"] = "unavailable"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    from core.models import Notification

    notifications = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "core/notification_list.html", {"page_obj": page})


@login_required
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from django.shortcuts import get_object_or_404
    from django.utils import timezone

    from core.models import Notification

    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "core/notification_detail.html", {"notification": notification})
