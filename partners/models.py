"""Lay partners: the patients, carers and members of the public who get involved.

A LayPartner may have a login (`user`) or not (assisted digital: staff act for them).
Each AHSN they work with has its own `PartnerLink`; an AHSN sees only its own link.
Equality monitoring answers live in their own table and are only ever read in aggregate."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from core.choices import CommunicationNeed, ContactMethod, InvolvementMethod, PaymentPreference


def _choice_array(choices: type[models.TextChoices], verbose_name: str) -> ArrayField:
    return ArrayField(
        models.CharField(max_length=40, choices=choices.choices),
        default=list,
        blank=True,
        verbose_name=verbose_name,
    )


class LayPartner(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lay_partner",
        help_text="Empty for an assisted-digital partner who has no login.",
    )
    # Pseudonymous reference that stays on financial records after a partner leaves.
    reference = models.CharField(max_length=20, unique=True, editable=False)
    full_name = models.CharField("full name", max_length=200)
    preferred_name = models.CharField("preferred name", max_length=100, blank=True)
    pronouns = models.CharField(max_length=50, blank=True)
    email = models.EmailField("email address", blank=True)
    phone = models.CharField("phone number", max_length=30, blank=True)
    address = models.TextField("postal address", blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    contact_methods = _choice_array(ContactMethod, "how they like to be contacted")
    communication_needs = _choice_array(CommunicationNeed, "communication needs")
    other_language = models.CharField("language", max_length=100, blank=True)
    access_needs = models.TextField("access and support needs", blank=True)
    support_tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    carer_needs = models.TextField("carer needs", blank=True)
    methods = _choice_array(InvolvementMethod, "ways they want to take part")
    topics = models.TextField("topics of interest", blank=True)
    availability = models.TextField(blank=True)
    payment_preference = models.CharField(
        max_length=20, choices=PaymentPreference.choices, default=PaymentPreference.PAY
    )
    is_assisted_digital = models.BooleanField(
        "supported by staff (assisted digital)",
        default=False,
        help_text="Staff act on this person's behalf; each action is recorded.",
    )
    left_at = models.DateTimeField(null=True, blank=True)
    anonymised = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    organisations = models.ManyToManyField("accounts.Organisation", through="PartnerLink", related_name="lay_partners")

    class Meta:
        ordering = ["full_name"]
        indexes = [
            models.Index(fields=["full_name"], name="laypartner_name"),
            # The directory's "contains this need / method" filters on the array fields. The
            # name search's trigram indexes (laypartner_name_trgm, laypartner_pref_trgm on
            # UPPER(name)) are created with SQL in migration 0002.
            GinIndex(fields=["communication_needs"], name="laypartner_comm_needs"),
            GinIndex(fields=["methods"], name="laypartner_methods"),
        ]
        constraints = [
            # One record per person: an email address belongs to one lay partner.
            models.UniqueConstraint(Lower("email"), condition=~models.Q(email=""), name="laypartner_email_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.reference:
            self.reference = "LP-" + secrets.token_hex(4).upper()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.full_name


class PartnerLink(models.Model):
    """A lay partner's relationship with one AHSN."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        LEFT = "left", "Left"

    partner = models.ForeignKey(LayPartner, on_delete=models.CASCADE, related_name="links")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="partner_links")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    joined_on = models.DateField()
    staff_can_edit = models.BooleanField(
        "staff may update this profile",
        default=False,
        help_text="The partner agreed that staff at this AHSN can update their details for them.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "organisation"], name="partnerlink_once_per_ahsn"),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="partnerlink_org_status")]

    def __str__(self) -> str:
        return f"{self.partner} at {self.organisation.short_name}"


class ConsentRecord(models.Model):
    """What a partner agreed to and when. The latest record of each kind is the one in force."""

    class Kind(models.TextChoices):
        CONTACT = "contact", "Being contacted about opportunities"
        NAMED_IN_NOTES = "named_in_notes", "Being named in published meeting notes"
        PHOTOS = "photos", "Photos and video"

    partner = models.ForeignKey(LayPartner, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    given = models.BooleanField()
    privacy_notice_version = models.CharField(max_length=20)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["partner", "kind", "-recorded_at"], name="consent_latest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {'yes' if self.given else 'no'}"


class PartnerApplicationQuerySet(models.QuerySet["PartnerApplication"]):
    def pending(self) -> PartnerApplicationQuerySet:
        return self.filter(status=PartnerApplication.Status.PENDING)


class PartnerApplication(models.Model):
    """A member of the public's "register your interest" form, waiting for a lead to decide."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="partner_applications"
    )
    full_name = models.CharField("full name", max_length=200)
    email = models.EmailField("email address", blank=True)
    phone = models.CharField("phone number", max_length=30, blank=True)
    address = models.TextField("postal address", blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    contact_method = models.CharField("best way to contact them", max_length=20, choices=ContactMethod.choices)
    interests = models.TextField("what they are interested in", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    partner = models.ForeignKey(
        LayPartner, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications"
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        help_text="The opportunity open to new people that they registered their interest from, if any.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartnerApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["organisation", "status", "created_at"], name="application_queue"),
        ]

    def __str__(self) -> str:
        return f"Application from {self.full_name} to {self.organisation.short_name}"


class PartnerInvitationQuerySet(models.QuerySet["PartnerInvitation"]):
    def pending(self) -> PartnerInvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class PartnerInvitation(models.Model):
    """An emailed link that lets a lay partner set a password and join an AHSN.

    Only a sha256 hash of the token is stored: the link itself exists only in the email."""

    email = models.EmailField()
    full_name = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="partner_invitations"
    )
    partner = models.ForeignKey(
        LayPartner,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        help_text="Set when an existing record (for example an assisted-digital one) is invited.",
    )
    application = models.ForeignKey(
        PartnerApplication, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="partner_invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PartnerInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Lay partner invitation to {self.organisation.short_name}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


PREFER_NOT_TO_SAY = "prefer_not_to_say"
_PNTS = (PREFER_NOT_TO_SAY, "Prefer not to say")


class EqualityMonitoring(models.Model):
    """A partner's optional equality monitoring answers, kept apart from the profile.

    Never shown per person to anyone but the partner; staff see only suppressed aggregates
    (`partners.selectors.equality_aggregates`). Not in CSV exports, logs, emails or audit data."""

    class AgeBand(models.TextChoices):
        UNDER_25 = "16_24", "16 to 24"
        AGE_25 = "25_34", "25 to 34"
        AGE_35 = "35_44", "35 to 44"
        AGE_45 = "45_54", "45 to 54"
        AGE_55 = "55_64", "55 to 64"
        AGE_65 = "65_74", "65 to 74"
        AGE_75 = "75_plus", "75 or over"
        PNTS = _PNTS

    class YesNo(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        PNTS = _PNTS

    class Ethnicity(models.TextChoices):
        # The five high-level ethnic groups of the 2021 Census (England and Wales).
        ASIAN = "asian", "Asian, Asian British or Asian Welsh"
        BLACK = "black", "Black, Black British, Black Welsh, Caribbean or African"
        MIXED = "mixed", "Mixed or multiple ethnic groups"
        WHITE = "white", "White"
        OTHER = "other", "Other ethnic group"
        PNTS = _PNTS

    class Religion(models.TextChoices):
        NONE = "none", "No religion"
        BUDDHIST = "buddhist", "Buddhist"
        CHRISTIAN = "christian", "Christian"
        HINDU = "hindu", "Hindu"
        JEWISH = "jewish", "Jewish"
        MUSLIM = "muslim", "Muslim"
        SIKH = "sikh", "Sikh"
        OTHER = "other", "Any other religion or belief"
        PNTS = _PNTS

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        PNTS = _PNTS

    class SexualOrientation(models.TextChoices):
        STRAIGHT = "straight", "Straight or heterosexual"
        GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
        BISEXUAL = "bisexual", "Bisexual"
        OTHER = "other", "Another sexual orientation"
        PNTS = _PNTS

    class Marriage(models.TextChoices):
        NEVER = "never", "Never married and never in a civil partnership"
        MARRIED = "married", "Married"
        CIVIL = "civil_partnership", "In a civil partnership"
        SEPARATED = "separated", "Separated"
        DIVORCED = "divorced", "Divorced or civil partnership dissolved"
        WIDOWED = "widowed", "Widowed or surviving civil partner"
        PNTS = _PNTS

    partner = models.OneToOneField(LayPartner, on_delete=models.CASCADE, related_name="equality")
    age_band = models.CharField("age", max_length=20, choices=AgeBand.choices, blank=True)
    disability = models.CharField("disability or long-term condition", max_length=20, choices=YesNo.choices, blank=True)
    ethnicity = models.CharField("ethnic group", max_length=20, choices=Ethnicity.choices, blank=True)
    religion = models.CharField("religion or belief", max_length=20, choices=Religion.choices, blank=True)
    sex = models.CharField(max_length=20, choices=Sex.choices, blank=True)
    gender_same_as_birth = models.CharField(
        "gender identity the same as sex registered at birth",
        max_length=20,
        choices=YesNo.choices,
        blank=True,
    )
    sexual_orientation = models.CharField(
        "sexual orientation", max_length=20, choices=SexualOrientation.choices, blank=True
    )
    marriage = models.CharField("marriage or civil partnership", max_length=20, choices=Marriage.choices, blank=True)
    pregnancy = models.CharField(
        "pregnant or had a baby in the last 26 weeks", max_length=20, choices=YesNo.choices, blank=True
    )
    carer = models.CharField("unpaid carer", max_length=20, choices=YesNo.choices, blank=True)
    seldom_heard_groups = ArrayField(
        models.CharField(max_length=40), default=list, blank=True, verbose_name="communities"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "equality monitoring answers"
        verbose_name_plural = "equality monitoring answers"

    def __str__(self) -> str:
        return "Equality monitoring answers"

    @classmethod
    def question_field(cls, name: str) -> models.Field:
        field = cls._meta.get_field(name)
        assert isinstance(field, models.Field)
        return field

    # Single-answer questions, in the order the form and the aggregates page show them.
    QUESTIONS = (
        "age_band",
        "disability",
        "ethnicity",
        "religion",
        "sex",
        "gender_same_as_birth",
        "sexual_orientation",
        "marriage",
        "pregnancy",
        "carer",
    )
