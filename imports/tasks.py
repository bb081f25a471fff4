"""Celery task for imports: thin, an id in, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from imports.services import import_run


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def run_import(batch_id: int) -> str:
    """Import one confirmed file (does nothing if it is no longer waiting to be imported)."""
    batch = import_run(batch_id=batch_id)
    return batch.status if batch is not None else "missing"
