"""Factories for opportunities. Lay partners, activities and links come from the other apps'
factories (tests.involvement.factories, tests.partners.factories)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import Organisation
from opportunities.models import Interest, Opportunity, OpportunityState, WayToTakePart
from tests.involvement.factories import LayPartnerFactory


def _wessex() -> Organisation:
    return Organisation.objects.get(short_name="Wessex")


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity
        skip_postgeneration_save = True

    organisation = factory.LazyFunction(_wessex)
    title = factory.Sequence(lambda n: f"Help us design a diabetes app {n}")
    purpose = "To make a diabetes app that people can use without help. The app will change because of you."
    what_you_would_do = "Try the app and tell us what is hard, in two sessions."
    ways_to_take_part = factory.LazyFunction(lambda: [WayToTakePart.ONLINE, WayToTakePart.IN_PERSON])
    how_chosen = "We choose people with different experiences. You will hear within two weeks."
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    state = OpportunityState.DRAFT


def open_opportunity(**kwargs: object) -> Opportunity:
    kwargs.setdefault("opened_at", timezone.now())
    return OpportunityFactory(state=OpportunityState.OPEN, **kwargs)


class InterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interest

    opportunity = factory.SubFactory(OpportunityFactory)
    partner = factory.SubFactory(LayPartnerFactory)
