"""Celery tasks for quarterly reports: thin, ids in, safe to run twice."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from core.formatting import UK_TIME
from reports.services import compile_due_reports, report_compile


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def compile_report(report_id: int) -> str:
    """Compile one version that `report_compile_request` created (does nothing if it is no longer compiling)."""

    report = report_compile(report_id=report_id)
    return report.status if report is not None else "missing"


@shared_task(acks_late=True)
def compile_quarterly_reports() -> int:
    """Beat: on the first working day after a quarter ends, compile every AHSN's report and the network's."""

    return len(compile_due_reports(today=datetime.now(UK_TIME).date()))
