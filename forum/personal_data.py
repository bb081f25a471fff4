"""Forums in a lay partner's information download (the audit entries about their memberships) and
what leaving does to their apologies (partners.personal_data)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from forum.models import Apology, ForumMember
from partners.models import LayPartner
from partners.personal_data import PersonalData, register


def _audit_targets(partner: LayPartner) -> list[tuple[str, QuerySet[Any]]]:
    return [("forum.forummember", ForumMember.objects.filter(partner=partner))]


def _forget(partner: LayPartner, organisation_ids: list[int] | None, actor: Any) -> dict[str, int]:
    """The notes sent with apologies are cleared."""
    apologies = Apology.objects.filter(member__partner=partner).exclude(note="")
    if organisation_ids is not None:
        apologies = apologies.filter(meeting__forum__organisation_id__in=organisation_ids)
    return {"apology_notes_cleared": apologies.update(note="")}


register(PersonalData(app="forum", audit_targets=_audit_targets, forget=_forget))
