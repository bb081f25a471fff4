from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from core.audit import log_action
from core.models import AuditEntry, AuditLogIsAppendOnly

pytestmark = pytest.mark.django_db


def test_audit_entries_cannot_be_changed_or_deleted(lead, wessex):
    entry = log_action(actor=lead, action="test.thing.done", organisation=wessex, data={"n": 1})
    entry.action = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()
    # Even raw SQL is refused by the database trigger.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'x'")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry")
    assert AuditEntry.objects.get().action == "test.thing.done"


def test_audit_log_page_scoped_to_the_leads_organisation(lead_client, staff_client, lead, wessex, yorkshire, outsider):
    log_action(actor=lead, action="wessex.thing", organisation=wessex)
    log_action(actor=outsider, action="yorkshire.thing", organisation=yorkshire)
    page = lead_client.get("/audit/")
    assert page.status_code == 200
    assert b"wessex.thing" in page.content
    assert b"yorkshire.thing" not in page.content
    assert staff_client.get("/audit/").status_code == 403


def test_network_admin_reads_every_audit_entry(admin_client_portal, lead, outsider, wessex, yorkshire):
    log_action(actor=lead, action="wessex.thing", organisation=wessex)
    log_action(actor=outsider, action="yorkshire.thing", organisation=yorkshire)
    page = admin_client_portal.get("/audit/?action=thing")
    assert b"wessex.thing" in page.content and b"yorkshire.thing" in page.content


def test_audit_log_filter_rejects_backwards_dates(lead_client):
    page = lead_client.get("/audit/?date_from=2026-05-02&date_to=2026-05-01")
    assert b"The end date must be the same as or after the start date" in page.content


def test_audit_log_is_paginated_with_fixed_queries(lead_client, lead, wessex, django_assert_max_num_queries):
    AuditEntry.objects.bulk_create(
        [AuditEntry(actor=lead, action=f"bulk.{i}", organisation=wessex) for i in range(120)]
    )
    with django_assert_max_num_queries(12):
        page = lead_client.get("/audit/?page=2")
    assert page.status_code == 200
    assert b"Entries 51 to 100 of 120" in page.content


def test_admin_offers_no_change_or_delete(rf):
    from django.contrib.admin.sites import site

    model_admin = site._registry[AuditEntry]
    request = rf.get("/")
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.has_add_permission(request)


def test_healthz_ok_when_database_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_reports_redis_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "unavailable"
    assert response.json()["database"] == "ok"


def test_pages_work_when_redis_is_down(staff_client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    assert staff_client.get("/").status_code == 200


def test_seed_demo_is_idempotent():
    from django.core.management import call_command

    from accounts.models import Membership, User

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (User.objects.count(), Membership.objects.count(), AuditEntry.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (User.objects.count(), Membership.objects.count(), AuditEntry.objects.count()) == counts
    assert Membership.objects.filter(user__email="lead.wessex@demo.ahsn.test", role="involvement_lead").exists()
