"""Run every reminder sweep once, now: the same code Celery beat runs every few minutes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.reminders import available_kinds, run_sweeps


class Command(BaseCommand):
    help = "Run every reminder sweep once and print how many reminders of each kind were created."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count the reminders that would be created; create and send nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        counts = run_sweeps(dry_run=dry_run)
        verb = "would create" if dry_run else "created"
        for kind, label in available_kinds():
            self.stdout.write(f"{kind}: {verb} {counts.get(kind, 0)} ({label})")
        total = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"Total: {verb} {total}"))
