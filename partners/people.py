"""The partners app tells core who is a lay partner (core.people), so core imports no feature app."""

from __future__ import annotations

from django.urls import reverse

from core.access import memberships_of
from core.people import Person, PersonHooks, register_person_hooks
from partners.models import LayPartner, PartnerLink
from partners.selectors import partner_for_user


def _partner_of(user: Person) -> LayPartner | None:
    return partner_for_user(user)


def _home_page_for(user: Person) -> str:
    """A lay partner with no staff role has their own home page; staff keep the dashboard."""
    if not memberships_of(user) and partner_for_user(user) is not None:
        return reverse("partners:home")
    return ""


def _organisation_ids_of(user: Person) -> set[int]:
    """The AHSNs the person works with as a lay partner (links they have not left)."""
    partner = partner_for_user(user)
    if partner is None:
        return set()
    return set(partner.links.exclude(status=PartnerLink.Status.LEFT).values_list("organisation_id", flat=True))


register_person_hooks(
    PersonHooks(partner_of=_partner_of, home_page_for=_home_page_for, organisation_ids_of=_organisation_ids_of)
)
