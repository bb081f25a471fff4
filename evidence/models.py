"""Case studies: how involvement changed things, told by an AHSN and shared across the network.

* `CaseStudy` — written from an outcome or a programme; draft → shared with the network →
  published publicly. Its figures (activities, people, levels, methods, stages, seldom-heard
  groups, priorities) are filled from the portal each time it is saved.
* `CaseStudyQuote` — a lay partner's words, used only once they agree (named or anonymous, as they
  choose); they can refuse, or change their answer later.
* `DevelopmentSession` — learning and development (training, briefings, mentoring, conferences)
  for staff, partners or both; `SessionAttendance` records who took part (one row per person),
  `SessionRequest` a lay partner asking to take part in an upcoming one.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q

from core.choices import InnovationStage, InvolvementMethod, LadderLevel, SeldomHeardGroup


class CaseStudyState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SHARED = "shared", "Shared with the network"
    PUBLISHED = "published", "Published publicly"


def _choices_array(choices: list[tuple[str, str]], name: str) -> ArrayField:
    return ArrayField(models.CharField(max_length=40, choices=choices), default=list, blank=True, verbose_name=name)


class CaseStudy(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="case_studies", help_text="The AHSN telling it."
    )
    outcome = models.ForeignKey(
        "involvement.Outcome", on_delete=models.PROTECT, null=True, blank=True, related_name="case_studies"
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, null=True, blank=True, related_name="case_studies"
    )
    title = models.CharField(max_length=200)
    challenge = models.TextField("what the challenge was")
    involvement = models.TextField("who was involved and how")
    what_changed = models.TextField("what changed")
    state = models.CharField(max_length=10, choices=CaseStudyState.choices, default=CaseStudyState.DRAFT)
    # Figures from the portal, filled by `services.case_study_refresh_figures`.
    activity_count = models.PositiveIntegerField(default=0)
    people_count = models.PositiveIntegerField("lay partners who took part", default=0)
    levels = _choices_array(LadderLevel.choices, "levels reached")
    methods = _choices_array(InvolvementMethod.choices, "methods")
    stages = _choices_array(InnovationStage.choices, "innovation stages")
    seldom_heard_groups = _choices_array(SeldomHeardGroup.choices, "seldom-heard groups")
    priorities = models.ManyToManyField("programmes.StrategyPriority", blank=True, related_name="case_studies")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name_plural = "case studies"
        indexes = [
            models.Index(fields=["organisation", "-updated_at"], name="casestudy_org_updated"),
            models.Index(fields=["state", "-updated_at"], name="casestudy_state_updated"),
            GinIndex(fields=["levels"], name="casestudy_levels"),
            GinIndex(fields=["methods"], name="casestudy_methods"),
            GinIndex(fields=["stages"], name="casestudy_stages"),
            GinIndex(fields=["seldom_heard_groups"], name="casestudy_seldom_heard"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__isnull=False) | Q(programme__isnull=False), name="casestudy_has_a_source"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.state == CaseStudyState.DRAFT

    @property
    def is_published(self) -> bool:
        return self.state == CaseStudyState.PUBLISHED

    def labels(self, field: str, choices: list[tuple[str, str]]) -> list[str]:
        names = dict(choices)
        return [str(names.get(value, value)) for value in getattr(self, field)]

    @property
    def level_labels(self) -> list[str]:
        return self.labels("levels", LadderLevel.choices)

    @property
    def method_labels(self) -> list[str]:
        return self.labels("methods", InvolvementMethod.choices)

    @property
    def stage_labels(self) -> list[str]:
        return self.labels("stages", InnovationStage.choices)

    @property
    def seldom_heard_labels(self) -> list[str]:
        return self.labels("seldom_heard_groups", SeldomHeardGroup.choices)


class QuoteConsent(models.TextChoices):
    ASKED = "asked", "Waiting for their answer"
    AGREED = "agreed", "Agreed"
    REFUSED = "refused", "Refused"


class Attribution(models.TextChoices):
    NAMED = "named", "With my name"
    ANONYMOUS = "anonymous", "Without my name (as “a lay partner”)"


class CaseStudyQuote(models.Model):
    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="quotes")
    partner = models.ForeignKey("partners.LayPartner", on_delete=models.PROTECT, related_name="case_study_quotes")
    text = models.TextField("what they said")
    consent = models.CharField(max_length=10, choices=QuoteConsent.choices, default=QuoteConsent.ASKED)
    attribution = models.CharField(max_length=10, choices=Attribution.choices, blank=True)
    asked_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["case_study", "id"]
        indexes = [models.Index(fields=["partner", "consent"], name="quote_partner_consent")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(consent="agreed") | ~Q(attribution=""), name="quote_agreed_says_how_to_name"
            ),
        ]

    def __str__(self) -> str:
        return f"Quote {self.pk} in case study {self.case_study_id}"

    @property
    def is_agreed(self) -> bool:
        return self.consent == QuoteConsent.AGREED

    @property
    def attributed_to(self) -> str:
        """How the quote is credited where it is shown: only ever after the partner agreed."""
        if self.attribution == Attribution.NAMED:
            return self.partner.full_name
        return "A lay partner"


# ---------------------------------------------------------------- learning and development


class SessionKind(models.TextChoices):
    TRAINING = "training", "Training"
    BRIEFING = "briefing", "Briefing"
    MENTORING = "mentoring", "Mentoring"
    CONFERENCE = "conference", "Conference"


class SessionAudience(models.TextChoices):
    STAFF = "staff", "Staff"
    PARTNERS = "partners", "Lay partners"
    BOTH = "both", "Staff and lay partners"


class DevelopmentSession(models.Model):
    """A learning and development opportunity an AHSN ran or sent people to (strategy 3.2)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="development_sessions"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=SessionKind.choices)
    date = models.DateField()
    audience = models.CharField("for", max_length=10, choices=SessionAudience.choices)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organisation", "-date"], name="devsession_org_date")]

    def __str__(self) -> str:
        return self.title

    @property
    def open_to_partners(self) -> bool:
        return self.audience in (SessionAudience.PARTNERS, SessionAudience.BOTH)

    @property
    def open_to_staff(self) -> bool:
        return self.audience in (SessionAudience.STAFF, SessionAudience.BOTH)


class SessionAttendance(models.Model):
    """One person who took part in a session: a member of staff or a lay partner, once each."""

    session = models.ForeignKey(DevelopmentSession, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="session_attendances"
    )
    partner = models.ForeignKey(
        "partners.LayPartner", on_delete=models.PROTECT, null=True, blank=True, related_name="session_attendances"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, partner__isnull=True) | Q(user__isnull=True, partner__isnull=False),
                name="attendance_staff_or_partner",
            ),
            models.UniqueConstraint(
                fields=["session", "user"], condition=Q(user__isnull=False), name="attendance_once_per_staff"
            ),
            models.UniqueConstraint(
                fields=["session", "partner"], condition=Q(partner__isnull=False), name="attendance_once_per_partner"
            ),
        ]

    def __str__(self) -> str:
        return f"Attendance {self.pk} at session {self.session_id}"

    @property
    def person_name(self) -> str:
        if self.partner is not None:
            return self.partner.full_name
        return self.user.get_full_name() if self.user is not None else ""


class RequestState(models.TextChoices):
    ASKED = "asked", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class SessionRequest(models.Model):
    """A lay partner asking to take part in an upcoming session open to partners."""

    session = models.ForeignKey(DevelopmentSession, on_delete=models.CASCADE, related_name="requests")
    partner = models.ForeignKey("partners.LayPartner", on_delete=models.PROTECT, related_name="session_requests")
    state = models.CharField(max_length=10, choices=RequestState.choices, default=RequestState.ASKED)
    asked_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["asked_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "partner"], name="session_request_once")]

    def __str__(self) -> str:
        return f"Request {self.pk} for session {self.session_id}"
