"""Every write to accounts: invitations, memberships. Keyword-only, one transaction, audited."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, Organisation, User
from accounts.roles import MANAGER_ROLES, NETWORK_ADMIN_ROLES, Role
from core.access import can_write
from core.audit import log_action, log_change
from core.emails import send_email_on_commit
from core.errors import DomainError


class AccountsError(DomainError):
    """A request we refuse, with a message to show the person who made it."""


def _check_can_manage(actor: User, organisation: Organisation) -> None:
    if not can_write(actor, organisation.pk, roles=MANAGER_ROLES):
        raise AccountsError(f"You cannot manage the team at {organisation.name}.")


def _check_role_allowed(*, actor: User, organisation: Organisation, role: str) -> None:
    if role not in Role.values:
        raise AccountsError("Choose a role from the list.")
    if role == Role.NETWORK_ADMIN and not organisation.is_network:
        raise AccountsError("Network admins belong to the AHSN Network, not to a single AHSN.")
    if role == Role.NETWORK_ADMIN and not can_write(actor, organisation.pk, roles=NETWORK_ADMIN_ROLES):
        raise AccountsError("Only a network admin can make someone a network admin.")


def invitation_create(
    *, actor: User, organisation: Organisation, email: str, role: str, full_name: str = ""
) -> tuple[Invitation, str]:
    """Invite a person to join `organisation` with `role`. Returns the invitation and its token."""
    _check_can_manage(actor, organisation)
    _check_role_allowed(actor=actor, organisation=organisation, role=role)
    email = email.strip().lower()
    if Membership.objects.filter(user__email__iexact=email, organisation=organisation).exists():
        raise AccountsError(f"{email} is already a member of {organisation.name}.")
    token = Invitation.new_token()
    with transaction.atomic():
        # A new invitation replaces any earlier one still pending for the same person and place.
        Invitation.objects.pending().filter(email__iexact=email, organisation=organisation).update(
            revoked_at=timezone.now()
        )
        invitation = Invitation.objects.create(
            email=email,
            full_name=full_name.strip(),
            organisation=organisation,
            role=role,
            token_hash=Invitation.hash_token(token),
            invited_by=actor,
            expires_at=Invitation.default_expiry(),
        )
        log_action(
            actor=actor,
            action="accounts.invitation.created",
            target=invitation,
            organisation=organisation,
            data={"role": role},
        )
        send_email_on_commit(
            to=email,
            template_prefix="accounts/email/invitation",
            context={
                "invitation": invitation,
                "organisation": organisation,
                "role_label": Role(role).label,
                "inviter_name": actor.get_full_name(),
                "accept_url": settings.SITE_URL + reverse("accounts:invitation_accept", args=[token]),
                "valid_days": settings.INVITATION_VALID_DAYS,
            },
        )
    return invitation, token


def invitation_for_token(token: str) -> Invitation:
    """The invitation behind a link, or a clear error saying why the link no longer works."""
    invitation = (
        Invitation.objects.select_related("organisation").filter(token_hash=Invitation.hash_token(token)).first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise AccountsError("This invitation link is not valid. Ask the person who invited you to send a new one.")
    if invitation.accepted_at is not None:
        raise AccountsError("This invitation has already been used. Sign in with your email address and password.")
    if invitation.is_expired:
        raise AccountsError("This invitation has expired. Ask the person who invited you to send a new one.")
    return invitation


def invitation_accept(*, token: str, password: str | None, full_name: str = "", user: User | None = None) -> User:
    """Accept an invitation: create the account (or use the signed-in one) and the membership."""

    with transaction.atomic():
        invitation = invitation_for_token(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        # Checked again under the lock: another request may have used or replaced it meanwhile.
        if invitation.accepted_at is not None:
            raise AccountsError("This invitation has already been used.")
        if invitation.revoked_at is not None:
            raise AccountsError("This invitation link is not valid. Ask the person who invited you to send a new one.")
        existing = User.objects.filter(email__iexact=invitation.email).first()
        if existing is not None:
            if user is None or user.pk != existing.pk:
                raise AccountsError("You already have an account. Sign in as " + invitation.email + " to accept.")
            account = existing
        else:
            if not password:
                raise AccountsError("Choose a password.")
            account = User(email=invitation.email, full_name=(full_name or invitation.full_name).strip())
            try:
                validate_password(password, user=account)
            except ValidationError as exc:
                raise AccountsError(" ".join(exc.messages)) from exc
            account.set_password(password)
            account.save()
        # The link arrived by email, so following it proves the address.
        EmailAddress.objects.update_or_create(
            user=account, email=invitation.email, defaults={"verified": True, "primary": True}
        )
        membership, _ = Membership.objects.get_or_create(
            user=account, organisation=invitation.organisation, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        log_action(
            actor=account,
            action="accounts.membership.created",
            target=membership,
            organisation=invitation.organisation,
            data={"role": membership.role, "invitation": invitation.pk},
        )
    return account


def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    _check_can_manage(actor, invitation.organisation)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at or locked.revoked_at:
            raise AccountsError("This invitation is no longer pending.")
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        log_action(actor=actor, action="accounts.invitation.revoked", target=locked, organisation=locked.organisation)


def _lock_team(organisation_id: int) -> None:
    """Lock the organisation row so that two changes to its team run one after the other.

    Without it, two leads removing each other at the same moment would each see the other as
    the lead who remains, and the organisation would be left with none."""
    Organisation.objects.select_for_update().filter(pk=organisation_id).first()


def _is_last_network_admin(membership: Membership) -> bool:
    return (
        membership.role == Role.NETWORK_ADMIN
        and not Membership.objects.filter(role=Role.NETWORK_ADMIN).exclude(pk=membership.pk).exists()
    )


def _lead_count_after(membership: Membership, *, new_role: str | None) -> int:
    leads = Membership.objects.filter(organisation=membership.organisation, role=Role.INVOLVEMENT_LEAD)
    count = leads.exclude(pk=membership.pk).count()
    return count + (1 if new_role == Role.INVOLVEMENT_LEAD else 0)


def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    _check_can_manage(actor, membership.organisation)
    _check_role_allowed(actor=actor, organisation=membership.organisation, role=role)
    with transaction.atomic():
        _lock_team(membership.organisation_id)
        locked = Membership.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=membership.pk)
        if locked.role == role:
            return locked
        if _is_last_network_admin(locked):
            raise AccountsError(
                "The network must keep at least one network admin. Make someone else a network admin first."
            )
        if (
            locked.role == Role.INVOLVEMENT_LEAD
            and not locked.organisation.is_network
            and _lead_count_after(locked, new_role=role) == 0
        ):
            raise AccountsError(
                f"{locked.organisation.name} must keep at least one involvement lead. Make someone else a lead first."
            )
        old_role = locked.role
        locked.role = role
        locked.save(update_fields=["role"])
        log_action(
            actor=actor,
            action="accounts.membership.role_changed",
            target=locked,
            organisation=locked.organisation,
            data={"from": old_role, "to": role},
        )
    return locked


def membership_remove(*, actor: User, membership: Membership) -> None:
    _check_can_manage(actor, membership.organisation)
    with transaction.atomic():
        _lock_team(membership.organisation_id)
        locked = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("organisation", "user")
            .get(pk=membership.pk)
        )
        if (
            locked.role == Role.INVOLVEMENT_LEAD
            and not locked.organisation.is_network
            and _lead_count_after(locked, new_role=None) == 0
        ):
            raise AccountsError(
                f"{locked.organisation.name} must keep at least one involvement lead. Make someone else a lead first."
            )
        if _is_last_network_admin(locked):
            raise AccountsError(
                "The network must keep at least one network admin. Make someone else a network admin first."
            )
        log_action(
            actor=actor,
            action="accounts.membership.removed",
            target=locked,
            organisation=locked.organisation,
            data={"role": locked.role, "user": locked.user_id},
        )
        locked.delete()


def user_update_name(*, user: User, full_name: str) -> User:
    with transaction.atomic():
        before = user.full_name
        user.full_name = full_name.strip()
        user.save(update_fields=["full_name"])
        log_change(
            actor=user,
            action="accounts.user.name_changed",
            target=user,
            before={"full_name": before},
            after={"full_name": user.full_name},
        )
    return user
