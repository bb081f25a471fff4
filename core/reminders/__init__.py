"""Scheduled reminders: each sweep finds who needs reminding now and notifies them once.

`run_sweeps()` is what Celery beat (`core.tasks.run_reminder_sweeps`) and
`manage.py send_reminders` both run."""

from core.reminders.base import available_kinds, run_sweeps

__all__ = ["available_kinds", "run_sweeps"]
