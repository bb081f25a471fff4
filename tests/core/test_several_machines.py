"""The portal on several machines: two web processes, two Celery workers and one beat.

They share one PostgreSQL (the test database), one Redis and one S3 object store (SeaweedFS that
answers only signed requests, as a production store does), and nothing else: each runs with
production settings from its own environment, as separate machines behind a load balancer would.
Each person's browser talks to whichever web process the test picks, as a load balancer may.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis as redis_client
import requests
from celery import Celery
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core import request_id
from core.models import Notification
from core.quarters import FinancialQuarter
from payments import services as payments
from reports.models import QuarterlyReport, ReportStatus
from reports.services import report_compile_request
from tests.accounts.factories import MembershipFactory, UserFactory, with_totp
from tests.accounts.test_sign_in_and_mfa import current_code
from tests.core.factories import activity, linked_partner, take_part
from tests.core.servers import (
    CeleryProcess,
    ObjectStore,
    PortalServer,
    RedisServer,
    browser_session,
    database_url,
    post_form,
    server_env,
    sign_in,
    wait_for,
)
from tests.payments.factories import partner_at, png_bytes

pytestmark = [pytest.mark.several_machines, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct-horse-battery"
LOCKED = "Too many failed login attempts. Try again later."
WRONG = "The email address and/or password you specified are not correct."


@dataclass
class Cluster:
    webs: list[PortalServer]
    workers: list[CeleryProcess]
    beat: CeleryProcess
    store: ObjectStore
    broker: Celery
    outbox: Path
    redis: RedisServer

    def send(self, task: str, *args: Any, worker: int) -> None:
        """Queue `task` on the queue only worker `worker` (1 or 2) reads."""
        self.broker.send_task(task, args=list(args), queue=f"only-worker-{worker}")


@pytest.fixture(scope="module")
def cluster(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("several-machines")
    redis = RedisServer(folder / "redis").start()
    store = ObjectStore(bucket="ahsn-several-machines", signed_only=True).start()
    outbox = folder / "outbox"
    outbox.mkdir()
    env = server_env(
        database_url=database_url(connection.settings_dict),
        redis_url=redis.url(0),
        STORAGE_URL=store.url(),
        TEST_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(outbox),
        LOG_LEVEL="INFO",
    )
    processes: list[Any] = []
    broker = Celery("several-machines-test", broker=redis.url(0))
    try:
        store.wait()
        workers = [
            CeleryProcess.worker(env, folder / f"worker{n}.log", name=f"worker{n}", queues=f"celery,only-worker-{n}")
            for n in (1, 2)
        ]
        beat = CeleryProcess.beat(env, folder / "beat.log")
        for process in [*workers, beat]:
            processes.append(process.start())
        webs = []
        for n in (1, 2):
            webs.append(PortalServer(env, folder / f"web{n}.log").start())
            processes.append(webs[-1])
        for worker in workers:
            worker.wait_ready("ready.")
        beat.wait_ready("beat: Starting")
        yield Cluster(webs=webs, workers=workers, beat=beat, store=store, broker=broker, outbox=outbox, redis=redis)
    finally:
        for process in reversed(processes):
            process.stop()
        broker.close()
        store.stop()
        redis.stop()


@pytest.fixture(autouse=True)
def _fresh_shared_cache(cluster: Cluster) -> None:
    """Each test starts with an empty shared cache: the lock-out test's failed sign-ins from
    127.0.0.1 count against the next test's sign-in otherwise (10 a minute from one address)."""
    client = redis_client.Redis.from_url(cluster.redis.url(1))
    client.flushdb()
    client.close()


def staff_session(base: str, email: str) -> requests.Session:
    """A member of staff signed in (password, then their authenticator code) on web process `base`."""
    session = browser_session()
    assert sign_in(base, email, PASSWORD, session).status_code == 302
    assert post_form(session, f"{base}/accounts/2fa/authenticate/", {"code": current_code()}).status_code == 302
    return session


def test_a_receipt_uploaded_through_one_web_process_downloads_through_the_other(cluster, wessex) -> None:
    partner = partner_at(wessex)
    claim = payments.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    line = payments.claim_add_expense_line(
        claim=claim,
        actor=partner.user,
        category="taxi",
        amount="12.40",
        reason="No bus after the evening meeting",
        expense_date=timezone.localdate(),
    )
    web1, web2 = cluster.webs
    browser = browser_session()
    assert sign_in(web1.url, partner.user.email, PASSWORD, browser).status_code == 302
    form_url = f"{web1.url}{reverse('payments:receipt_upload', args=[line.pk])}"
    page = browser.get(form_url, timeout=10)
    token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    photo = png_bytes()
    posted = browser.post(
        form_url,
        data={"csrfmiddlewaretoken": token},
        files={"receipt": ("taxi.png", photo, "image/png")},
        allow_redirects=False,
        timeout=20,
    )
    assert posted.status_code == 302, posted.text[:2000]
    receipt = line.receipts.get()

    # The same browser (its session), through the other web process.
    download = browser.get(f"{web2.url}{reverse('payments:receipt_download', args=[receipt.pk])}", timeout=20)
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == receipt.sha256
    assert download.content[:8] == photo[:8]
    # It is in the bucket, and the bucket does not hand it to anyone who asks without signing.
    stored = cluster.store.client().get_object(Bucket=cluster.store.bucket, Key=receipt.file.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == receipt.sha256
    bare = requests.get(f"{cluster.store.endpoint}/{cluster.store.bucket}/{receipt.file.name}", timeout=10)
    assert bare.status_code == 403


def test_a_session_started_on_one_web_process_works_on_the_other(cluster, wessex) -> None:
    lead = with_totp(UserFactory(email="lead.sessions@example.org"))
    MembershipFactory(user=lead, organisation=wessex, role=Role.INVOLVEMENT_LEAD)
    web1, web2 = cluster.webs
    session = staff_session(web1.url, lead.email)
    for base in (web2.url, web1.url, web2.url):
        home = session.get(f"{base}/", allow_redirects=False, timeout=10)
        assert home.status_code == 200, (base, home.status_code, home.headers.get("Location"))
        assert "Sign out" in home.text
    # Signing out on web 2 ends the session on web 1 too.
    post_form(session, f"{web2.url}/accounts/logout/", {})
    assert session.get(f"{web1.url}/notifications/", allow_redirects=False, timeout=10).status_code == 302


def test_sign_in_lock_out_counts_across_both_web_processes(cluster, wessex) -> None:
    user = UserFactory(email="locked.out@example.org")
    MembershipFactory(user=user, organisation=wessex, role=Role.STAFF)

    def outcome(response: requests.Response) -> str:
        if response.status_code == 302:
            return "signed in"
        return "locked" if LOCKED in response.text else "wrong" if WRONG in response.text else str(response.status_code)

    web1, web2 = cluster.webs
    outcomes = [outcome(sign_in((web1, web2)[n % 2].url, user.email, f"wrong-{n}")) for n in range(8)]
    # Five failures for one account in five minutes, counted once for the whole portal.
    assert outcomes == ["wrong"] * 5 + ["locked"] * 3, outcomes
    assert [outcome(sign_in(web.url, user.email, PASSWORD)) for web in (web1, web2)] == ["locked", "locked"]


def _emails_to(outbox: Path) -> list[str]:
    """Every recipient of every email the processes wrote (one `To:` line per message)."""
    return [
        line.removeprefix("To: ").strip()
        for file in sorted(outbox.glob("*.log"))
        for line in file.read_text(errors="replace").splitlines()
        if line.startswith("To: ")
    ]


def test_a_reminder_sweep_fired_on_both_workers_at_once_sends_each_reminder_once(cluster, wessex) -> None:
    workshop = activity(wessex, starts_at=timezone.now() + timedelta(hours=20), title="Co-design workshop")
    partners = [linked_partner(wessex, email=f"sweep{n}@example.org") for n in range(12)]
    for partner in partners:
        take_part(workshop, partner)
    before = set(_emails_to(cluster.outbox))

    for worker in (1, 2):
        cluster.send("core.tasks.run_reminder_sweeps", worker=worker)

    def delivered() -> bool:
        reminders = Notification.objects.filter(kind="reminders.activity_upcoming")
        return reminders.count() == len(partners) and not reminders.exclude(status=Notification.Status.SENT).exists()

    wait_for(delivered, seconds=90, what="the reminders being sent")
    time.sleep(2)  # anything sent twice would arrive now
    sent = [to for to in _emails_to(cluster.outbox) if to not in before]
    assert sorted(sent) == sorted(p.email for p in partners)
    # Both workers really ran the sweep.
    for worker in cluster.workers:
        assert "core.tasks.run_reminder_sweeps" in worker.log.read_text(errors="replace")
    assert cluster.beat.running


def test_a_report_compiled_by_worker_two_downloads_from_web_one(cluster, wessex) -> None:
    lead = with_totp(UserFactory(email="lead.reports@example.org"))
    MembershipFactory(user=lead, organisation=wessex, role=Role.INVOLVEMENT_LEAD)
    quarter = FinancialQuarter.last_completed()
    report = report_compile_request(scope=wessex, quarter=quarter, actor=lead, run=False)
    # Queued under a request id, as the compile page queues it: worker 2's log lines carry it.
    token = request_id.set_current("req-compile-wessex-report")
    try:
        cluster.send("reports.tasks.compile_report", report.pk, worker=2)
    finally:
        request_id.reset(token)

    def compiled() -> bool:
        return QuarterlyReport.objects.get(pk=report.pk).status != ReportStatus.COMPILING

    wait_for(compiled, seconds=120, what="worker 2 compiling the report")
    report.refresh_from_db()
    assert report.status == ReportStatus.READY, report.error
    assert "Task reports.tasks.compile_report[" in cluster.workers[1].log.read_text(errors="replace")
    assert "Task reports.tasks.compile_report[" not in cluster.workers[0].log.read_text(errors="replace")
    lines = [
        json.loads(line)
        for line in cluster.workers[1].log.read_text(errors="replace").splitlines()
        if line.startswith("{")
    ]
    task_lines = [line for line in lines if line.get("task_name") == "reports.tasks.compile_report"]
    assert [line["message"] for line in task_lines] == ["task started", "task finished"]
    assert all(line.get("request_id") == "req-compile-wessex-report" for line in task_lines)

    session = staff_session(cluster.webs[0].url, lead.email)
    pdf = session.get(f"{cluster.webs[0].url}{reverse('reports:report_download', args=[report.pk, 'pdf'])}", timeout=30)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    csv = session.get(f"{cluster.webs[0].url}{reverse('reports:report_download', args=[report.pk, 'csv'])}", timeout=30)
    assert csv.status_code == 200 and "Wessex" in csv.text
