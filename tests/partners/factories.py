from __future__ import annotations

import factory
from django.utils import timezone

from accounts.models import Organisation
from partners.models import ConsentRecord, EqualityMonitoring, LayPartner, PartnerApplication, PartnerLink
from tests.accounts.factories import UserFactory


def _org(short_name: str) -> Organisation:
    return Organisation.objects.get(short_name=short_name)


class LayPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LayPartner

    full_name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"partner{n}@example.net")
    phone = "07700900123"
    contact_methods = factory.LazyFunction(lambda: ["email"])


class PartnerLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerLink

    partner = factory.SubFactory(LayPartnerFactory)
    organisation = factory.LazyFunction(lambda: _org("Wessex"))
    joined_on = factory.LazyFunction(timezone.localdate)


class ConsentRecordFactory(factory.django.DjangoModelFactory):
    """A consent answer; by default a yes to being contacted about opportunities."""

    class Meta:
        model = ConsentRecord

    partner = factory.SubFactory(LayPartnerFactory)
    kind = ConsentRecord.Kind.CONTACT
    given = True
    privacy_notice_version = "1"


def partner_with_login(organisation: Organisation | None = None, **kwargs: object) -> LayPartner:
    """A lay partner who signs in, linked to `organisation` (Wessex by default)."""
    partner = LayPartnerFactory(**kwargs)
    user = UserFactory(email=partner.email, full_name=partner.full_name)
    partner.user = user
    partner.save()
    PartnerLinkFactory(partner=partner, organisation=organisation or _org("Wessex"))
    return partner


def assisted_partner(organisation: Organisation | None = None, **kwargs: object) -> LayPartner:
    partner = LayPartnerFactory(email="", is_assisted_digital=True, contact_methods=["phone"], **kwargs)
    PartnerLinkFactory(partner=partner, organisation=organisation or _org("Wessex"), staff_can_edit=True)
    return partner


class PartnerApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerApplication

    organisation = factory.LazyFunction(lambda: _org("Wessex"))
    full_name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"applicant{n}@example.net")
    contact_method = "email"
    interests = "Diabetes and digital health"


class EqualityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EqualityMonitoring

    partner = factory.SubFactory(LayPartnerFactory)
