"""Builders for notification and reminder tests: lay partners, activities and who took part."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import factory

from accounts.models import Organisation, User
from core.choices import ActivityFormat, InvolvementMethod, LadderLevel
from involvement.models import Activity, ActivityStatus, Participation
from partners.models import LayPartner, PartnerLink
from tests.accounts.factories import UserFactory
from tests.partners.factories import LayPartnerFactory as PartnerFactory


class LayPartnerFactory(PartnerFactory):
    """The one lay partner factory (tests.partners.factories), with a plain numbered name."""

    full_name = factory.Sequence(lambda n: f"Partner Person {n}")
    email = factory.Sequence(lambda n: f"partner{n}@example.org")
    phone = ""


def linked_partner(organisation: Organisation, *, with_login: bool = False, **fields: Any) -> LayPartner:
    """A lay partner registered with `organisation` (and with a login when asked)."""
    if with_login:
        fields.setdefault(
            "user", UserFactory(email=fields.get("email") or f"login-{LayPartner.objects.count()}@ex.org")
        )
    partner = LayPartnerFactory(**fields)
    PartnerLink.objects.create(partner=partner, organisation=organisation, joined_on=date(2025, 1, 1))
    return partner


def activity(
    organisation: Organisation,
    *,
    starts_at: datetime,
    hours: float = 2,
    lead: User | None = None,
    status: str = ActivityStatus.PLANNED,
    **fields: Any,
) -> Activity:
    values: dict[str, Any] = {
        "title": "Designing the discharge leaflet",
        "format": ActivityFormat.IN_PERSON,
        "location": "Room 4, Innovation Centre, Southampton SO16 7NP",
        "method": InvolvementMethod.WORKSHOP,
        "level": LadderLevel.CO_DESIGN,
    }
    values.update(fields)
    if status == ActivityStatus.CANCELLED:
        values.setdefault("cancellation_reason", "The venue is closed.")
    return Activity.objects.create(
        organisation=organisation,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        lead=lead,
        status=status,
        **values,
    )


def take_part(activity_: Activity, partner: LayPartner, **fields: Any) -> Participation:
    return Participation.objects.create(activity=activity_, partner=partner, **fields)
