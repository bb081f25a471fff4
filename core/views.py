from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import AuditFilterForm
from accounts.models import Membership, Organisation, User
from accounts.roles import MANAGER_ROLES, Role
from core import calendar, dashboard, health, people, public_home, selectors
from core.access import is_network_admin, visible_organisation_ids, visible_organisations
from core.delivery import NotificationError, mark_sent_by_hand, retry_failed
from core.forms import NotificationPreferencesForm
from core.models import CalendarFeed, Notification
from core.notifications import choose_channel, groups_for_user, preferences_for, preferences_update

logger = logging.getLogger(__name__)


def dashboard_view(request: HttpRequest) -> HttpResponse:
    """`/`: the public home page for a signed-out visitor, otherwise the person's own home page."""
    if not request.user.is_authenticated:
        return render(request, "core/public_home.html", {"sections": public_home.sections_for(request)})
    return _signed_in_home(request)


@login_required
def _signed_in_home(request: HttpRequest) -> HttpResponse:
    home = people.home_page_for(request.user)  # a lay partner's home page is their own area
    if home:
        return redirect(home)
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
    organisation_ids = people.organisation_ids_of(request.user)
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
    page = Paginator(selectors.notifications_for_user(user=request.user), 25).get_page(request.GET.get("page"))
    staff_counts = None
    if visible_organisation_ids(request.user, roles=MANAGER_ROLES):
        staff_counts = {
            "manual": selectors.staff_notifications(user=request.user, status=Notification.Status.MANUAL).count(),
            "failed": selectors.staff_notifications(user=request.user, status=Notification.Status.FAILED).count(),
        }
    return render(request, "core/notification_list.html", {"page_obj": page, "staff_counts": staff_counts})


@login_required
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.get_notification_for_user(request.user, pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "core/notification_detail.html", {"notification": notification})


@login_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    updated = (
        selectors.notifications_for_user(user=request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    )
    if updated:
        messages.success(request, "All your notifications are marked as read.")
    return redirect("core:notification_list")


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    form = NotificationPreferencesForm(
        request.POST or None,
        groups=groups_for_user(request.user),
        initial_frequencies=preferences_for(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        preferences_update(user=request.user, frequencies=form.frequencies())
        messages.success(request, "Your choices are saved.")
        return redirect("core:notification_preferences")
    partner = people.partner_of(request.user)
    return render(
        request,
        "core/notification_preferences.html",
        {"form": form, "partner": partner, "channel": _channel_label(request.user, partner)},
    )


def _channel_label(user: Any, partner: Any) -> str:
    return str(Notification.Channel(choose_channel(user=user, partner=partner)).label)


def _require_manager(request: HttpRequest) -> None:
    if not visible_organisation_ids(request.user, roles=MANAGER_ROLES):
        raise PermissionDenied("Only involvement leads and network admins can see these messages.")


@login_required
def messages_to_send(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    queued = selectors.staff_notifications(user=request.user, status=Notification.Status.MANUAL)
    page = Paginator(queued, 25).get_page(request.GET.get("page"))
    return render(request, "core/messages_to_send.html", {"page_obj": page})


@login_required
@require_POST
def message_mark_sent(request: HttpRequest, pk: int) -> HttpResponse:
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
    _require_manager(request)
    failed = selectors.staff_notifications(user=request.user, status=Notification.Status.FAILED)
    page = Paginator(failed, 25).get_page(request.GET.get("page"))
    return render(request, "core/notification_failed.html", {"page_obj": page})


@login_required
@require_POST
def failed_message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.get_staff_notification_for_user(request.user, pk, write=True)
    try:
        retry_failed(notification=notification, actor=request.user)
    except NotificationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Trying again to send “{notification.title}” to {notification.recipient_name}.")
    return redirect("core:failed_messages")


# --- A person's own calendar feed -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_calendar(request: HttpRequest) -> HttpResponse:
    """Make, replace or turn off the private link to the person's own calendar feed."""
    user = request.user
    if not isinstance(user, User):  # login_required has let only a signed-in person through
        raise PermissionDenied
    new_url = ""
    if request.method == "POST":
        if request.POST.get("action") == "off":
            if calendar.calendar_link_turn_off(user=user):
                messages.success(request, "Your calendar link has been turned off. It no longer works.")
            return redirect("core:my_calendar")
        token = calendar.calendar_link_make(user=user)
        new_url = request.build_absolute_uri(reverse("core:calendar_feed", args=[token]))
    has_link = CalendarFeed.objects.filter(user=user).exists()
    # webcal:// opens the phone's or computer's calendar app straight away, asking to subscribe.
    subscribe_url = "webcal://" + new_url.split("://", 1)[1] if new_url else ""
    return render(
        request,
        "core/my_calendar.html",
        {"new_url": new_url, "subscribe_url": subscribe_url, "has_link": has_link or bool(new_url)},
    )


@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = calendar.user_for_calendar_token(token)
    except Http404:
        # Calendar apps show little, but a person pasting the link into a browser sees why.
        return HttpResponse(
            "This calendar link no longer works. It may have been turned off or replaced by a new link. "
            "Sign in and make a new link on your calendar page.",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    body = calendar.ics_calendar(
        name="My involvement", events=calendar.personal_events(user), product="My activities and meetings"
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="my-involvement.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
