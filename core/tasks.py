"""Celery tasks for core: thin wrappers that load by id and call a service.

Beat runs (see migration 0005, editable in the admin under "Periodic tasks"):
* `run_reminder_sweeps` every 10 minutes,
* `send_weekly_digests` on Mondays at 08:00 London time,
* `requeue_stale_notifications` every minute (delivery lost with a broker outage or a worker that
  died; migration 0006).
A worker also runs the sweeps and the requeue once when it starts, so reminders due while the
portal was down go out within a minute of it coming back."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from core.delivery import DeliveryFailed, deliver, stale_notification_ids
from core.notifications import send_to_workers
from core.reminders import run_sweeps
from core.reminders.digest import send_weekly_digests as send

logger = logging.getLogger(__name__)

MAX_DELIVERY_RETRIES = 6
# The longest a retry waits (30 s, 1, 2, 4, 8, 16 minutes, capped here). The broker's
# visibility_timeout (settings) must stay longer than this.
MAX_RETRY_WAIT_SECONDS = 20 * 60
# A delivery still running after this is stopped; its claim goes stale and it is tried again
# (core.delivery.STALE_CLAIM must stay longer than this).
DELIVERY_TIME_LIMIT_SECONDS = 2 * 60


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(DeliveryFailed,),
    retry_backoff=30,
    retry_backoff_max=MAX_RETRY_WAIT_SECONDS,
    retry_jitter=True,
    max_retries=MAX_DELIVERY_RETRIES,
    time_limit=DELIVERY_TIME_LIMIT_SECONDS,
)
def deliver_notification(self: Any, notification_id: int) -> str:
    return deliver(notification_id)


@shared_task(acks_late=True)
def deliver_notification_batch(notification_ids: list[int]) -> int:
    """Deliver a batch; any that fail get their own task, which retries with backoff."""
    sent = 0
    for pk in notification_ids:
        try:
            deliver(pk)
            sent += 1
        except DeliveryFailed:
            try:
                deliver_notification.apply_async((pk,), countdown=30)
            except Exception:  # the row stays "failed": the staff page shows it and it can be retried
                logger.warning("could not queue a retry", extra={"notification_id": pk})
    return sent


@shared_task(acks_late=True)
def run_reminder_sweeps() -> dict[str, int]:
    counts = run_sweeps()
    # `created` is a LogRecord attribute: a key of that name in `extra` raises KeyError.
    logger.info("reminder sweeps ran", extra={"reminders_created": counts})
    return counts


@shared_task(acks_late=True)
def send_weekly_digests() -> int:
    return send()


@shared_task(acks_late=True)
def requeue_stale_notifications() -> int:
    ids = stale_notification_ids()
    send_to_workers(ids)
    return len(ids)


@worker_ready.connect
def _sweep_when_worker_starts(sender: Any = None, **kwargs: Any) -> None:
    """Catch up straight away on start: reminders due while nothing was running go out now."""
    try:
        requeue_stale_notifications.delay()
        run_reminder_sweeps.delay()
    except Exception:  # a broker hiccup must not stop the worker starting
        logger.warning("could not queue the start-up reminder sweep", exc_info=True)
