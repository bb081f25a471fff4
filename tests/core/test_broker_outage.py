"""A broker outage never turns a saved action into an error page, and the message still goes, once.

The broker is a real Redis on a port of the test's own: closed while the action is saved, then
started, and a real Celery worker (in a thread of this process) delivers what was waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from accounts.models import Invitation
from ahsn_portal.celery import app as celery_app
from core.delivery import PREPARED_EMAIL_SENT_NOTE, STALE_PENDING
from core.models import Notification
from core.tasks import deliver_notification, requeue_stale_notifications
from payments import services
from payments.models import ClaimStatus
from tests.conftest import client_for
from tests.core.servers import RedisServer, free_port, wait_for
from tests.payments.factories import draft_claim, participation_for, partner_at

# The worker thread reads what the request wrote: it must be committed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _forget_broker_connections() -> None:
    if celery_app._pool is not None:  # noqa: SLF001 -- Celery has no public way to drop its broker pools
        celery_app._pool.force_close_all()  # noqa: SLF001 -- Celery has no public way to drop its broker pools
    celery_app._pool = None  # noqa: SLF001 -- Celery has no public way to drop its broker pools
    celery_app.amqp._producer_pool = None  # noqa: SLF001 -- Celery has no public way to drop its broker pools


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis broker the test controls, not yet started: its port is closed."""
    server = RedisServer(tmp_path / "broker", port=free_port())
    saved = {"broker_url": celery_app.conf.broker_url, "task_always_eager": celery_app.conf.task_always_eager}
    celery_app.conf.update(broker_url=server.url(0), task_always_eager=False)
    _forget_broker_connections()
    try:
        yield server
    finally:
        celery_app.conf.update(saved)
        _forget_broker_connections()
        # The test worker leaves its own app as the current one, and shared tasks resolve through
        # the current app: make the portal's app current again for the tests that follow.
        celery_app.set_current()
        celery_app.set_default()
        server.stop()


def _when_the_broker_is_back(broker: RedisServer) -> None:
    """Start Redis, let time pass beyond STALE_PENDING, and let beat's requeue and a worker run."""
    broker.start()
    Notification.objects.filter(status=Notification.Status.PENDING).update(
        created_at=timezone.now() - STALE_PENDING - timedelta(seconds=1)
    )
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        requeue_stale_notifications.delay()  # what beat sends every minute
        wait_for(
            lambda: not Notification.objects.filter(status__in=["pending", "sending"]).exists(),
            seconds=60,
            what="delivery of the waiting notifications",
        )
    # Nothing is left for the next requeue.
    assert requeue_stale_notifications.apply().get() == 0


def test_sending_and_approving_a_claim_while_the_broker_is_down_work_and_each_message_goes_once(
    broker, wessex, lead, caplog
) -> None:
    partner = partner_at(wessex, full_name="Alex Partner", email="alex@example.org")
    claim = draft_claim(partner, wessex)
    services.claim_add_fee_line(claim=claim, participation=participation_for(partner, hours="3"), actor=partner.user)

    with caplog.at_level(logging.WARNING, logger="core.notifications"):
        sent = client_for(partner.user).post(f"/payments/claims/{claim.pk}/check/", {"confirm": "on"})
        claim.refresh_from_db()
        assert (sent.status_code, claim.status) == (302, ClaimStatus.SUBMITTED)
        approved = client_for(lead).post(f"/payments/claims/{claim.pk}/approve/")
        claim.refresh_from_db()
        assert (approved.status_code, claim.status) == (302, ClaimStatus.APPROVED)

    told = Notification.objects.filter(
        partner=partner, kind__in=["payments.claim_submitted", "payments.claim_approved"]
    )
    assert sorted(told.values_list("kind", "status")) == [
        ("payments.claim_approved", Notification.Status.PENDING),
        ("payments.claim_submitted", Notification.Status.PENDING),
    ]
    assert caplog.text.count("could not queue notification delivery") >= 2
    assert mail.outbox == []

    _when_the_broker_is_back(broker)

    assert set(told.values_list("status", flat=True)) == {Notification.Status.SENT}
    to_alex = [m.subject for m in mail.outbox if m.to == ["alex@example.org"]]
    assert sorted(to_alex) == sorted(told.values_list("title", flat=True))  # each once
    for notification in told:
        assert deliver_notification.apply(args=[notification.pk]).get() == "already-claimed"
    assert len([m for m in mail.outbox if m.to == ["alex@example.org"]]) == 2


def test_an_invitation_sent_while_the_broker_is_down_arrives_once_and_its_link_is_not_kept(
    broker, wessex, lead
) -> None:
    response = client_for(lead).post(
        "/team/invite/",
        {"full_name": "New Person", "email": "new.person@example.org", "organisation": wessex.pk, "role": "staff"},
    )

    assert response.status_code == 302
    assert Invitation.objects.filter(email="new.person@example.org").exists()
    waiting = Notification.objects.get(email="new.person@example.org")
    assert waiting.status == Notification.Status.PENDING
    assert "/invitations/" in waiting.body
    assert mail.outbox == []

    _when_the_broker_is_back(broker)

    assert [m.to for m in mail.outbox] == [["new.person@example.org"]]
    assert "/invitations/" in mail.outbox[0].body
    waiting.refresh_from_db()
    assert waiting.status == Notification.Status.SENT
    assert waiting.body == PREPARED_EMAIL_SENT_NOTE  # the sign-up link is not kept in the log
