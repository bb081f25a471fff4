"""Check that the private file store answers, and create its bucket if asked and missing.

python manage.py storage_bucket            # fails (exit 1) when the store or the bucket is missing
python manage.py storage_bucket --create   # docker-compose's web runs this before gunicorn
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.storage import bucket_ensure


class Command(BaseCommand):
    help = "Check the private file store (STORAGE_URL) answers; --create makes its bucket when missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--create", action="store_true", help="Create the bucket when it does not exist.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            found = bucket_ensure(create=options["create"])
        except Exception as error:
            raise CommandError(f"The private file store did not answer as expected: {error}") from error
        self.stdout.write(f"Private files: {found}")
