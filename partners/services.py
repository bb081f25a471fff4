"""Every write to lay partner records. Keyword-only, one transaction, audited.

Audit entries name a partner only by their pseudonymous reference (see `_audit_ref`): the audit
log is append-only, so a name written there would outlive the partner's request to leave.
Equality answers and contact details never go into audit data, logs or emails."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import MANAGER_ROLES, Membership, Organisation, Role, User
from accounts.roles import DELIVERY_ROLES
from core.access import can_write
from core.audit import log_action, log_change
from core.emails import send_email_on_commit
from core.errors import DomainError
from core.notifications import notify
from partners import personal_data
from partners.models import (
    ConsentRecord,
    EqualityMonitoring,
    LayPartner,
    PartnerApplication,
    PartnerInvitation,
    PartnerLink,
)

# The version of the privacy notice (templates/core/privacy.html) people agree to.
PRIVACY_NOTICE_VERSION = getattr(settings, "PRIVACY_NOTICE_VERSION", "1.0")
PARTNER_INVITATION_VALID_DAYS = getattr(settings, "INVITATION_VALID_DAYS", 14)

# Roles that can add and update lay partners; finance can read but not change.

# Fields a profile edit may change, by page. Anything else is refused.
PROFILE_SECTIONS: dict[str, tuple[str, ...]] = {
    "contact": (
        "full_name",
        "preferred_name",
        "pronouns",
        "email",
        "phone",
        "address",
        "postcode",
        "contact_methods",
    ),
    "needs": ("communication_needs", "other_language", "access_needs", "support_tags", "carer_needs"),
    "taking-part": ("methods", "topics", "availability"),
    "payment": ("payment_preference",),
}

LEFT_NAME = "Former lay partner"


class PartnerError(DomainError):
    """A request we refuse, with a message to show the person who made it."""


@dataclass(frozen=True)
class _AuditRef:
    """Stands in for a record in `log_action` so the audit label holds no personal data."""

    _meta: Any
    pk: Any
    label: str

    def __str__(self) -> str:
        return self.label


def _audit_ref(obj: models.Model, label: str) -> models.Model:
    return cast(models.Model, _AuditRef(obj._meta, obj.pk, label))


def _partner_ref(partner: LayPartner) -> models.Model:
    return _audit_ref(partner, partner.reference)


def _acting_for(partner: LayPartner, actor: User) -> str:
    """The partner's reference when someone else (staff) acts on their record, else ''."""
    if partner.user_id is not None and getattr(actor, "pk", None) == partner.user_id:
        return ""
    return partner.reference


def _check_can_add_partners(actor: User, organisation: Organisation) -> None:
    if not can_write(actor, organisation.pk, roles=DELIVERY_ROLES):
        raise PartnerError(f"You cannot add lay partners to {organisation.name}.")


def _email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    if not email:
        return False
    qs = LayPartner.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


DUPLICATE_EMAIL = (
    "A lay partner with this email address is already registered. "
    "If they work with another AHSN, send them an invitation instead."
)


def _record_consents(*, partner: LayPartner, actor: User, answers: Mapping[str, bool]) -> list[ConsentRecord]:
    """A new record for each kind whose answer is new or has changed. History is kept."""
    created = []
    latest: dict[str, bool] = {}
    for record in ConsentRecord.objects.filter(partner=partner).order_by("recorded_at", "id"):
        latest[record.kind] = record.given
    for kind, given in answers.items():
        if kind not in ConsentRecord.Kind.values:
            raise PartnerError("Unknown kind of consent.")
        if latest.get(kind) is given:
            continue
        created.append(
            ConsentRecord.objects.create(
                partner=partner,
                kind=kind,
                given=bool(given),
                privacy_notice_version=PRIVACY_NOTICE_VERSION,
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        )
    return created


# --- Invitations -------------------------------------------------------------------------------


def partner_invite(
    *,
    actor: User,
    organisation: Organisation,
    email: str,
    full_name: str = "",
    partner: LayPartner | None = None,
    application: PartnerApplication | None = None,
) -> tuple[PartnerInvitation, str]:
    """Email a lay partner a link to join `organisation`. Returns the invitation and its token."""
    _check_can_add_partners(actor, organisation)
    email = email.strip().lower()
    if not email:
        raise PartnerError("Enter their email address.")
    if (
        PartnerLink.objects.filter(partner__email__iexact=email, organisation=organisation, partner__user__isnull=False)
        .exclude(status=PartnerLink.Status.LEFT)
        .exists()
    ):
        raise PartnerError(f"{email} is already a lay partner at {organisation.name}.")
    if Membership.objects.filter(user__email__iexact=email).exists():
        raise PartnerError("This email address belongs to a member of staff. Use a personal email address.")
    token = PartnerInvitation.new_token()
    with transaction.atomic():
        PartnerInvitation.objects.pending().filter(email__iexact=email, organisation=organisation).update(
            revoked_at=timezone.now()
        )
        invitation = PartnerInvitation.objects.create(
            email=email,
            full_name=full_name.strip(),
            organisation=organisation,
            partner=partner,
            application=application,
            token_hash=PartnerInvitation.hash_token(token),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=PARTNER_INVITATION_VALID_DAYS),
        )
        log_action(
            actor=actor,
            action="partners.invitation.created",
            target=_audit_ref(invitation, f"Invitation {invitation.pk}"),
            organisation=organisation,
            data={"application": application.pk if application else None},
            on_behalf_of=partner.reference if partner else "",
        )
        send_email_on_commit(
            to=email,
            template_prefix="partners/email/invitation",
            context={
                "full_name": invitation.full_name,
                "organisation": organisation,
                "inviter_name": actor.get_full_name(),
                "accept_url": settings.SITE_URL + reverse("partners:invitation_accept", args=[token]),
                "valid_days": PARTNER_INVITATION_VALID_DAYS,
                "expires_on": timezone.localtime(invitation.expires_at).date(),
            },
        )
    return invitation, token


def invitation_for_token(token: str) -> PartnerInvitation:
    """The invitation behind a link, or a clear error saying why the link no longer works."""
    invitation = (
        PartnerInvitation.objects.select_related("organisation", "partner")
        .filter(token_hash=PartnerInvitation.hash_token(token))
        .first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise PartnerError("This invitation link is not valid. Ask the person who invited you to send a new one.")
    if invitation.accepted_at is not None:
        raise PartnerError("This invitation has already been used. Sign in with your email address and password.")
    if invitation.is_expired:
        raise PartnerError("This invitation has expired. Ask the person who invited you to send a new one.")
    return invitation


def invitation_accept(
    *,
    token: str,
    password: str | None,
    full_name: str = "",
    consents: Mapping[str, bool] | None = None,
    user: User | None = None,
) -> User:
    """Accept a lay partner invitation: the account, the partner record and the AHSN link."""

    with transaction.atomic():
        invitation = invitation_for_token(token)
        invitation = (
            PartnerInvitation.objects.select_for_update(of=("self",))
            .select_related("organisation", "partner")
            .get(pk=invitation.pk)
        )
        if invitation.accepted_at is not None:
            raise PartnerError("This invitation has already been used.")
        existing = User.objects.filter(email__iexact=invitation.email).first()
        if existing is not None:
            if user is None or user.pk != existing.pk:
                raise PartnerError(f"You already have an account. Sign in as {invitation.email} to accept.")
            account = existing
        else:
            if not password:
                raise PartnerError("Create a password.")
            name = (full_name or invitation.full_name).strip()
            account = User(email=invitation.email, full_name=name)
            try:
                validate_password(password, user=account)
            except ValidationError as exc:
                raise PartnerError(" ".join(exc.messages)) from exc
            account.set_password(password)
            account.save()
        EmailAddress.objects.update_or_create(
            user=account, email=invitation.email, defaults={"verified": True, "primary": True}
        )
        partner = (
            invitation.partner
            or LayPartner.objects.filter(user=account).first()
            or LayPartner.objects.filter(email__iexact=invitation.email, user__isnull=True).first()
        )
        if partner is None:
            partner = LayPartner.objects.create(
                user=account,
                full_name=account.full_name or invitation.full_name or invitation.email,
                email=invitation.email,
                contact_methods=["email"],
            )
        else:
            partner = LayPartner.objects.select_for_update().get(pk=partner.pk)
            if partner.user_id is not None and partner.user_id != account.pk:
                raise PartnerError("This invitation was for someone else's record.")
            partner.user = account
            partner.is_assisted_digital = False
            if not partner.email:
                partner.email = invitation.email
            partner.save(update_fields=["user", "is_assisted_digital", "email", "updated_at"])
        link, created = PartnerLink.objects.get_or_create(
            partner=partner,
            organisation=invitation.organisation,
            defaults={"joined_on": timezone.localdate()},
        )
        if not created and link.status == PartnerLink.Status.LEFT:
            link.status = PartnerLink.Status.ACTIVE
            link.save(update_fields=["status"])
        _record_consents(partner=partner, actor=account, answers=consents or {})
        invitation.accepted_at = timezone.now()
        invitation.partner = partner
        invitation.save(update_fields=["accepted_at", "partner"])
        if invitation.application_id:
            PartnerApplication.objects.filter(pk=invitation.application_id).update(partner=partner)
        log_action(
            actor=account,
            action="partners.invitation.accepted",
            target=_partner_ref(partner),
            organisation=invitation.organisation,
            data={"invitation": invitation.pk, "consents": dict(consents or {})},
        )
    return account


# --- Assisted digital ---------------------------------------------------------------------------


def partner_register_assisted(
    *,
    actor: User,
    organisation: Organisation,
    details: Mapping[str, Any],
    consents: Mapping[str, bool] | None = None,
    application: PartnerApplication | None = None,
) -> LayPartner:
    """Register someone staff will support, without a login. Staff act on their behalf."""
    _check_can_add_partners(actor, organisation)
    allowed = set(PROFILE_SECTIONS["contact"]) | set(PROFILE_SECTIONS["needs"])
    allowed |= set(PROFILE_SECTIONS["taking-part"]) | set(PROFILE_SECTIONS["payment"])
    unknown = set(details) - allowed
    if unknown:
        raise PartnerError("Some of those details cannot be set here.")
    email = (details.get("email") or "").strip().lower()
    if _email_taken(email):
        raise PartnerError(DUPLICATE_EMAIL)
    with transaction.atomic():
        partner = LayPartner(user=None, is_assisted_digital=True, **{**details, "email": email})
        try:
            with transaction.atomic():
                partner.save()
        except IntegrityError as exc:
            raise PartnerError(DUPLICATE_EMAIL) from exc
        PartnerLink.objects.create(
            partner=partner,
            organisation=organisation,
            joined_on=timezone.localdate(),
            staff_can_edit=True,
        )
        _record_consents(partner=partner, actor=actor, answers=consents or {})
        log_action(
            actor=actor,
            action="partners.partner.registered_assisted",
            target=_partner_ref(partner),
            organisation=organisation,
            data={"application": application.pk if application else None},
            on_behalf_of=partner.reference,
        )
    return partner


# --- Register your interest ------------------------------------------------------------------------


def application_submit(
    *,
    organisation: Organisation,
    full_name: str,
    email: str = "",
    phone: str = "",
    address: str = "",
    postcode: str = "",
    contact_method: str,
    interests: str = "",
    opportunity: Any = None,
) -> PartnerApplication:
    """A member of the public registers their interest. The AHSN's involvement leads are told.

    `opportunity` (an Opportunity open to new people) is kept with the application, so the lead
    sees both together; it must be the chosen AHSN's."""
    if organisation.is_network:
        raise PartnerError("Choose the AHSN for the area where you live.")
    if opportunity is not None and opportunity.organisation_id != organisation.pk:
        raise PartnerError(f"{opportunity.title} is run by another AHSN: choose {opportunity.organisation.name}.")
    if not (email or phone or (address and postcode)):
        raise PartnerError("Tell us at least one way to contact you.")
    email = email.strip().lower()
    with transaction.atomic():
        if email:
            # Sending the form twice does not create a second application.
            existing = (
                PartnerApplication.objects.pending().filter(organisation=organisation, email__iexact=email).first()
            )
            if existing is not None:
                return existing
        application = PartnerApplication.objects.create(
            organisation=organisation,
            full_name=full_name.strip(),
            email=email,
            phone=phone,
            address=address.strip(),
            postcode=postcode,
            contact_method=contact_method,
            interests=interests.strip(),
            opportunity=opportunity,
        )
        log_action(
            actor=None,
            action="partners.application.received",
            target=_audit_ref(application, f"Application {application.pk}"),
            organisation=organisation,
        )
        leads = User.objects.filter(
            memberships__organisation=organisation,
            memberships__role=Role.INVOLVEMENT_LEAD,
            is_active=True,
        )
        url = reverse("partners:application_detail", args=[application.pk])
        for lead in leads:
            notify(
                kind="partners.application.received",
                subject=application,
                user=lead,
                organisation=organisation,
                title="Someone has registered their interest in getting involved",
                body=(
                    f"A new application to become a lay partner at {organisation.name} is "
                    "waiting for you to accept or decline it."
                ),
                url=url,
            )
    return application


def _lock_pending_application(actor: User, application: PartnerApplication) -> PartnerApplication:
    if not can_write(actor, application.organisation_id, roles=MANAGER_ROLES):
        raise PartnerError("Only an involvement lead can decide on applications.")
    locked = (
        PartnerApplication.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=application.pk)
    )
    if locked.status != PartnerApplication.Status.PENDING:
        raise PartnerError("This application has already been decided.")
    return locked


def application_accept(*, actor: User, application: PartnerApplication) -> PartnerApplication:
    """Accept: email an invitation, or (no email address) register them as assisted digital."""
    with transaction.atomic():
        locked = _lock_pending_application(actor, application)
        if locked.email:
            partner_invite(
                actor=actor,
                organisation=locked.organisation,
                email=locked.email,
                full_name=locked.full_name,
                application=locked,
            )
        else:
            partner = partner_register_assisted(
                actor=actor,
                organisation=locked.organisation,
                details={
                    "full_name": locked.full_name,
                    "phone": locked.phone,
                    "address": locked.address,
                    "postcode": locked.postcode,
                    "contact_methods": [locked.contact_method],
                    "topics": locked.interests,
                },
                application=locked,
            )
            locked.partner = partner
        locked.status = PartnerApplication.Status.ACCEPTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at", "partner"])
        log_action(
            actor=actor,
            action="partners.application.accepted",
            target=_audit_ref(locked, f"Application {locked.pk}"),
            organisation=locked.organisation,
            data={"invited": bool(locked.email)},
        )
    return locked


def application_decline(*, actor: User, application: PartnerApplication, reason: str = "") -> PartnerApplication:
    with transaction.atomic():
        locked = _lock_pending_application(actor, application)
        locked.status = PartnerApplication.Status.DECLINED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decline_reason = reason.strip()
        locked.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
        log_action(
            actor=actor,
            action="partners.application.declined",
            target=_audit_ref(locked, f"Application {locked.pk}"),
            organisation=locked.organisation,
        )
        if locked.email:
            send_email_on_commit(
                to=locked.email,
                template_prefix="partners/email/application_declined",
                context={
                    "full_name": locked.full_name,
                    "organisation": locked.organisation,
                    "reason": locked.decline_reason,
                },
            )
    return locked


# --- Profile, links and consent ---------------------------------------------------------------------


def partner_update(*, actor: User, partner: LayPartner, section: str, changes: Mapping[str, Any]) -> LayPartner:
    """Save one page of the profile. The view has already checked who may edit it."""
    allowed = PROFILE_SECTIONS.get(section)
    if allowed is None or set(changes) - set(allowed):
        raise PartnerError("Those details cannot be changed on this page.")
    with transaction.atomic():
        locked = LayPartner.objects.select_for_update().get(pk=partner.pk)
        if locked.anonymised:
            raise PartnerError("This person has left; their record cannot be changed.")
        if "email" in changes:
            email = (changes.get("email") or "").strip().lower()
            if _email_taken(email, exclude_pk=locked.pk):
                raise PartnerError(DUPLICATE_EMAIL)
            changes = {**changes, "email": email}
        changed = [name for name, value in changes.items() if getattr(locked, name) != value]
        for name in changed:
            setattr(locked, name, changes[name])
        if changed:
            try:
                with transaction.atomic():
                    locked.save()
            except IntegrityError as exc:
                raise PartnerError(DUPLICATE_EMAIL) from exc
            log_action(
                actor=actor,
                action="partners.partner.updated",
                target=_partner_ref(locked),
                data={"section": section, "fields": sorted(changed)},
                on_behalf_of=_acting_for(locked, actor),
            )
    return locked


def consent_update(
    *,
    actor: User,
    partner: LayPartner,
    answers: Mapping[str, bool],
    staff_can_edit_organisation_ids: Iterable[int] | None = None,
) -> list[ConsentRecord]:
    """Record the partner's consent answers (new rows only where an answer changed).

    `staff_can_edit_organisation_ids` (only from the partner themselves) says which AHSNs may
    update their details for them."""
    with transaction.atomic():
        locked = LayPartner.objects.select_for_update().get(pk=partner.pk)
        if locked.anonymised:
            raise PartnerError("This person has left; their record cannot be changed.")
        records = _record_consents(partner=locked, actor=actor, answers=answers)
        allowed_ids: list[int] = []
        allowed_changed = False
        if staff_can_edit_organisation_ids is not None:
            if _acting_for(locked, actor):
                raise PartnerError("Only the partner can choose who may update their details.")
            allowed_ids = sorted(set(staff_can_edit_organisation_ids))
            links = PartnerLink.objects.filter(partner=locked)
            before = set(links.filter(staff_can_edit=True).values_list("organisation_id", flat=True))
            after = set(links.filter(organisation_id__in=allowed_ids).values_list("organisation_id", flat=True))
            allowed_changed = before != after
            links.filter(organisation_id__in=allowed_ids).update(staff_can_edit=True)
            links.exclude(organisation_id__in=allowed_ids).update(staff_can_edit=False)
        if records or allowed_changed:  # answers saved again unchanged are not an event
            log_action(
                actor=actor,
                action="partners.consent.recorded",
                target=_partner_ref(locked),
                data={
                    "consents": {r.kind: r.given for r in records},
                    "privacy_notice_version": PRIVACY_NOTICE_VERSION,
                    "staff_can_edit": allowed_ids,
                },
                on_behalf_of=_acting_for(locked, actor),
            )
    return records


def link_update(*, actor: User, link: PartnerLink, status: str, joined_on: date) -> PartnerLink:
    """Staff change a partner's status (active, paused, left) or joining date at their AHSN."""
    if not can_write(actor, link.organisation_id, roles=DELIVERY_ROLES):
        raise PartnerError("Your role cannot change this.")
    if status not in PartnerLink.Status.values:
        raise PartnerError("Choose a status from the list.")
    if joined_on > timezone.localdate():
        raise PartnerError("The date they joined cannot be in the future.")
    with transaction.atomic():
        locked = PartnerLink.objects.select_for_update(of=("self",)).select_related("partner").get(pk=link.pk)
        old = {"status": locked.status, "joined_on": locked.joined_on.isoformat()}
        forgotten: dict[str, int] = {}
        if status == PartnerLink.Status.LEFT and locked.status != PartnerLink.Status.LEFT:
            forgotten = _forget_what_they_wrote(
                partner=locked.partner, organisation_ids=[locked.organisation_id], actor=actor
            )
        locked.status = status
        locked.joined_on = joined_on
        locked.save(update_fields=["status", "joined_on"])
        log_change(
            actor=actor,
            action="partners.link.updated",
            target=_audit_ref(locked, f"{locked.partner.reference} link {locked.pk}"),
            organisation=locked.organisation,
            before=old,
            after={
                "status": status,
                "joined_on": joined_on.isoformat(),
                **{f"cleared_{k}": v for k, v in forgotten.items()},
            },
            on_behalf_of=_acting_for(locked.partner, actor),
        )
    return locked


# --- Equality monitoring --------------------------------------------------------------------------


def equality_save(*, actor: User, partner: LayPartner, answers: Mapping[str, Any]) -> EqualityMonitoring:
    """Save the partner's own equality answers. Only the partner may do this."""
    if partner.user_id is None or getattr(actor, "pk", None) != partner.user_id:
        raise PartnerError("Only the person themselves can answer equality monitoring questions.")
    allowed = set(EqualityMonitoring.QUESTIONS) | {"seldom_heard_groups"}
    if set(answers) - allowed:
        raise PartnerError("Unknown question.")
    with transaction.atomic():
        locked = LayPartner.objects.select_for_update().get(pk=partner.pk)
        record, _ = EqualityMonitoring.objects.update_or_create(partner=locked, defaults=dict(answers))
        # Deliberately no answers in the audit data: only that the form was saved.
        log_action(actor=actor, action="partners.equality.saved", target=_partner_ref(locked))
    return record


def equality_delete(*, actor: User, partner: LayPartner) -> None:
    if partner.user_id is None or getattr(actor, "pk", None) != partner.user_id:
        raise PartnerError("Only the person themselves can remove their equality answers.")
    with transaction.atomic():
        deleted, _ = EqualityMonitoring.objects.filter(partner=partner).delete()
        if deleted:
            log_action(actor=actor, action="partners.equality.deleted", target=_partner_ref(partner))


# --- Leaving ----------------------------------------------------------------------------------------


def _forget_what_they_wrote(*, partner: LayPartner, organisation_ids: list[int] | None, actor: User) -> dict[str, int]:
    """When a partner leaves an AHSN (`organisation_ids`) or the portal (None): each app that holds
    what they wrote clears that personal free text (feedback comments, apology notes, expense
    descriptions) and withdraws what can no longer go ahead (claims still with them), through
    `partners.personal_data`. Scores, amounts, categories and dates stay: reports and finance's
    six-year record need them, and they say nothing in the partner's own words."""
    return personal_data.forget(partner=partner, organisation_ids=organisation_ids, actor=actor)


def partner_leave(*, partner: LayPartner, actor: User) -> LayPartner:
    """Remove the partner's personal data; keep the pseudonymous reference for financial records.

    Name becomes "Former lay partner"; contact details, needs and preferences are blanked; equality
    answers are deleted; what they wrote in feedback, apologies and expense lines is cleared and
    their unsent claims withdrawn (`_forget_what_they_wrote`); consent history is kept (it holds no personal data); every AHSN link is
    marked left; the login is deactivated and its email replaced with left-<reference>@invalid.
    Claims and participations keep pointing at the same record, now known only by its reference."""

    with transaction.atomic():
        locked = LayPartner.objects.select_for_update().get(pk=partner.pk)
        if locked.anonymised:
            raise PartnerError("This person has already left.")
        is_self = locked.user_id is not None and getattr(actor, "pk", None) == locked.user_id
        if not is_self and not locked.is_assisted_digital:
            raise PartnerError("Only the person themselves can ask to leave.")
        linked_org_ids = list(locked.links.values_list("organisation_id", flat=True))
        if not is_self and not any(can_write(actor, org_id, roles=DELIVERY_ROLES) for org_id in linked_org_ids):
            raise PartnerError("Only staff at an AHSN this person works with can record that they want to leave.")
        blank_text = (
            "preferred_name",
            "pronouns",
            "email",
            "phone",
            "address",
            "postcode",
            "other_language",
            "access_needs",
            "carer_needs",
            "topics",
            "availability",
        )
        for name in blank_text:
            setattr(locked, name, "")
        for name in ("contact_methods", "communication_needs", "support_tags", "methods"):
            setattr(locked, name, [])
        locked.full_name = LEFT_NAME
        locked.anonymised = True
        locked.left_at = timezone.now()
        locked.save()
        EqualityMonitoring.objects.filter(partner=locked).delete()
        forgotten = _forget_what_they_wrote(partner=locked, organisation_ids=None, actor=actor)
        PartnerLink.objects.filter(partner=locked).update(status=PartnerLink.Status.LEFT)
        # Applications and invitations hold the person's name and contact details.
        PartnerApplication.objects.filter(partner=locked).update(
            full_name=LEFT_NAME, email="", phone="", address="", postcode="", interests=""
        )
        PartnerInvitation.objects.filter(partner=locked).update(
            email=f"left-{locked.reference.lower()}@invalid", full_name=""
        )
        if locked.user_id is not None:
            account = User.objects.select_for_update().get(pk=locked.user_id)
            left_email = f"left-{locked.reference.lower()}@invalid"
            EmailAddress.objects.filter(user=account).delete()
            account.email = left_email
            account.full_name = ""
            account.is_active = False
            account.set_unusable_password()
            account.save()
        org_ids: list[int | None] = list(linked_org_ids) or [None]
        for org_id in org_ids:
            log_action(
                actor=actor,
                action="partners.partner.left",
                target=_partner_ref(locked),
                organisation=Organisation.objects.filter(pk=org_id).first() if org_id else None,
                data=forgotten,
                on_behalf_of="" if is_self else locked.reference,
            )
    return locked


def partner_data_released(
    *, actor: User, partner: LayPartner, organisation: Organisation, downloaded: bool = True
) -> None:
    """Record that staff produced an assisted-digital partner's information for them (no contents):
    a download of the file is a release; opening the page to read it with them is a view."""
    if not partner.is_assisted_digital or partner.anonymised:
        raise PartnerError("Only a partner supported by staff can have their information produced by staff.")
    if not can_write(actor, organisation.pk, roles=DELIVERY_ROLES):
        raise PartnerError("Your role cannot do this.")
    with transaction.atomic():
        log_action(
            actor=actor,
            action="partners.partner.data_released" if downloaded else "partners.partner.data_viewed",
            target=_partner_ref(partner),
            organisation=organisation,
            on_behalf_of=partner.reference,
        )


def directory_export_logged(*, actor: User, organisation: Organisation, count: int, filters: Mapping[str, Any]) -> None:
    """Record that someone downloaded the contact list (the count and filters, never names)."""
    with transaction.atomic():
        log_action(
            actor=actor,
            action="partners.directory.exported",
            organisation=organisation,
            data={"count": count, "filters": _safe_filters(filters)},
        )


def _safe_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    """The filters used, for the audit log. A name search is recorded only as having been used."""
    safe: dict[str, Any] = {}
    for key, value in filters.items():
        if not value:
            continue
        safe[key] = True if key in {"q", "interests"} else value
    return safe
