"""Back up and restore: claims, receipts, audit entries and reports come back identical.

The backup is taken from the test database and its object-store folder; the restore runs as a
fresh machine would, in another process, into a new empty database and an empty folder of the
bucket. Then the two are compared row by row and file by file.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from ahsn_portal.settings.base import private_storage_settings
from core.models import AuditEntry
from core.quarters import FinancialQuarter
from payments import services as payments
from payments.models import Receipt
from reports.models import QuarterlyReport, ReportStatus
from reports.services import report_compile, report_compile_request
from tests.conftest import storage_url_with_prefix
from tests.core.servers import ROOT, database_url
from tests.payments.factories import partner_at, pdf_bytes, upload

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TABLES = ("payments_claim", "payments_claimline", "payments_receipt", "core_auditentry", "reports_quarterlyreport")


def rows(url_or_conn: Any, table: str) -> list[tuple[Any, ...]]:
    """Every row, except the audit entries of making and restoring the backup itself."""
    where = " WHERE action NOT LIKE 'core.backup.%'" if table == "core_auditentry" else ""
    with psycopg.connect(url_or_conn) as conn:
        return conn.execute(f"SELECT * FROM {table}{where} ORDER BY id").fetchall()


def conninfo(settings_dict: dict[str, Any], name: str) -> str:
    host = settings_dict["HOST"] or "127.0.0.1"
    parts = [f"host={host}", f"dbname={name}", f"user={settings_dict['USER'] or 'postgres'}"]
    if not host.startswith("/"):
        parts.append(f"port={settings_dict['PORT'] or 5432}")
    if settings_dict.get("PASSWORD"):
        parts.append(f"password={settings_dict['PASSWORD']}")
    return " ".join(parts)


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A new, empty database on the test server; dropped afterwards."""
    name = f"ahsn_restore_{uuid.uuid4().hex[:8]}"
    admin = conninfo(connection.settings_dict, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore_elsewhere(folder: Path, database: str, storage_url: str) -> subprocess.CompletedProcess[str]:
    """`manage.py restore` as a new machine runs it: its own process, its own settings."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "ahsn_portal.settings.test",
        "DATABASE_URL": database_url({**connection.settings_dict, "NAME": database}),
        "STORAGE_URL": storage_url,
    }
    return subprocess.run(  # noqa: PLW1510 - the caller reads the return code
        [sys.executable, str(ROOT / "manage.py"), "restore", str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def portal_with_money_and_reports(wessex, lead) -> dict[str, Any]:
    partner = partner_at(wessex)
    claim = payments.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    line = payments.claim_add_expense_line(
        claim=claim, actor=partner.user, category="taxi", amount="14.20", reason="Late finish",
        expense_date=timezone.localdate(),
    )  # fmt: skip
    payments.receipt_add(line=line, uploaded=upload("taxi.pdf", pdf_bytes(), "application/pdf"), actor=partner.user)
    payments.receipt_add(line=line, uploaded=upload("taxi.png"), actor=partner.user)
    report = report_compile_request(scope=wessex, quarter=FinancialQuarter.last_completed(), actor=lead, run=False)
    report = report_compile(report_id=report.pk)
    assert report is not None and report.status == ReportStatus.READY
    return {"claim": claim, "report": report}


def test_a_restored_portal_has_the_same_claims_receipts_audit_and_reports(
    portal_with_money_and_reports, tmp_path, storage_url, empty_database
) -> None:
    folder = tmp_path / "backup"
    started = time.monotonic()
    call_command("backup", "--to", str(folder))
    backup_seconds = time.monotonic() - started

    manifest = json.loads((folder / "manifest.json").read_text())
    receipts = list(Receipt.objects.all())
    report = QuarterlyReport.objects.get()
    expected_names = {r.file.name for r in receipts} | {report.pdf_file, report.csv_file, report.html_file}
    assert expected_names <= {entry["name"] for entry in manifest["files"]}
    assert AuditEntry.objects.exists()

    restored_store = storage_url_with_prefix(storage_url, f"restored/{uuid.uuid4().hex}")
    started = time.monotonic()
    result = restore_elsewhere(folder, empty_database, restored_store)
    restore_seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-3000:]
    print(f"\nbackup {backup_seconds:.2f} s, restore {restore_seconds:.2f} s, {len(manifest['files'])} files")

    source = conninfo(connection.settings_dict, connection.settings_dict["NAME"])
    target = conninfo(connection.settings_dict, empty_database)
    for table in TABLES:
        original = rows(source, table)
        assert original, f"{table} has rows to compare"
        assert rows(target, table) == original, table

    # Every file, byte for byte, under the name the restored rows use.
    restored = storages.create_storage(private_storage_settings(restored_store, ""))
    for name in expected_names:
        with storages["private"].open(name) as before, restored.open(name) as after:
            assert hashlib.sha256(after.read()).hexdigest() == hashlib.sha256(before.read()).hexdigest(), name
    for receipt in receipts:
        with restored.open(receipt.file.name) as after:
            assert hashlib.sha256(after.read()).hexdigest() == receipt.sha256

    # Both sides record what was done, in the audit log.
    assert AuditEntry.objects.filter(action="core.backup.created").count() == 1
    with psycopg.connect(target) as conn:
        assert conn.execute(
            "SELECT count(*) FROM core_auditentry WHERE action = 'core.backup.restored'"
        ).fetchone() == (1,)

    # The audit trail is still append-only in the restored database.
    with psycopg.connect(target) as conn, pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        conn.execute("UPDATE core_auditentry SET action = 'changed'")


def test_restore_refuses_a_database_that_is_not_empty(portal_with_money_and_reports, tmp_path, storage_url) -> None:
    folder = tmp_path / "backup"
    call_command("backup", "--to", str(folder))
    own_database = connection.settings_dict["NAME"]
    result = restore_elsewhere(folder, own_database, storage_url_with_prefix(storage_url, uuid.uuid4().hex))
    assert result.returncode != 0
    assert "already has tables" in result.stderr


def test_restore_refuses_a_changed_backup_before_writing_anything(
    portal_with_money_and_reports, tmp_path, storage_url, empty_database
) -> None:
    folder = tmp_path / "backup"
    call_command("backup", "--to", str(folder))
    receipt = Receipt.objects.first()
    assert receipt is not None
    (folder / "files" / receipt.file.name).write_bytes(b"not the receipt")
    result = restore_elsewhere(folder, empty_database, storage_url_with_prefix(storage_url, uuid.uuid4().hex))
    assert result.returncode != 0
    assert "missing or changed" in result.stderr and receipt.file.name in result.stderr
    assert not _tables(empty_database)


def _tables(database: str) -> list[Any]:
    with psycopg.connect(conninfo(connection.settings_dict, database)) as conn:
        return conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
