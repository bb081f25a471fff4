"""Moving in: one uploaded spreadsheet of one kind of record, from upload to import (and undo).

The uploaded file is kept in the private storage (never a local path) so the check, the problems
CSV and the background import all read the very same bytes, streamed. What the import created is
recorded by id (`created`), so an undo removes exactly that and nothing else."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils import timezone
from django.utils.functional import LazyObject

UNDO_DAYS = 7


class _PrivateStorage(LazyObject):
    """`storages["private"]` looked up on each use, so a changed setting (tests) is honoured."""

    def _setup(self) -> None:
        self._wrapped = storages["private"]


def private_storage() -> Storage:
    return _PrivateStorage()  # type: ignore[return-value]


class ImportKind(models.TextChoices):
    PARTNERS = "partners", "Lay partners"
    PROGRAMMES = "programmes", "Programmes"
    ACTIVITIES = "activities", "Activities"
    PARTICIPATION = "participation", "Participation (attendance and hours)"


class ImportStatus(models.TextChoices):
    NEEDS_COLUMNS = "needs_columns", "Columns to match"
    CHECKED = "checked", "Checked, waiting for you to confirm"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"
    UNDONE = "undone", "Undone"


class ImportBatch(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="imports")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.NEEDS_COLUMNS)
    file = models.FileField(storage=private_storage, upload_to="imports/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=4)  # "csv" or "xlsx", decided by the content
    encoding = models.CharField(max_length=20, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    headers = models.JSONField(default=list)
    # {field name: column number (0-based)}
    columns = models.JSONField(default=dict)
    row_count = models.PositiveIntegerField(default=0)
    ready_count = models.PositiveIntegerField(default=0)
    existing_count = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    # [{"row": n, "problems": [...]}, ...] for the first rows that need changes (the CSV has them all).
    problems = models.JSONField(default=list)
    # [{"row": n, "partner": id, "label": str, "by": "email"|"name and postcode"}, ...]
    matches = models.JSONField(default=list)
    # {row number (str): "same" | "new"} for rows matched by name and postcode.
    decisions = models.JSONField(default=dict)
    # {"partners": [ids], "links": [ids], ...}: what the import created, for undo.
    created = models.JSONField(default=dict)
    created_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "import"
        indexes = [models.Index(fields=["organisation", "-created_at"], name="import_org_created")]

    def __str__(self) -> str:
        return f"Import {self.pk}: {self.get_kind_display()} from {self.original_name}"

    @property
    def undo_until(self) -> datetime | None:
        return self.imported_at + timedelta(days=UNDO_DAYS) if self.imported_at else None

    @property
    def can_be_undone(self) -> bool:
        until = self.undo_until
        return self.status == ImportStatus.DONE and until is not None and timezone.now() < until


class ColumnChoice(models.Model):
    """How an organisation's spreadsheets name their columns, for one kind: remembered for next time."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    # {normalised header: field name}
    headers = models.JSONField(default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="columnchoice_once_per_kind")]

    def __str__(self) -> str:
        return f"Columns for {self.get_kind_display()} at {self.organisation_id}"
