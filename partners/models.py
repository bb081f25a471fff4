"""Lay partners: the patients, carers and members of the public who get involved.

A LayPartner may have a login (`user`) or not (assisted digital: staff act for them).
Each AHSN they work with has its own `PartnerLink`; an AHSN sees only its own link.
Equality monitoring answers live in their own table and are only ever read in aggregate."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

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

    organisations = models.ManyToManyField(
        "accounts.Organisation", through="PartnerLink", related_name="lay_partners"
    )

    class Meta:
        ordering = ["full_name"]
        indexes = [models.Index(fields=["full_name"], name="laypartner_name")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.reference:
            import secrets

            self.reference = "LP-" + secrets.token_hex(4).upper()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


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
