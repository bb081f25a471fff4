"""Time and peak memory of importing 50,000 participations from one CSV file.

    python benchmarks/bench_import.py               # builds its own database, ahsn_bench_import
    python benchmarks/bench_import.py --rows 10000  # a smaller run

It drops and recreates the database named by --database on the PostgreSQL server in DATABASE_URL,
migrates it, bulk-inserts an involvement lead, 500 activities and 2,000 lay partners at one AHSN,
writes a CSV of `--rows` participations (who came, for how long), then times the two steps a lead
waits for: the upload with its check of every row, and the background import in one transaction.
It then imports the same file again, which must find every row already there.
Memory is the process's peak resident size (the file is streamed, so it does not grow with the
number of rows; compare --rows 10000 with 50000). Target: each step well under a minute."""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_reminders import _database_url, _recreate  # noqa: E402 - after the path is set


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(*, activities: int, partners: int) -> tuple[Any, Any, list[tuple[str, str]], list[str]]:
    # Called after django.setup() (see main), so the models import here.
    from django.utils import timezone

    from accounts.models import Membership, Organisation, Role, User
    from involvement.models import Activity, ActivityStatus
    from partners.models import LayPartner, PartnerLink
    from programmes.models import Programme

    organisation = Organisation.objects.get(short_name="Wessex")
    lead = User.objects.create(email="bench-lead@wessex.example.org", full_name="Bench Lead")
    Membership.objects.create(user=lead, organisation=organisation, role=Role.INVOLVEMENT_LEAD)
    programme = Programme.objects.create(
        organisation=organisation, name="Bench programme", programme_type="local", innovation_stage="design"
    )
    start = timezone.now() - timedelta(days=800)
    made = Activity.objects.bulk_create(
        Activity(
            organisation=organisation,
            programme=programme,
            title=f"Bench activity {i}",
            starts_at=start + timedelta(days=i),
            ends_at=start + timedelta(days=i, hours=3),
            format="in_person",
            method="workshop",
            level="co_design",
            status=ActivityStatus.COMPLETED,
        )
        for i in range(activities)
    )
    people = LayPartner.objects.bulk_create(
        LayPartner(reference=f"LP-B{i:07d}", full_name=f"Bench Partner {i}", email=f"bench{i}@example.net")
        for i in range(partners)
    )
    PartnerLink.objects.bulk_create(
        PartnerLink(partner=p, organisation=organisation, joined_on=start.date()) for p in people
    )
    keys = [(a.title, timezone.localtime(a.starts_at).strftime("%d/%m/%Y")) for a in made]
    return organisation, lead, keys, [p.email for p in people]


def write_csv(path: Path, *, rows: int, activities: list[tuple[str, str]], emails: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Activity title", "Activity date", "Partner email", "Attended", "Hours"])
        per_activity = max(rows // len(activities), 1)
        for i in range(rows):
            title, day = activities[(i // per_activity) % len(activities)]
            writer.writerow([title, day, emails[i % len(emails)], "Yes", "2.5"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="ahsn_bench_import")
    parser.add_argument("--rows", type=int, default=50000)
    args = parser.parse_args()
    url, admin_url = _database_url(args.database)
    _recreate(args.database, admin_url)
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = "memory://"
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-import-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ahsn_portal.settings.local")
    import django

    django.setup()
    # The portal's modules can only be imported once Django is set up with this database.
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from imports import services
    from involvement.models import Participation

    call_command("migrate", verbosity=0)
    # 100 people at each activity: 500 activities x 100 = 50,000 distinct participations.
    activities = max(args.rows // 100, 1)
    organisation, lead, keys, emails = build(activities=activities, partners=max(2000, 100))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "participation.csv"
        write_csv(path, rows=args.rows, activities=keys, emails=emails)
        size_mb = path.stat().st_size / (1024 * 1024)
        print(f"File: {args.rows:,} rows, {size_mb:.1f} MB; memory before: {peak_mb():.0f} MB peak")
        data = path.read_bytes()

        started = time.perf_counter()
        batch = services.import_upload(
            actor=lead,
            organisation=organisation,
            kind="participation",
            upload=SimpleUploadedFile("participation.csv", data),
        )
        del data
        check_seconds = time.perf_counter() - started
        print(
            f"Upload and check: {check_seconds:6.1f} s, {batch.ready_count:,} ready, "
            f"{batch.problem_count:,} need changes; peak memory {peak_mb():.0f} MB"
        )
        services.import_confirm(actor=lead, batch=batch, run=False)
        started = time.perf_counter()
        done = services.import_run(batch_id=batch.pk)
        run_seconds = time.perf_counter() - started
        count = Participation.objects.count()
        print(
            f"Import:           {run_seconds:6.1f} s, {count:,} participations created; peak memory {peak_mb():.0f} MB"
        )

        again = services.import_upload(
            actor=lead,
            organisation=organisation,
            kind="participation",
            upload=SimpleUploadedFile("participation.csv", path.read_bytes()),
        )
        print(f"Second import:    {again.existing_count:,} already there, {again.ready_count:,} new (must be 0)")
    ok = done is not None and done.status == "done" and count == args.rows and again.ready_count == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
