"""Who may do what with claims, rate cards and payment batches. The one home of these rules.

Views (to show or hide a button and to refuse a page), services (to refuse the change, under the
claim's lock) and selectors (to decide what a person may read) all call these functions, so a
rule changes in one place. Each answers True or False; the caller decides what refusing means
there (a 404, a 403, a ClaimError with the reason).

| question | who |
| --- | --- |
| is_claimant | the lay partner the claim is for, signed in as themselves |
| is_claim_editor | the claimant, or staff of the claim's AHSN for a partner supported by staff (assisted digital) |
| can_edit_claim | a claim editor, while the claim is a draft or returned |
| can_read_claim | the claimant, leads, finance and network admins of the AHSN, and any staff for an assisted-digital partner |
| can_decide_claim | a lead of the claim's AHSN who neither claimed nor prepared it |
"""

from __future__ import annotations

from accounts.roles import APPROVER_ROLES, CLAIM_READER_ROLES, DELIVERY_ROLES, FINANCE_ROLES, MANAGER_ROLES, STAFF_ROLES
from accounts.typing import AnyUser
from core.access import can_write, visible_organisation_ids
from core.user_cache import for_user
from partners.models import LayPartner
from partners.selectors import partner_for_user
from payments.models import Claim, Receipt

# Roles, by what they may do with money at one AHSN.
PREPARER_ROLES = DELIVERY_ROLES  # prepare and change a claim for a partner supported by staff
RATE_EDITOR_ROLES = MANAGER_ROLES  # set new rates
BATCH_READER_ROLES = CLAIM_READER_ROLES  # see payment batches


def partner_of(user: AnyUser) -> LayPartner | None:
    """The lay partner this user is (None for staff and for someone not signed in): the partners
    app's answer, which the page's header has asked for already on a partner's page, kept here for
    the request when it is "none" too (a claim page asks several times)."""
    if not user.is_authenticated:
        return None
    return for_user(user, "payments.partner", lambda: partner_for_user(user))


def is_claimant(user: AnyUser, claim: Claim) -> bool:
    """The claim is this signed-in lay partner's own."""
    return user.is_authenticated and claim.partner.user_id is not None and claim.partner.user_id == user.pk


def is_partner_themselves(user: AnyUser, partner: LayPartner) -> bool:
    """The user is this lay partner (a claim they start is their own, not prepared for them)."""
    return user.is_authenticated and partner.user_id is not None and partner.user_id == user.pk


def can_prepare_claims(user: AnyUser, organisation_id: int) -> bool:
    """Staff who may start and change claims for the AHSN's partners supported by staff."""
    return can_write(user, organisation_id, roles=PREPARER_ROLES)


def is_claim_editor(user: AnyUser, claim: Claim) -> bool:
    """Who may change the claim's lines, send it or withdraw it (whatever state it is in)."""
    return is_claimant(user, claim) or (
        claim.partner.is_assisted_digital and can_prepare_claims(user, claim.organisation_id)
    )


def can_edit_claim(user: AnyUser, claim: Claim) -> bool:
    """A claim editor, and the claim is still a draft or returned for changes."""
    return claim.is_editable and is_claim_editor(user, claim)


def can_read_claim(user: AnyUser, claim: Claim) -> bool:
    roles = STAFF_ROLES if claim.partner.is_assisted_digital else CLAIM_READER_ROLES
    return is_claimant(user, claim) or can_write(user, claim.organisation_id, roles=roles)


def can_approve_at(user: AnyUser, organisation_id: int) -> bool:
    """Involvement leads approve, return and reject the AHSN's claims."""
    return can_write(user, organisation_id, roles=APPROVER_ROLES)


def can_decide_claim(user: AnyUser, claim: Claim) -> bool:
    """An approver at the claim's AHSN who did not claim or prepare it (nobody decides their own)."""
    return (
        can_approve_at(user, claim.organisation_id) and not is_claimant(user, claim) and claim.created_by_id != user.pk
    )


def can_read_receipt(user: AnyUser, receipt: Receipt, claim: Claim) -> bool:
    """The claimant, leads, finance and network admins of the claim's AHSN, and the person who
    uploaded it. Nobody else, not even other staff who may read the claim."""
    return (
        is_claimant(user, claim)
        or can_write(user, claim.organisation_id, roles=CLAIM_READER_ROLES)
        or (user.is_authenticated and receipt.uploaded_by_id == user.pk)
    )


def can_edit_rates(user: AnyUser, organisation_id: int) -> bool:
    return can_write(user, organisation_id, roles=RATE_EDITOR_ROLES)


def can_pay(user: AnyUser, organisation_id: int) -> bool:
    """Finance officers make payment batches and mark them paid."""
    return can_write(user, organisation_id, roles=FINANCE_ROLES)


def can_read_batches(user: AnyUser, organisation_id: int) -> bool:
    return can_write(user, organisation_id, roles=BATCH_READER_ROLES)


def claim_reader_organisation_ids(user: AnyUser) -> set[int]:
    """The AHSNs whose claims queue the user reads."""
    return visible_organisation_ids(user, roles=CLAIM_READER_ROLES)


def preparer_organisation_ids(user: AnyUser) -> set[int]:
    return visible_organisation_ids(user, roles=PREPARER_ROLES)


def paying_organisation_ids(user: AnyUser) -> set[int]:
    return visible_organisation_ids(user, roles=FINANCE_ROLES)


def batch_reader_organisation_ids(user: AnyUser) -> set[int]:
    return visible_organisation_ids(user, roles=BATCH_READER_ROLES)


def approver_organisation_ids(user: AnyUser) -> set[int]:
    return visible_organisation_ids(user, roles=APPROVER_ROLES)
