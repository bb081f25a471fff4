"""Writes for quarterly reports: start a compile, compile, add narrative, publish.

Compiling runs in two steps so the page can show progress:

1. `report_compile_request` (in the request, or the beat task, or the command) takes the compile
   lock for the scope and quarter, creates the next version with status "compiling" and, after
   commit, queues `reports.tasks.compile_report`.
2. `report_compile` (in the worker) counts, draws and stores the files, marks the version ready
   and tells the scope's leads and the network admins.

Two compiles of the same scope and quarter never run at once: the request takes a PostgreSQL
advisory lock while it checks, and a partial unique constraint allows only one "compiling" row.
The second request is refused with a clear message (`ReportError`).
"""

from __future__ import annotations

import logging
import zlib
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organisation, Role, User
from core.audit import log_action
from core.errors import DomainError
from core.formatting import moment_text, time_text
from core.notifications import notify
from core.quarters import FinancialQuarter, QuarterError, first_working_day_after
from reports.indicators import THEMES, compile_indicators
from reports.models import QuarterlyReport, ReportStatus
from reports.rendering import write_files

logger = logging.getLogger(__name__)

# A compile that has not finished after this long is treated as lost (the worker died).
STALE_AFTER = timedelta(minutes=30)
NARRATIVE_MAX_LENGTH = 2000


class ReportError(DomainError):
    """Something about a report request the user can fix or needs to know."""


def check_quarter(quarter: FinancialQuarter | str, *, today: Any = None) -> FinancialQuarter:
    """Parse and check a quarter: it must be a real quarter that has started."""
    if isinstance(quarter, str):
        try:
            quarter = FinancialQuarter.parse(quarter)
        except QuarterError as exc:
            raise ReportError(str(exc)) from exc
    if quarter.is_future(today):
        raise ReportError(f"{quarter.label} has not started yet. Choose a quarter that has started.")
    return quarter


LOCK_NAMESPACE = 0x5245  # "RE": keeps these advisory locks apart from any other app's


def _lock_key(scope: Organisation, quarter: FinancialQuarter) -> int:
    """A bigint advisory lock key for one scope and quarter."""
    return (LOCK_NAMESPACE << 32) | zlib.crc32(f"reports:{scope.pk}:{quarter.label}".encode())


def _fail_stale_compiles(scope: Organisation, quarter: FinancialQuarter) -> None:
    cutoff = timezone.now() - STALE_AFTER
    QuarterlyReport.objects.filter(
        scope=scope, quarter=quarter.label, status=ReportStatus.COMPILING, started_at__lt=cutoff
    ).update(
        status=ReportStatus.FAILED,
        finished_at=timezone.now(),
        error="The compile stopped before it finished. Compile the report again.",
    )


def report_compile_request(
    *,
    scope: Organisation,
    quarter: FinancialQuarter | str,
    actor: Any | None,
    run: bool = True,
) -> QuarterlyReport:
    """Start compiling a new version. `actor` is None for the quarterly schedule.

    Raises ReportError for a malformed or future quarter, or when a compile of the same
    scope and quarter is already running."""
    from reports.tasks import compile_report  # noqa: PLC0415 -- reports.tasks imports this module (a task runs the service)

    quarter = check_quarter(quarter)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(scope, quarter)])
        _fail_stale_compiles(scope, quarter)
        running = (
            QuarterlyReport.objects.filter(scope=scope, quarter=quarter.label, status=ReportStatus.COMPILING)
            .select_related("compiled_by")
            .first()
        )
        if running is not None:
            who = running.compiled_by.get_full_name() if running.compiled_by else "the quarterly schedule"
            started = timezone.localtime(running.started_at)
            raise ReportError(
                f"The {scope.short_name} report for {quarter.label} is already being compiled "
                f"(version {running.version}, started by {who} at {time_text(started)}). "
                "Wait for it to finish, then compile again if you need to."
            )
        latest = QuarterlyReport.objects.filter(scope=scope, quarter=quarter.label).aggregate(v=Max("version"))["v"]
        try:
            with transaction.atomic():
                report = QuarterlyReport.objects.create(
                    scope=scope,
                    quarter=quarter.label,
                    quarter_start=quarter.start,
                    version=(latest or 0) + 1,
                    status=ReportStatus.COMPILING,
                    progress=0,
                    progress_message="Waiting to start",
                    compiled_by=actor if getattr(actor, "is_authenticated", False) else None,
                    started_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise ReportError(
                f"The {scope.short_name} report for {quarter.label} is already being compiled. Wait for it to finish."
            ) from exc
        log_action(
            actor=actor,
            action="reports.quarterlyreport.compile_requested",
            target=report,
            organisation=scope,
            data={"quarter": quarter.label, "version": report.version},
        )
        if run:
            pk = report.pk
            transaction.on_commit(lambda: compile_report.delay(pk))
    return report


def _set_progress(report_id: int, percent: int, message: str) -> None:
    """Progress is written straight away (not in the compile's transaction) so the page sees it."""
    QuarterlyReport.objects.filter(pk=report_id, status=ReportStatus.COMPILING).update(
        progress=percent, progress_message=message[:200]
    )


def report_compile(*, report_id: int) -> QuarterlyReport | None:
    """Count, draw and store one version. Running it twice does nothing the second time."""
    report = QuarterlyReport.objects.select_related("scope", "compiled_by").filter(pk=report_id).first()
    if report is None or report.status != ReportStatus.COMPILING:
        return report
    try:
        quarter = report.financial_quarter
        indicators = compile_indicators(
            organisation=report.scope,
            quarter=quarter,
            progress=lambda percent, message: _set_progress(report_id, percent, message),
        )
        _set_progress(report_id, 85, "Drawing the charts and writing the HTML, CSV and PDF files")
        files = write_files(report=report, indicators=indicators, narrative={})
    except Exception as exc:
        logger.exception("Compiling quarterly report %s failed", report_id)
        _report_failed(report_id, exc)
        return QuarterlyReport.objects.get(pk=report_id)
    with transaction.atomic():
        locked = QuarterlyReport.objects.select_for_update(of=("self",)).select_related("scope").get(pk=report_id)
        if locked.status != ReportStatus.COMPILING:
            return locked
        locked.indicators = indicators
        locked.status = ReportStatus.READY
        locked.progress = 100
        locked.progress_message = "Ready"
        locked.finished_at = timezone.now()
        for field, name in files.items():
            setattr(locked, field, name)
        locked.save(
            update_fields=[
                "indicators",
                "status",
                "progress",
                "progress_message",
                "finished_at",
                "html_file",
                "csv_file",
                "pdf_file",
            ]
        )
        log_action(
            actor=locked.compiled_by,
            action="reports.quarterlyreport.compiled",
            target=locked,
            organisation=locked.scope,
            data={"quarter": locked.quarter, "version": locked.version},
        )
        _notify_ready(locked)
    return locked


def _report_failed(report_id: int, exc: Exception) -> None:
    QuarterlyReport.objects.filter(pk=report_id, status=ReportStatus.COMPILING).update(
        status=ReportStatus.FAILED,
        finished_at=timezone.now(),
        error=f"The report could not be compiled ({type(exc).__name__}). Compile it again; "
        "if it fails again, tell the portal's support team.",
    )


def report_recipients(scope: Organisation) -> list[Any]:
    """The scope's involvement leads and every network admin, once each."""
    memberships = (
        Membership.objects.filter(
            Q(organisation=scope, role=Role.INVOLVEMENT_LEAD) | Q(role=Role.NETWORK_ADMIN), user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    )
    seen: dict[int, Any] = {}
    for membership in memberships:
        seen.setdefault(membership.user_id, membership.user)
    return list(seen.values())


def _notify_ready(report: QuarterlyReport) -> None:
    url = reverse("reports:report_detail", args=[report.pk])
    compiled = timezone.localtime(report.finished_at or timezone.now())
    title = f"The {report.scope.short_name} report for {report.quarter} is ready"
    body = (
        f"Version {report.version} of the quarterly priority-progress report for {report.scope.name}, "
        f"{report.quarter}, was compiled on {moment_text(compiled)}.\n\n"
        "You can read it in the portal and download it as a PDF or CSV file."
    )
    for user in report_recipients(report.scope):
        notify(
            kind="reports.report_ready",
            subject=report,
            user=user,
            organisation=report.scope,
            title=title,
            body=body,
            url=url,
        )


def _editable(report_id: int) -> QuarterlyReport:
    report = QuarterlyReport.objects.select_for_update(of=("self",)).select_related("scope").get(pk=report_id)
    if report.status != ReportStatus.READY:
        raise ReportError("Only a report that has finished compiling can be changed.")
    if report.published_at is not None:
        raise ReportError("This version has been published to the network and can no longer be changed.")
    return report


def report_set_narrative(*, report: QuarterlyReport, narrative: dict[str, str], actor: User) -> QuarterlyReport:
    """Save the lead's short narrative for each priority theme (before publishing)."""
    cleaned = {key: (narrative.get(key) or "").strip() for key in THEMES}
    for key, text in cleaned.items():
        if len(text) > NARRATIVE_MAX_LENGTH:
            raise ReportError(
                f"The narrative for {THEMES[key]} is too long: keep it to {NARRATIVE_MAX_LENGTH} characters."
            )
    with transaction.atomic():
        locked = _editable(report.pk)
        locked.narrative = {key: text for key, text in cleaned.items() if text}
        locked.save(update_fields=["narrative"])
        log_action(
            actor=actor,
            action="reports.quarterlyreport.narrative_saved",
            target=locked,
            organisation=locked.scope,
            data={"themes": sorted(locked.narrative)},
        )
    return locked


def report_publish(*, report: QuarterlyReport, actor: User) -> QuarterlyReport:
    """Publish a version to the network: its files are drawn once more with the narrative, then frozen."""
    with transaction.atomic():
        locked = _editable(report.pk)
        files = write_files(report=locked, indicators=locked.indicators, narrative=locked.narrative, published=True)
        locked.published_at = timezone.now()
        locked.published_by = actor
        for field, name in files.items():
            setattr(locked, field, name)
        locked.save(update_fields=["published_at", "published_by", "html_file", "csv_file", "pdf_file"])
        log_action(
            actor=actor,
            action="reports.quarterlyreport.published",
            target=locked,
            organisation=locked.scope,
            data={"quarter": locked.quarter, "version": locked.version},
        )
    return locked


def compile_due_reports(*, today: Any = None, quarter: FinancialQuarter | None = None) -> list[QuarterlyReport]:
    """The quarterly schedule: every AHSN's report and the network's for the quarter just ended.

    Scopes that already have a scheduled (or running) version of that quarter are skipped, so
    the beat firing twice does nothing the second time."""

    quarter = quarter or FinancialQuarter.last_completed(today)
    if today is not None and first_working_day_after(quarter) > today:
        return []
    started = []
    for scope in Organisation.objects.order_by("kind", "name"):
        already = QuarterlyReport.objects.filter(scope=scope, quarter=quarter.label).filter(
            Q(compiled_by__isnull=True, status=ReportStatus.READY) | Q(status=ReportStatus.COMPILING)
        )
        if already.exists():
            continue
        try:
            started.append(report_compile_request(scope=scope, quarter=quarter, actor=None))
        except ReportError:
            logger.info("Skipped the %s report for %s: a compile is running", scope.short_name, quarter.label)
    return started
