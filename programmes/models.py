"""Programmes (the AHSN work that people are involved in) and the strategy priorities they serve."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.choices import InnovationStage, LadderLevel, SeldomHeardGroup
from core.quarters import FinancialQuarter


class StrategyPriority(models.Model):
    """One priority of the involvement and co-production strategy (for 2021-23: 1.1 to 4.2).

    Rows come from a data migration; network admins can add a later strategy's priorities
    without a code change."""

    code = models.CharField(max_length=10, help_text="For example 1.1")
    theme = models.CharField(max_length=100, help_text="For example Visible leadership")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    strategy = models.CharField(max_length=20, default="2021-23", help_text="The strategy period, for example 2021-23")
    order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Inactive priorities cannot be chosen for new work.")

    class Meta:
        ordering = ["strategy", "order", "code"]
        verbose_name_plural = "strategy priorities"
        constraints = [
            models.UniqueConstraint(fields=["strategy", "code"], name="strategypriority_code_per_strategy"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ProgrammeType(models.TextChoices):
    SPREAD = "spread_and_adoption", "Spread and adoption"
    PATIENT_SAFETY = "patient_safety_collaborative", "Patient Safety Collaborative"
    PIPELINE = "innovation_pipeline", "Innovation pipeline"
    LOCAL = "local", "Local programme"
    NATIONAL = "national", "National programme"


class ProgrammeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


class Programme(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="programmes",
        help_text="The AHSN that owns the programme.",
    )
    name = models.CharField(max_length=200)
    programme_type = models.CharField("type", max_length=40, choices=ProgrammeType.choices)
    innovation_stage = models.CharField(max_length=40, choices=InnovationStage.choices)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programmes_led",
    )
    status = models.CharField(max_length=10, choices=ProgrammeStatus.choices, default=ProgrammeStatus.ACTIVE)
    # When the work itself started and stopped, which is what the quarterly report counts; not when
    # someone typed it into the portal (`created_at`).
    start_on = models.DateField("start date", default=timezone.localdate)
    closed_on = models.DateField("closed date", null=True, blank=True, help_text="Only for a closed programme.")
    priorities = models.ManyToManyField(StrategyPriority, blank=True, related_name="programmes")
    involvement_plan = models.TextField(blank=True)
    equality_impact_note = models.TextField(blank=True)
    shared_with = models.ManyToManyField(
        "accounts.Organisation",
        blank=True,
        related_name="programmes_shared_with",
        help_text="Other AHSNs that may log activities against this programme.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["organisation", "status", "name"], name="programme_org_status"),
            models.Index(fields=["programme_type"], name="programme_type"),
            models.Index(fields=["innovation_stage"], name="programme_stage"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="programme_name_per_ahsn"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("start_on")),
                name="programme_closes_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlannedInvolvement(models.Model):
    """One line of a programme's involvement plan: at which innovation stage, at what level on the
    ladder of co-production, with whom (seldom-heard groups) and roughly when (a financial quarter).

    Compared with the activities logged against the programme by `involvement.selectors.plan_against_delivery`."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="planned_involvement")
    stage = models.CharField("innovation stage", max_length=40, choices=InnovationStage.choices)
    level = models.CharField("level on the ladder of co-production", max_length=20, choices=LadderLevel.choices)
    seldom_heard_groups = ArrayField(
        models.CharField(max_length=40, choices=SeldomHeardGroup.choices),
        default=list,
        blank=True,
        verbose_name="with whom (seldom-heard groups)",
    )
    # Roughly when: a financial quarter, kept as its first and last day so plans compare in SQL.
    period_start = models.DateField("planned from")
    period_end = models.DateField("planned by")
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period_start", "id"]
        verbose_name_plural = "planned involvement"
        indexes = [models.Index(fields=["programme", "period_start"], name="planned_programme_period")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="planned_period_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} at {self.get_stage_display()} by {self.period_end:%B %Y}"

    @property
    def quarter(self) -> FinancialQuarter:
        return FinancialQuarter.containing(self.period_start)

    @property
    def seldom_heard_labels(self) -> list[str]:
        labels = dict(SeldomHeardGroup.choices)
        return [str(labels.get(value, value)) for value in self.seldom_heard_groups]
