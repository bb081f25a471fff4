"""Celery tasks for payments.

Beat runs `delete_expired_receipts` every night at 03:30 London time (migration 0003, editable
in the admin under "Periodic tasks"): receipt files past their retention period are deleted."""

from __future__ import annotations

import logging

from celery import shared_task

from payments.services import receipt_files_delete_expired

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def delete_expired_receipts() -> int:
    deleted = receipt_files_delete_expired()
    logger.info("expired receipt files deleted", extra={"count": deleted})
    return deleted
