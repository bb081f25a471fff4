"""Reads for lay partners, scoped per AHSN."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from core.access import scoped_get_or_404, visible_organisation_ids
from partners.models import ConsentRecord, LayPartner, PartnerLink


def partner_for_user(user: Any) -> LayPartner | None:
    """The signed-in person's own lay partner profile, if they have one."""
    if not getattr(user, "is_authenticated", False):
        return None
    return LayPartner.objects.filter(user=user).first()


def lay_partners_visible_to(user: Any) -> QuerySet[LayPartner]:
    """Partners linked to any organisation the user belongs to (staff side)."""
    org_ids = visible_organisation_ids(user)
    return LayPartner.objects.filter(
        Exists(PartnerLink.objects.filter(partner=OuterRef("pk"), organisation_id__in=org_ids))
    )


def get_partner_link_for_user(user: Any, *, partner_id: int, organisation_id: int | None = None,
                              write: bool = False, write_roles: Any = None) -> PartnerLink:
    """One AHSN's relationship with a partner: 404 unless the user belongs to that AHSN."""
    from accounts.models import MANAGER_ROLES, Role

    lookup: dict[str, Any] = {"partner_id": partner_id}
    if organisation_id is not None:
        lookup["organisation_id"] = organisation_id
    qs = PartnerLink.objects.select_related("partner", "organisation")
    if organisation_id is None:
        qs = qs.filter(organisation_id__in=visible_organisation_ids(user)).order_by("organisation__name")[:1]
        link = qs.first()
        if link is None:
            from django.http import Http404

            raise Http404("No such lay partner.")
        lookup["pk"] = link.pk
    return scoped_get_or_404(
        PartnerLink.objects.select_related("partner", "organisation"),
        user,
        write=write,
        write_roles=write_roles or (MANAGER_ROLES | {Role.STAFF}),
        **lookup,
    )


def partners_for_organisation(organisation_id: int, *, statuses: tuple[str, ...] = ("active",)) -> QuerySet[LayPartner]:
    return LayPartner.objects.filter(
        links__organisation_id=organisation_id, links__status__in=statuses
    ).distinct()


def current_consent(partner: LayPartner, kind: str) -> bool:
    """Whether the partner's latest consent of `kind` is a yes (no record means no)."""
    latest = ConsentRecord.objects.filter(partner=partner, kind=kind).order_by("-recorded_at", "-id").first()
    return bool(latest and latest.given)


def annotate_named_consent(qs: QuerySet[LayPartner]) -> QuerySet[LayPartner]:
    """Add `may_be_named` (latest 'named in notes' consent) to each partner in one query."""
    latest = ConsentRecord.objects.filter(
        partner=OuterRef("pk"), kind=ConsentRecord.Kind.NAMED_IN_NOTES
    ).order_by("-recorded_at", "-id")
    return qs.annotate(may_be_named=Subquery(latest.values("given")[:1]))
