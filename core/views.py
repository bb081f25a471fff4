from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import AuditFilterForm
from accounts.roles import MANAGER_ROLES
from core import dashboard, health, selectors
from core.access import is_network_admin, visible_organisation_ids, visible_organisations

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


# When the statement was written and when the pages were last tested (update both together).
ACCESSIBILITY_STATEMENT_PREPARED = date(2026, 12, 3)
ACCESSIBILITY_LAST_TESTED = date(2026, 12, 3)


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The accessibility statement; a signed-in person also sees who to contact at their AHSN."""
    from accounts.models import Membership, Organisation, Role
    from core.access import memberships_of
    from partners.models import PartnerLink
    from partners.selectors import partner_for_user

    organisation_ids = {m.organisation_id for m in memberships_of(request.user)}
    partner = partner_for_user(request.user)
    if partner is not None:
        organisation_ids |= set(
            partner.links.exclude(status=PartnerLink.Status.LEFT).values_list("organisation_id", flat=True)
        )
    leads = (
        Membership.objects.filter(
            organisation_id__in=organisation_ids,
            organisation__kind=Organisation.Kind.AHSN,
            role=Role.INVOLVEMENT_LEAD,
            user__is_active=True,
        )
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__full_name")
    )
    return render(
        request,
        "core/accessibility.html",
        {
            "leads": list(leads),
            "prepared_on": ACCESSIBILITY_STATEMENT_PREPARED,
            "last_tested_on": ACCESSIBILITY_LAST_TESTED,
        },
    )


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and compose: 200 when the database and Redis both answer."""
    checks: dict[str, str] = {}
    try:
        checks["database"] = health.check_database()
    except Exception:
        logger.warning("healthz: database did not answer", exc_info=True)
        checks["database"] = "unavailable"
    try:
        checks["redis"] = health.check_redis()
    except Exception:
        logger.warning("healthz: redis did not answer")
        checks["redis"] = "unavailable"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: database, Redis and the private file store, each within health.READY_TIMEOUT
    seconds (503 when one fails), with the work waiting for the workers as detail."""
    checks = health.run_checks()
    ready = all(check.ok for check in checks)
    detail: dict[str, Any] = {
        "status": "ok" if ready else "unavailable",
        "checks": {c.name: {"status": c.status, "milliseconds": c.milliseconds, "detail": c.detail} for c in checks},
    }
    if ready:
        detail["work"] = health.work_waiting()
    return JsonResponse(detail, status=200 if ready else 503)


@login_required
@require_GET
def service_status(request: HttpRequest) -> HttpResponse:
    """For network admins: is everything answering, and is work piling up for the workers?"""
    if not is_network_admin(request.user):
        raise Http404("No such page.")
    checks = health.run_checks()
    work = health.work_waiting() if all(c.name != "database" or c.ok for c in checks) else None
    return render(
        request,
        "core/service_status.html",
        {
            "checks": checks,
            "work": work,
            "queue_warning_length": health.QUEUE_WARNING_LENGTH,
            "pending_warning_minutes": int(health.PENDING_WARNING_AGE.total_seconds() // 60),
        },
    )


# --- Notifications ------------------------------------------------------------------------------


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    from core.access import visible_organisation_ids as _visible
    from core.models import Notification

    page = Paginator(selectors.notifications_for_user(user=request.user), 25).get_page(request.GET.get("page"))
    staff_counts = None
    if _visible(request.user, roles=MANAGER_ROLES):
        staff_counts = {
            "manual": selectors.staff_notifications(user=request.user, status=Notification.Status.MANUAL).count(),
            "failed": selectors.staff_notifications(user=request.user, status=Notification.Status.FAILED).count(),
        }
    return render(request, "core/notification_list.html", {"page_obj": page, "staff_counts": staff_counts})


@login_required
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from django.utils import timezone

    from core.models import Notification

    notification = selectors.get_notification_for_user(request.user, pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "core/notification_detail.html", {"notification": notification})


@login_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.utils import timezone

    updated = (
        selectors.notifications_for_user(user=request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    )
    if updated:
        messages.success(request, "All your notifications are marked as read.")
    return redirect("core:notification_list")


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    from django.contrib import messages
    from django.shortcuts import redirect

    from core.forms import NotificationPreferencesForm
    from core.notifications import groups_for_user, preferences_for, preferences_update
    from partners.selectors import partner_for_user

    form = NotificationPreferencesForm(
        request.POST or None,
        groups=groups_for_user(request.user),
        initial_frequencies=preferences_for(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        preferences_update(user=request.user, frequencies=form.frequencies())
        messages.success(request, "Your choices are saved.")
        return redirect("core:notification_preferences")
    partner = partner_for_user(request.user)
    return render(
        request,
        "core/notification_preferences.html",
        {"form": form, "partner": partner, "channel": _channel_label(request.user, partner)},
    )


def _channel_label(user: Any, partner: Any) -> str:
    from core.models import Notification
    from core.notifications import choose_channel

    return str(Notification.Channel(choose_channel(user=user, partner=partner)).label)


def _require_manager(request: HttpRequest) -> None:
    if not visible_organisation_ids(request.user, roles=MANAGER_ROLES):
        raise PermissionDenied("Only involvement leads and network admins can see these messages.")


@login_required
def messages_to_send(request: HttpRequest) -> HttpResponse:
    from core.models import Notification

    _require_manager(request)
    queued = selectors.staff_notifications(user=request.user, status=Notification.Status.MANUAL)
    page = Paginator(queued, 25).get_page(request.GET.get("page"))
    return render(request, "core/messages_to_send.html", {"page_obj": page})


@login_required
@require_POST
def message_mark_sent(request: HttpRequest, pk: int) -> HttpResponse:
    from django.contrib import messages
    from django.shortcuts import redirect

    from core.delivery import NotificationError, mark_sent_by_hand

    notification = selectors.get_staff_notification_for_user(request.user, pk, write=True)
    try:
        mark_sent_by_hand(notification=notification, actor=request.user)
    except NotificationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Marked as sent to {notification.recipient_name}.")
    return redirect("core:messages_to_send")


@login_required
def failed_messages(request: HttpRequest) -> HttpResponse:
    from core.models import Notification

    _require_manager(request)
    failed = selectors.staff_notifications(user=request.user, status=Notification.Status.FAILED)
    page = Paginator(failed, 25).get_page(request.GET.get("page"))
    return render(request, "core/notification_failed.html", {"page_obj": page})


@login_required
@require_POST
def failed_message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    from django.contrib import messages
    from django.shortcuts import redirect

    from core.delivery import NotificationError, retry_failed

    notification = selectors.get_staff_notification_for_user(request.user, pk, write=True)
    try:
        retry_failed(notification=notification, actor=request.user)
    except NotificationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Trying again to send “{notification.title}” to {notification.recipient_name}.")
    return redirect("core:failed_messages")
