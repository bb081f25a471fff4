"""A file of 50,000 rows works, and is read as a stream (its timing is in benchmarks/bench_import.py)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from imports.models import ImportStatus
from imports.reading import numbered_rows
from involvement.models import Activity, Participation
from partners.models import LayPartner, PartnerLink
from tests.imports.files import csv_bytes, import_now, upload
from tests.programmes.factories import ProgrammeFactory

ROWS = 50_000


class CountingFile(io.BytesIO):
    """Remembers how far into the file anything has read."""

    furthest = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.furthest = max(self.furthest, self.tell())
        return data

    def __next__(self) -> bytes:
        line = super().__next__()
        self.furthest = max(self.furthest, self.tell())
        return line


def test_rows_are_streamed_not_read_whole():
    data = csv_bytes([["Activity title", "Hours"]] + [[f"Activity {i}", "2"] for i in range(ROWS)])
    handle = CountingFile(data)
    rows = numbered_rows(handle, file_format="csv", encoding="utf-8-sig")
    first = [next(rows) for _ in range(10)]
    assert first[-1] == (10, ["Activity 8", "2"])
    assert 0 < handle.furthest < len(data) / 4


@pytest.mark.django_db
def test_a_file_of_50000_participations_is_checked_and_imported(lead, wessex):
    programme = ProgrammeFactory(organisation=wessex)
    start = timezone.now() - timedelta(days=600)
    activities = Activity.objects.bulk_create(
        Activity(
            organisation=wessex,
            programme=programme,
            title=f"Session {i}",
            starts_at=start + timedelta(days=i),
            ends_at=start + timedelta(days=i, hours=2),
            format="online",
            method="workshop",
            level="engagement",
            status="completed",
        )
        for i in range(500)
    )
    partners = LayPartner.objects.bulk_create(
        LayPartner(reference=f"LP-T{i:07d}", full_name=f"Person {i}", email=f"p{i}@example.net") for i in range(100)
    )
    PartnerLink.objects.bulk_create(
        PartnerLink(partner=p, organisation=wessex, joined_on=start.date()) for p in partners
    )
    days = {a.pk: timezone.localtime(a.starts_at).strftime("%d/%m/%Y") for a in activities}
    rows = [["Activity title", "Activity date", "Partner email", "Attended", "Hours"]]
    rows += [[a.title, days[a.pk], p.email, "yes", "1.5"] for a in activities for p in partners]
    assert len(rows) == ROWS + 1
    batch = upload(csv_bytes(rows), actor=lead, organisation=wessex, kind="participation", name="history.csv")
    assert (batch.ready_count, batch.problem_count) == (ROWS, 0)
    batch = import_now(batch, actor=lead)
    assert batch.status == ImportStatus.DONE
    assert Participation.objects.filter(from_history=True).count() == ROWS
    assert len(batch.created["participations"]) == ROWS
