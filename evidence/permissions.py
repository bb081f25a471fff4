"""Who may do what with a case study. Views, services and templates all ask these."""

from __future__ import annotations

from accounts.models import User
from accounts.roles import DELIVERY_ROLES, MANAGER_ROLES
from core.access import can_write, visible_organisation_ids
from evidence.models import CaseStudy, CaseStudyState, DevelopmentSession

# Staff, leads and network admins write case studies; finance officers only read them.
CASE_STUDY_WRITE_ROLES = DELIVERY_ROLES
# Sharing with the network and publishing go out in the AHSN's name: leads and network admins.
CASE_STUDY_RELEASE_ROLES = MANAGER_ROLES


def can_edit_case_study(user: User, case_study: CaseStudy) -> bool:
    return can_write(user, case_study.organisation_id, roles=CASE_STUDY_WRITE_ROLES)


def can_release_case_study(user: User, case_study: CaseStudy) -> bool:
    return can_write(user, case_study.organisation_id, roles=CASE_STUDY_RELEASE_ROLES)


def can_read_case_study(user: User, case_study: CaseStudy) -> bool:
    """Its own AHSN in any state; every AHSN's staff once it is shared with the network."""
    if case_study.organisation_id in visible_organisation_ids(user):
        return True
    return case_study.state != CaseStudyState.DRAFT and is_network_staff(user)


def is_network_staff(user: User) -> bool:
    """Anyone with a staff role at any AHSN can use the network's library."""
    return bool(visible_organisation_ids(user))


# Staff, leads and network admins run learning and development sessions; finance officers read them.
SESSION_WRITE_ROLES = DELIVERY_ROLES


def can_manage_session(user: User, session: DevelopmentSession) -> bool:
    return can_write(user, session.organisation_id, roles=SESSION_WRITE_ROLES)
