"""Celery tasks for core: thin wrappers that load by id and call a service."""

from __future__ import annotations

from celery import shared_task

from core.delivery import DeliveryFailed, deliver


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(DeliveryFailed,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=6,
)
def deliver_notification(self, notification_id: int) -> str:  # type: ignore[no-untyped-def]
    return deliver(notification_id)
