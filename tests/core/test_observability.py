"""What an operator sees: request ids in the JSON logs and in tasks, /readyz, and the service status page."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from celery import shared_task
from django.urls import reverse
from django.utils import timezone

from core import request_id
from core.logging import JsonFormatter
from core.models import Notification
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

seen_in_task: list[str] = []


@shared_task
def _remember_request_id() -> None:
    seen_in_task.append(request_id.current())


def test_each_response_names_its_request_id_and_keeps_a_plausible_one_from_the_proxy(client) -> None:
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-0af3-77c1")["X-Request-ID"] == "lb-0af3-77c1"
    # Anything that could forge a log line is replaced.
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x"}\n{"level": "ERROR"')["X-Request-ID"]
    assert len(forged) == 32 and '"' not in forged


def test_log_lines_written_during_a_request_carry_its_id(client, caplog) -> None:
    formatter = JsonFormatter()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-12345678")
    assert response.status_code == 404
    lines = [json.loads(formatter.format(record)) for record in caplog.records if record.name == "django.request"]
    assert lines and all(line["request_id"] == "req-12345678" for line in lines)
    outside = json.loads(formatter.format(logging.makeLogRecord({"msg": "no request"})))
    assert "request_id" not in outside


def test_a_task_queued_by_a_request_runs_with_the_request_id() -> None:
    seen_in_task.clear()
    token = request_id.set_current("req-for-the-task")
    try:
        _remember_request_id.delay()
    finally:
        request_id.reset(token)
    _remember_request_id.delay()  # queued by no request: the task's own id
    assert seen_in_task[0] == "req-for-the-task"
    assert seen_in_task[1] and seen_in_task[1] != "req-for-the-task"
    assert request_id.current() == ""


def test_readyz_checks_database_redis_and_storage_and_shows_the_waiting_work(client, wessex) -> None:
    Notification.objects.create(
        kind="test.waiting", subject_type="test", subject_id="1", recipient_key="p:1", email="a@example.org",
        organisation=wessex,
    )  # fmt: skip
    Notification.objects.filter(kind="test.waiting").update(created_at=timezone.now() - timedelta(minutes=40))
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "redis": "ok",
        "storage": "ok",
    }
    assert isinstance(body["work"]["queue_length"], int)
    assert body["work"]["waiting_notifications"] == 1
    assert body["work"]["oldest_waiting_notification_seconds"] >= 40 * 60
    assert body["work"]["notification_warning"] is True


def test_readyz_is_503_naming_the_store_when_it_does_not_answer(client, settings) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        # Nothing listens on port 9 (discard): the store is unreachable.
        "private": {
            "BACKEND": "core.storage.ObjectStorage",
            "OPTIONS": {"bucket_name": "x", "endpoint_url": "http://127.0.0.1:9", "access_key": "a",
                        "secret_key": "b", "connect_timeout": 0.5, "read_timeout": 0.5},
        },
    }  # fmt: skip
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["storage"]["status"] == "unavailable"
    assert body["checks"]["database"]["status"] == "ok"


def test_readyz_is_503_when_redis_does_not_answer(client, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["status"] == "unavailable"


def test_service_status_page_is_for_network_admins_only(admin_client_portal, lead_client, outsider_client) -> None:
    url = reverse("core:service_status")
    page = admin_client_portal.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tasks waiting for a worker" in text and "Oldest message waiting" in text and "Working" in text
    assert lead_client.get(url).status_code == 404
    assert outsider_client.get(url).status_code == 404


def test_service_status_is_in_the_network_admins_navigation(admin_client_portal, lead_client) -> None:
    url = reverse("core:service_status")
    assert f'href="{url}"' in admin_client_portal.get(reverse("core:dashboard")).content.decode()
    assert f'href="{url}"' not in lead_client.get(reverse("core:dashboard")).content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client) -> None:
    assert client.get(reverse("core:service_status")).status_code == 302
    assert client_for  # the helper the signed-in clients come from
