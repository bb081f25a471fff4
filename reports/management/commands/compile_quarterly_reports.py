"""Compile quarterly reports from the command line, in this process, and print where the files are.

python manage.py compile_quarterly_reports --quarter 2026/27-Q2
python manage.py compile_quarterly_reports --quarter 2026/27-Q2 --ahsn Wessex
python manage.py compile_quarterly_reports --quarter 2026/27-Q2 --ahsn Network
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organisation
from reports.models import ReportStatus
from reports.rendering import report_storage
from reports.services import ReportError, check_quarter, report_compile, report_compile_request


class Command(BaseCommand):
    help = "Compile the quarterly priority-progress report for every AHSN and the network, or one of them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quarter", required=True, help='The quarter, like "2026/27-Q2" or "2026/27 Q2".')
        parser.add_argument(
            "--ahsn",
            dest="ahsn",
            default="",
            help='Short name of one AHSN (for example "Wessex"), or "Network" for the network roll-up.',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            quarter = check_quarter(options["quarter"])
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        scopes = Organisation.objects.order_by("kind", "name")
        if options["ahsn"]:
            scopes = scopes.filter(short_name__iexact=options["ahsn"])
            if not scopes.exists():
                names = ", ".join(Organisation.objects.order_by("short_name").values_list("short_name", flat=True))
                raise CommandError(f'There is no AHSN called "{options["ahsn"]}". Use one of: {names}.')
        storage = report_storage()
        failures = 0
        for scope in scopes:
            try:
                report = report_compile_request(scope=scope, quarter=quarter, actor=None, run=False)
            except ReportError as exc:
                self.stderr.write(str(exc))
                failures += 1
                continue
            report = report_compile(report_id=report.pk) or report
            if report.status != ReportStatus.READY:
                self.stderr.write(f"{scope.short_name} {quarter.label}: {report.error}")
                failures += 1
                continue
            self.stdout.write(f"{scope.short_name} {quarter.label} version {report.version}:")
            for name in (report.pdf_file, report.csv_file, report.html_file):
                self.stdout.write(f"  {_where(storage, name)}")
        if failures:
            raise CommandError(f"{failures} report(s) could not be compiled.")


def _where(storage: Any, name: str) -> str:
    try:
        return str(storage.path(name))
    except NotImplementedError:
        return str(name)
