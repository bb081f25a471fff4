"""Quarterly priority-progress reports: one stored, immutable version per compile.

A `QuarterlyReport` is one version of one scope's report (an AHSN, or the AHSN Network for
the network roll-up) for one financial quarter. Compiling makes a new version; a version's
indicator values and files never change once it is ready, except that a lead may add a short
narrative per priority before publishing it (publishing renders the files once more, with the
narrative, and freezes the version)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.quarters import FinancialQuarter


class ReportStatus(models.TextChoices):
    COMPILING = "compiling", "Compiling"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class QuarterlyReport(models.Model):
    scope = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="quarterly_reports",
        help_text="The AHSN, or the AHSN Network for the network roll-up.",
    )
    quarter = models.CharField(max_length=12, help_text='For example "2026/27 Q3".')
    quarter_start = models.DateField(help_text="First day of the quarter, for ordering.")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.COMPILING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done while compiling.")
    progress_message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the quarterly schedule compiled it.",
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    indicators = models.JSONField(default=dict, blank=True)
    narrative = models.JSONField(default=dict, blank=True, help_text="A short narrative per priority theme.")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Names in the private storage (settings.STORAGES["private"]); served only through views.
    html_file = models.CharField(max_length=255, blank=True)
    csv_file = models.CharField(max_length=255, blank=True)
    pdf_file = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-quarter_start", "scope__name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "quarter", "version"], name="quarterlyreport_version"),
            # The compile lock: at most one compile of a scope and quarter runs at a time.
            models.UniqueConstraint(
                fields=["scope", "quarter"],
                condition=Q(status="compiling"),
                name="quarterlyreport_one_compile_at_a_time",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="quarterlyreport_version_positive"),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status="ready"),
                name="quarterlyreport_only_ready_published",
            ),
        ]
        indexes = [
            models.Index(fields=["scope", "-quarter_start", "-version"], name="quarterlyreport_scope_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.scope.short_name} {self.quarter} version {self.version}"

    @property
    def financial_quarter(self) -> FinancialQuarter:
        return FinancialQuarter.parse(self.quarter)

    @property
    def is_ready(self) -> bool:
        return self.status == ReportStatus.READY

    @property
    def is_compiling(self) -> bool:
        return self.status == ReportStatus.COMPILING

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_network(self) -> bool:
        return bool(self.scope.is_network)
