from __future__ import annotations

import io

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from accounts.demo import DEMO_DOMAIN, DEMO_STAFF, demo_password, demo_totp_secret
from accounts.models import Membership, User
from accounts.roles import STAFF_ROLES
from core.audit import log_action
from core.models import AuditEntry, AuditLogIsAppendOnly
from tests.accounts.test_sign_in_and_mfa import current_code
from tests.conftest import client_for

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
    assert b"Wessex thing" in page.content
    assert b"Yorkshire thing" not in page.content
    assert staff_client.get("/audit/").status_code == 403


def test_network_admin_reads_every_audit_entry(admin_client_portal, lead, outsider, wessex, yorkshire):
    log_action(actor=lead, action="wessex.thing", organisation=wessex)
    log_action(actor=outsider, action="yorkshire.thing", organisation=yorkshire)
    page = admin_client_portal.get("/audit/?action=thing")
    assert b"Wessex thing" in page.content and b"Yorkshire thing" in page.content


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
    model_admin = site.get_model_admin(AuditEntry)
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
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (User.objects.count(), Membership.objects.count(), AuditEntry.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (User.objects.count(), Membership.objects.count(), AuditEntry.objects.count()) == counts
    assert Membership.objects.filter(user__email="lead.wessex@demo.ahsn.test", role="involvement_lead").exists()


def test_audit_log_filters_by_action_and_date(lead_client, lead, wessex):
    with time_machine.travel("2026-04-10 12:00 +01:00", tick=False):
        log_action(actor=lead, action="accounts.membership.created", organisation=wessex)
    with time_machine.travel("2026-05-20 12:00 +01:00", tick=False):
        log_action(actor=lead, action="accounts.membership.removed", organisation=wessex)
    by_action = lead_client.get("/audit/?action=removed").content
    assert b"Removed from the team" in by_action and b"Joined the team" not in by_action
    april = lead_client.get("/audit/?date_from=2026-04-01&date_to=2026-04-30").content
    assert b"Joined the team" in april and b"Removed from the team" not in april


def test_a_lead_cannot_filter_the_audit_log_onto_another_ahsn(lead_client, outsider, yorkshire):
    log_action(actor=outsider, action="yorkshire.secret", organisation=yorkshire)
    page = lead_client.get(f"/audit/?organisation={yorkshire.pk}")
    assert page.status_code == 200
    assert b"Yorkshire secret" not in page.content


def test_entries_without_an_organisation_are_for_network_admins_only(lead_client, admin_client_portal, staff):
    log_action(actor=staff, action="accounts.user.name_changed", target=staff)
    assert b"Own name changed" not in lead_client.get("/audit/").content
    assert b"Own name changed" in admin_client_portal.get("/audit/").content


def test_finance_cannot_read_the_audit_log(finance):
    assert client_for(finance).get("/audit/").status_code == 403


def test_the_django_admin_shows_audit_entries_but_cannot_change_or_delete_them(lead, wessex):
    entry = log_action(actor=lead, action="wessex.thing", organisation=wessex)
    superuser = User.objects.create_superuser("root@example.org", "a-long-passphrase-1")
    admin = client_for(superuser)
    assert admin.get(f"/django-admin/core/auditentry/{entry.pk}/change/").status_code == 200  # view only
    assert admin.post(f"/django-admin/core/auditentry/{entry.pk}/change/", {"action": "x"}).status_code == 403
    assert admin.post(f"/django-admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == "wessex.thing"


def test_healthz_names_redis_when_only_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "redis": "unavailable"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_lead_pages_and_an_invitation_work_when_redis_is_down(
    lead_client, wessex, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    for path in ("/", "/team/", "/team/invite/", "/audit/", "/account/", "/accessibility/", "/privacy/"):
        assert lead_client.get(path).status_code == 200, path
    data = {"full_name": "A Person", "email": "a.person@example.org", "organisation": wessex.pk, "role": "staff"}
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post("/team/invite/", data)
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["a.person@example.org"]]


def test_every_demo_account_signs_in_with_the_printed_password_and_secret(client):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert f"password: {demo_password()}" in printed
    assert demo_totp_secret() in printed
    roles_seen = set()
    for local, _name, _org, role in DEMO_STAFF:
        email = f"{local}@{DEMO_DOMAIN}"
        assert email in printed
        response = client.post("/accounts/login/", {"login": email, "password": demo_password()})
        assert response.status_code == 302, email
        # Every demo member of staff, plain staff included, is asked for the demo authenticator code.
        assert role in STAFF_ROLES
        assert response["Location"].startswith("/accounts/2fa/authenticate/"), email
        code = current_code(demo_totp_secret())
        client.post("/accounts/2fa/authenticate/", {"code": code})
        assert client.get("/").status_code == 200, email
        roles_seen.add(role)
        client.post("/accounts/logout/")
    assert roles_seen == {"staff", "involvement_lead", "finance", "network_admin"}
