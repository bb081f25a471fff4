"""Back up the portal: a pg_dump of the database and every private file, with a manifest of checksums.

python manage.py backup                       # into backups/<UTC time>/ under the current folder
python manage.py backup --to /mnt/backups/2026-12-03

`make backup` runs it against `make run`'s database; docs/running.md says how often and how long to keep.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump, custom format) and every private file, with a manifest of checksums."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", dest="folder", default="", help="A new, empty folder for this backup.")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["folder"] or Path("backups") / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
        try:
            outcome = backup_create(folder=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up the database and {outcome.files} file(s) ({outcome.bytes:,} bytes) "
            f"to {outcome.folder} in {outcome.seconds:.1f} s."
        )
