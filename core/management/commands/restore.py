"""Restore a backup made by `manage.py backup` into an EMPTY database and an empty private store.

python manage.py restore /mnt/backups/2026-12-03

Every checksum is checked before anything is written. Make the new database (CREATE DATABASE) and
the new bucket or folder first; point DATABASE_URL and STORAGE_URL (or PRIVATE_MEDIA_ROOT) at them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup folder into an empty database and an empty private file store."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help="The backup folder (it holds manifest.json).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = backup_restore(folder=Path(options["folder"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the database and {outcome.files} file(s) ({outcome.bytes:,} bytes) "
            f"from {outcome.folder} in {outcome.seconds:.1f} s."
        )
