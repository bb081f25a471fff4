"""Every Celery task of the portal, run as Celery runs it (through the task object, not the function
it wraps) with logging at INFO and DEBUG, so a task that crashes only once its work is done — a log
call with a reserved `extra` key, a result that cannot be serialised — fails here."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import Role
from ahsn_portal.celery import app
from core.notifications import notify
from core.quarters import FinancialQuarter
from imports import services as import_services
from reports.services import report_compile_request
from tests.accounts.factories import MembershipFactory
from tests.core.factories import linked_partner
from tests.imports.files import PARTNER_HEADER, csv_bytes, upload

pytestmark = pytest.mark.django_db(transaction=False)


def _notification_id(wessex: Any) -> list[int]:
    partner = linked_partner(wessex, email="tasks@example.org")
    notification, _ = notify(
        kind="involvement.outcome_recorded",
        subject=partner,
        partner=partner,
        title="What changed",
        body="We changed the leaflet.",
        organisation=wessex,
    )
    return [notification.pk]


def _report_id(wessex: Any) -> list[int]:
    lead = MembershipFactory(organisation=wessex, role=Role.INVOLVEMENT_LEAD).user
    report = report_compile_request(scope=wessex, quarter=FinancialQuarter(2026, 1), actor=lead, run=False)
    return [report.pk]


def _import_batch_id(wessex: Any) -> list[int]:
    """A checked spreadsheet of one lay partner, confirmed but not yet imported."""
    lead = MembershipFactory(organisation=wessex, role=Role.INVOLVEMENT_LEAD).user
    rows = [PARTNER_HEADER, ["Ada Lovelace", "ada@example.org", "07700 900123", "SO16 7NP", "27/03/2025"]]
    batch = upload(csv_bytes(rows), actor=lead, organisation=wessex)
    import_services.import_confirm(actor=lead, batch=batch, run=False)
    return [batch.pk]


# Arguments for each task that takes any; a new task with arguments must be added here.
TASK_ARGUMENTS: dict[str, Callable[[Any], list[Any]]] = {
    "core.tasks.deliver_notification": _notification_id,
    "core.tasks.deliver_notification_batch": lambda wessex: [_notification_id(wessex)],
    "reports.tasks.compile_report": _report_id,
    "imports.tasks.run_import": _import_batch_id,
}


def portal_tasks() -> list[str]:
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def test_the_portal_has_the_tasks_beat_runs() -> None:
    names = portal_tasks()
    for expected in (
        "core.tasks.run_reminder_sweeps",
        "core.tasks.send_weekly_digests",
        "reports.tasks.compile_report",
    ):
        assert expected in names


@pytest.mark.parametrize("level", [logging.INFO, logging.DEBUG])
@pytest.mark.parametrize("name", portal_tasks())
def test_each_task_runs_to_the_end_with_logging_on(name: str, level: int, wessex: Any, caplog: Any) -> None:
    caplog.set_level(level)
    args = TASK_ARGUMENTS.get(name, lambda _: [])(wessex)
    result = app.tasks[name].apply(args=args)
    # `apply` records an exception instead of raising it: a crash after the work would hide here.
    assert result.successful(), f"{name} failed: {result.traceback}"
    json.dumps(result.result)  # what the worker stores must serialise as JSON
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def test_the_sweep_task_reports_its_counts(wessex: Any, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="core.tasks")
    result = app.tasks["core.tasks.run_reminder_sweeps"].apply()
    assert result.successful(), result.traceback
    assert isinstance(result.result, dict)
    record = next(r for r in caplog.records if r.getMessage() == "reminder sweeps ran")
    assert record.reminders_created == result.result
