"""Involvement activities, who took part, what changed because of it, and how it felt.

* `Activity` — one session, meeting, survey or panel run by an AHSN (forum meetings too).
* `Participation` — one lay partner's part in one activity; attended with hours is claimable.
* `Outcome` — "you said, we did" on an activity or a programme.
* `Feedback` — a lay partner's view of one activity they attended.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.choices import ActivityFormat, InnovationStage, InvolvementMethod, LadderLevel, SeldomHeardGroup, SupportType
from involvement.evidence_files import PrivateEvidenceStorage
from partners.models import PartnerLink


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Activity(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="activities",
        help_text="The AHSN running the activity.",
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        help_text="Empty for forum meetings.",
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends")
    format = models.CharField(max_length=20, choices=ActivityFormat.choices)
    location = models.CharField(max_length=255, blank=True)
    joining_details = models.TextField("joining details", blank=True)
    # Empty in the database too, so rows written without these columns (an older release during a
    # deploy, a data migration's historical model) still insert.
    purpose = models.TextField(
        "what it is for",
        blank=True,
        db_default="",
        help_text="What the activity is for and what will change because of it.",
    )
    what_to_expect = models.TextField(
        "what to expect",
        blank=True,
        db_default="",
        help_text="What people taking part will do, and anything to prepare.",
    )
    method = models.CharField(max_length=30, choices=InvolvementMethod.choices)
    level = models.CharField("level on the ladder of co-production", max_length=20, choices=LadderLevel.choices)
    stage = models.CharField("innovation stage", max_length=40, choices=InnovationStage.choices, blank=True)
    priorities = models.ManyToManyField("programmes.StrategyPriority", blank=True, related_name="activities")
    seldom_heard_groups = ArrayField(
        models.CharField(max_length=40, choices=SeldomHeardGroup.choices),
        default=list,
        blank=True,
        verbose_name="seldom-heard groups reached",
    )
    support_offered = ArrayField(
        models.CharField(max_length=40, choices=SupportType.choices),
        default=list,
        blank=True,
        verbose_name="support offered",
    )
    public_participants_count = models.PositiveIntegerField(
        "members of the public who took part without a record",
        default=0,
    )
    status = models.CharField(max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED)
    cancellation_reason = models.TextField(blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities_led",
        help_text="The member of staff responsible; reminders go to them.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["organisation", "-starts_at"], name="activity_org_starts"),
            # Newest first across every organisation (a network admin's list): the org index
            # cannot give that order for sixteen organisations at once.
            models.Index(fields=["-starts_at", "-id"], name="activity_starts_id"),
            # "Completed, no outcome yet" (staff home): newest completed first, so the anti-join
            # stops after the ten it shows instead of hashing every outcome.
            models.Index(fields=["-ends_at", "-id"], condition=Q(status="completed"), name="activity_completed_ends"),
            models.Index(fields=["programme", "-starts_at"], name="activity_programme_starts"),
            models.Index(fields=["organisation", "status", "-starts_at"], name="activity_org_status"),
            # Level and method filters also serve the list's newest-first order (and its page count).
            models.Index(fields=["organisation", "level", "-starts_at"], name="activity_org_level_starts"),
            models.Index(fields=["organisation", "method", "-starts_at"], name="activity_org_method_starts"),
            models.Index(fields=["lead", "status", "ends_at"], name="activity_lead_status"),
            # Activities that ended in a window, across every organisation: the reminder sweeps
            # ("took part a week ago", "claim deadline near") and anything claimable by everyone
            # (`payments.selectors.last_day_between`) read a range of this, not the whole table.
            models.Index(fields=["ends_at"], name="activity_ends"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancellation_reason=""),
                name="activity_cancel_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == ActivityStatus.CANCELLED

    @property
    def seldom_heard_labels(self) -> list[str]:
        labels = dict(SeldomHeardGroup.choices)
        return [str(labels.get(value, value)) for value in self.seldom_heard_groups]

    @property
    def support_labels(self) -> list[str]:
        labels = dict(SupportType.choices)
        return [str(labels.get(value, value)) for value in self.support_offered]


class ParticipationQuerySet(models.QuerySet["Participation"]):
    def claimable(self) -> ParticipationQuerySet:
        """Attended, with hours, on an activity that went ahead, with an AHSN the partner is linked to.

        The payments app excludes participations that already have a fee line."""

        return (
            self.filter(attended=True, hours__gt=0, from_history=False)
            .exclude(activity__status=ActivityStatus.CANCELLED)
            .filter(
                Exists(
                    PartnerLink.objects.filter(
                        partner_id=OuterRef("partner_id"), organisation_id=OuterRef("activity__organisation_id")
                    )
                )
            )
        )


class ParticipationResponse(models.TextChoices):
    """The lay partner's answer to "will you come?", which they can change until it starts."""

    NONE = "", "Not answered yet"
    COMING = "coming", "Coming"
    APOLOGIES = "apologies", "Sent apologies"


class Participation(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participations")
    partner = models.ForeignKey("partners.LayPartner", on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=100, blank=True, help_text="For example panel member or co-facilitator.")
    expected_hours = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    attended = models.BooleanField(null=True, blank=True, help_text="Empty until attendance is recorded.")
    hours = models.DecimalField("hours taken part", max_digits=5, decimal_places=2, null=True, blank=True)
    from_history = models.BooleanField(
        "from earlier records",
        default=False,
        help_text="Imported from the AHSN's spreadsheets: any payment was settled outside the portal, so it is "
        "never claimed here and never reminded about.",
    )
    response = models.CharField(
        "their answer", max_length=10, choices=ParticipationResponse.choices, default="", blank=True
    )
    apology_reason = models.TextField("reason for apologies", blank=True)
    responded_at = models.DateTimeField("answered", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The partner's full name, kept here by the database alone (triggers, migration 0011) whatever
    # writes the participation or renames the partner: the staff activity page lists people by name
    # from the (activity, name) index. Sorted through a join, PostgreSQL read every lay partner in
    # the network to put 1,000 people in order.
    partner_sort_name = models.CharField(max_length=200, default="", editable=False)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["activity", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "partner"], name="participation_once_per_activity"),
            models.CheckConstraint(
                condition=Q(expected_hours__gte=0), name="participation_expected_hours_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0), name="participation_hours_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "attended"], name="participation_partner_attended"),
            # The "unclaimed" reminder's run every ten minutes looks only at what changed since the last.
            models.Index(fields=["updated_at"], name="participation_updated"),
            models.Index(fields=["activity", "partner_sort_name", "id"], name="participation_by_name"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} at {self.activity}"

    @property
    def is_claimable(self) -> bool:
        """Same rule as `Participation.objects.claimable()` minus the link check (needs a query)."""
        return bool(
            self.attended and self.hours and self.hours > 0 and not self.from_history and not self.activity.is_cancelled
        )


class OutcomeStatus(models.TextChoices):
    CONSIDERED = "considered", "Being considered"
    IN_PROGRESS = "in_progress", "In progress"
    CHANGED = "changed", "Changed"
    NOT_TAKEN_FORWARD = "not_taken_forward", "Not taken forward"


class Outcome(models.Model):
    """ "You said, we did": what we heard from people and what we did about it."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="outcomes",
        help_text="The AHSN that recorded it (the activity's or programme's).",
    )
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="outcomes")
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, null=True, blank=True, related_name="outcomes"
    )
    what_we_heard = models.TextField("what we heard")
    what_we_did = models.TextField("what we did")
    status = models.CharField(max_length=20, choices=OutcomeStatus.choices)
    reason = models.TextField(blank=True, help_text="Why it was not taken forward.")
    decided_on = models.DateField("date")
    shareable = models.BooleanField("can be shared as an example in reports", default=False)
    public = models.BooleanField(
        "shown on the AHSN's public “You said, we did” page",
        default=False,
        help_text="Only what we heard, what we did, where it is now and the date: never a person's name.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-decided_on"], name="outcome_org_decided"),
            models.Index(fields=["status"], name="outcome_status"),
            models.Index(fields=["organisation", "-decided_on"], condition=Q(public=True), name="outcome_public"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(activity__isnull=False) & Q(programme__isnull=True))
                | (Q(activity__isnull=True) & Q(programme__isnull=False)),
                name="outcome_on_activity_or_programme",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_taken_forward") | ~Q(reason=""),
                name="outcome_not_taken_forward_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.what_we_heard[:80]


def _evidence_path(instance: OutcomeStatusChange, filename: str) -> str:
    # The stored name says nothing about the person or the file's own name (kept in evidence_name).
    return f"outcome-evidence/{instance.outcome_id}/{uuid.uuid4().hex}"


class OutcomeStatusChange(models.Model):
    """One step in an outcome's history: the first row is its recording, then every status move.

    Append-only: a database trigger (migration 0005) refuses UPDATE and DELETE, as for the audit
    log. Written only by `services.outcome_record` and `services.outcome_status_change`."""

    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(
        max_length=20, choices=OutcomeStatus.choices, blank=True, help_text="Empty for the row that records it."
    )
    to_status = models.CharField(max_length=20, choices=OutcomeStatus.choices)
    changed_on = models.DateField("date of the change")
    note = models.CharField(max_length=300, help_text="What happened, in a sentence or two.")
    reason = models.TextField(blank=True, help_text="Why it was not taken forward.")
    evidence_link = models.URLField("link to evidence", max_length=500, blank=True)
    evidence_file = models.FileField(
        upload_to=_evidence_path, storage=PrivateEvidenceStorage(), max_length=300, blank=True
    )
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_content_type = models.CharField(max_length=120, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["outcome", "changed_on", "id"]
        indexes = [
            # "Status at the end of a quarter": the latest row on or before a date, per outcome.
            models.Index(fields=["outcome", "changed_on", "id"], name="outcome_change_outcome_on"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(from_status=models.F("to_status")), name="outcome_change_moves"),
            models.CheckConstraint(
                condition=~Q(to_status="not_taken_forward") | ~Q(reason=""),
                name="outcome_change_not_taken_forward_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome_id}: {self.from_status or 'recorded'} to {self.to_status}"

    @property
    def is_first(self) -> bool:
        return not self.from_status


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Feedback(models.Model):
    """A lay partner's view of one activity they attended: four scores from 1 to 5 and free text."""

    participation = models.OneToOneField(Participation, on_delete=models.CASCADE, related_name="feedback")
    listened_to = models.PositiveSmallIntegerField("I felt listened to", validators=SCORE_VALIDATORS)
    role_clear = models.PositiveSmallIntegerField("My role was clear", validators=SCORE_VALIDATORS)
    support_right = models.PositiveSmallIntegerField("The support was right for me", validators=SCORE_VALIDATORS)
    take_part_again = models.PositiveSmallIntegerField("I would take part again", validators=SCORE_VALIDATORS)
    comments = models.TextField(blank=True)
    may_use_name = models.BooleanField("staff may see my name with my comments", default=False)
    submitted_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(
                condition=Q(listened_to__gte=1, listened_to__lte=5)
                & Q(role_clear__gte=1, role_clear__lte=5)
                & Q(support_right__gte=1, support_right__lte=5)
                & Q(take_part_again__gte=1, take_part_again__lte=5),
                name="feedback_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.participation_id}"


class ProgrammeFiguresVersion(models.Model):
    """How many times the figures on a programme's page may have changed: people, hours, levels,
    feedback and the most involved partners, summed over all the programme's activities.

    Only the database writes it: triggers on activities, participations, feedback, outcomes and lay
    partners' names (migration 0009) add one for every programme a statement touches, whatever
    made the change (a form, a bulk update, an import, forgetting a partner). The page's figures
    are cached under this number (`selectors.programme_figures`), so a change shows at once and an
    unchanged programme of 3,000 activities is not summed again on every view. No foreign key: a
    programme deleted leaves a harmless row, and a trigger never waits on the programme's row."""

    programme_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Programme {self.programme_id}: version {self.version}"
