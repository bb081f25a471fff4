"""An opportunity to take part, and the people interested in it.

* `Opportunity` — what an AHSN invites people to do, in plain English: draft → open → closed →
  filled or cancelled (every move in `opportunities.services`, the row locked, audited).
* `Interest` — one partner's "I'm interested" in one opportunity (one row per partner per
  opportunity, enforced by the database): interested, withdrawn, selected, reserve or declined.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from core.choices import InvolvementMethod, SupportType
from forum.models import private_storage


class WayToTakePart(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    PHONE = "phone", "By phone"
    POST = "post", "By post"
    OWN_TIME = "own_time", "In your own time"


class OpportunityState(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    FILLED = "filled", "Filled"
    CANCELLED = "cancelled", "Cancelled"


class PaymentOffer(models.TextChoices):
    PAID = "paid", "Paid at our rates for your time, plus expenses"
    EXPENSES_ONLY = "expenses_only", "Expenses only"


class Opportunity(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="opportunities", help_text="The AHSN."
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, null=True, blank=True, related_name="opportunities"
    )
    activities = models.ManyToManyField("involvement.Activity", blank=True, related_name="opportunities")
    role_title = models.CharField(
        "role", max_length=200, blank=True, help_text="For a role with no activity, like a lay reviewer for a year."
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities_led",
        help_text="The member of staff who chooses people and answers questions.",
    )
    title = models.CharField(max_length=200)
    purpose = models.TextField("what it is for and what will change because of it")
    what_you_would_do = models.TextField("what you would do")
    starts_on = models.DateField("starts", null=True, blank=True)
    ends_on = models.DateField("ends", null=True, blank=True)
    hours = models.CharField("how long each time", max_length=100, blank=True)
    how_often = models.CharField("how often", max_length=200, blank=True)
    ways_to_take_part = ArrayField(
        models.CharField(max_length=20, choices=WayToTakePart.choices), default=list, blank=True
    )
    method = models.CharField("kind of involvement", max_length=30, choices=InvolvementMethod.choices, blank=True)
    where = models.CharField("where", max_length=255, blank=True)
    who_for = models.TextField("who it is for", blank=True)
    area = models.CharField(max_length=200, blank=True)
    support_offered = ArrayField(models.CharField(max_length=40, choices=SupportType.choices), default=list, blank=True)
    payment = models.CharField(max_length=20, choices=PaymentOffer.choices, default=PaymentOffer.PAID)
    how_chosen = models.TextField("how people will be chosen")
    hear_by = models.DateField("when people will hear", null=True, blank=True)
    closes_on = models.DateField("closing date")
    topics = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    easy_read_text = models.TextField("easy read version", blank=True)
    easy_read_file = models.FileField(storage=private_storage, upload_to="opportunities/easy-read/", blank=True)
    image = models.FileField(storage=private_storage, upload_to="opportunities/images/", blank=True)
    image_content_type = models.CharField(max_length=40, blank=True)
    image_alt = models.CharField("image description", max_length=250, blank=True)
    open_to_new_people = models.BooleanField("open to people who are not lay partners yet", default=False)
    state = models.CharField(max_length=10, choices=OpportunityState.choices, default=OpportunityState.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    filled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name_plural = "opportunities"
        indexes = [
            models.Index(fields=["organisation", "state", "-created_at"], name="opportunity_org_state"),
            models.Index(fields=["state", "-opened_at", "closes_on"], name="opportunity_open_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="cancelled") | ~Q(cancellation_reason=""),
                name="opportunity_cancel_needs_reason",
            ),
            models.CheckConstraint(condition=Q(image="") | ~Q(image_alt=""), name="opportunity_image_needs_alt_text"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state == OpportunityState.OPEN

    @property
    def ways_labels(self) -> list[str]:
        labels = dict(WayToTakePart.choices)
        return [str(labels.get(value, value)) for value in self.ways_to_take_part]

    @property
    def support_labels(self) -> list[str]:
        labels = dict(SupportType.choices)
        return [str(labels.get(value, value)) for value in self.support_offered]


class InterestStatus(models.TextChoices):
    INTERESTED = "interested", "Interested"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SELECTED = "selected", "Selected"
    RESERVE = "reserve", "On the reserve list"
    DECLINED = "declined", "Not chosen this time"


class Interest(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="interests")
    partner = models.ForeignKey("partners.LayPartner", on_delete=models.PROTECT, related_name="opportunity_interests")
    status = models.CharField(max_length=12, choices=InterestStatus.choices, default=InterestStatus.INTERESTED)
    why = models.TextField("why they would like to take part", blank=True)
    availability = models.TextField(blank=True)
    needs_checked = models.BooleanField(
        default=False, help_text="They checked their support and communication needs when saying they were interested."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when staff recorded it on the partner's behalf.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "partner"], name="interest_once_per_partner"),
        ]
        indexes = [
            models.Index(fields=["opportunity", "status", "created_at"], name="interest_opportunity_status"),
            models.Index(fields=["partner", "status"], name="interest_partner_status"),
        ]

    def __str__(self) -> str:
        return f"Interest {self.pk} in {self.opportunity_id}"

    @property
    def on_behalf(self) -> bool:
        return self.recorded_by_id is not None
