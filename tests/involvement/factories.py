"""Factories for involvement tests. Lay partners come with a login, a verified email address
and a link to an AHSN, like the real thing."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from accounts.models import Organisation
from core.formatting import UK_TIME
from involvement.models import Activity, ActivityStatus, Participation
from partners.models import LayPartner, PartnerLink
from tests.accounts.factories import UserFactory
from tests.partners.factories import LayPartnerFactory as PartnerFactory
from tests.programmes.factories import ProgrammeFactory


def two_days_ago() -> datetime:
    """Two days ago, early enough that two hours later is the same day in the UK: a default
    activity is a one-day activity (24 hours' cap) whatever time of day the tests run."""
    when = timezone.now().astimezone(UK_TIME) - timedelta(days=2)
    return when.replace(hour=20, minute=0) if when.hour >= 21 else when


def wessex() -> Organisation:
    return Organisation.objects.get(short_name="Wessex")


class LayPartnerFactory(PartnerFactory):
    """The one lay partner factory (tests.partners.factories), with a login, registered with Wessex
    unless `organisation=` says otherwise."""

    class Meta:
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "")
    phone = ""
    contact_methods = factory.LazyFunction(list)

    @factory.post_generation
    def organisation(obj: LayPartner, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or extracted is False:
            return
        PartnerLink.objects.get_or_create(
            partner=obj, organisation=extracted or wessex(), defaults={"joined_on": timezone.localdate()}
        )


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    organisation = factory.LazyFunction(wessex)
    programme = factory.SubFactory(ProgrammeFactory, organisation=factory.SelfAttribute("..organisation"))
    title = factory.Sequence(lambda n: f"Co-design workshop {n}")
    starts_at = factory.LazyFunction(two_days_ago)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    format = "in_person"
    method = "workshop"
    level = "co_design"
    status = ActivityStatus.PLANNED


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    activity = factory.SubFactory(ActivityFactory)
    partner = factory.SubFactory(LayPartnerFactory)
    role = "Participant"
    expected_hours = Decimal("2")
