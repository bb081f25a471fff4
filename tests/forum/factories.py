from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from forum.models import Action, Decision, Forum, ForumMember, Meeting, MeetingNotes
from partners.models import ConsentRecord, LayPartner, PartnerLink
from tests.accounts.factories import UserFactory, organisation
from tests.partners.factories import LayPartnerFactory as PartnerFactory


class LayPartnerFactory(PartnerFactory):
    """The one lay partner factory (tests.partners.factories), with no phone or contact method."""

    email = factory.Sequence(lambda n: f"partner{n}@example.org")
    phone = ""
    contact_methods = factory.LazyFunction(list)


def lay_partner_with_login(*, org_short: str = "Wessex", named: bool | None = None, **kwargs: object) -> LayPartner:
    user = UserFactory()
    partner = LayPartnerFactory(user=user, email=user.email, **kwargs)
    PartnerLink.objects.create(partner=partner, organisation=organisation(org_short), joined_on=dt.date(2025, 1, 1))
    if named is not None:
        ConsentRecord.objects.create(
            partner=partner, kind=ConsentRecord.Kind.NAMED_IN_NOTES, given=named, privacy_notice_version="1"
        )
    return partner


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forum

    organisation = factory.LazyFunction(lambda: organisation("Wessex"))
    name = factory.Sequence(lambda n: f"Wessex involvement group {n}")
    slug = factory.Sequence(lambda n: f"wessex-group-{n}")
    is_public = True


class ForumMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForumMember

    forum = factory.SubFactory(ForumFactory)
    user = factory.SubFactory(UserFactory)
    role = ForumMember.Role.MEMBER


def _start() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=7)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    forum = factory.SubFactory(ForumFactory)
    starts_at = factory.LazyFunction(_start)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    format = "online"
    joining_link = "https://meet.example.org/forum"


class NotesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingNotes

    meeting = factory.SubFactory(MeetingFactory)
    body_markdown = "## Welcome\n\nWe talked about the plan."
    status = MeetingNotes.Status.DRAFT
    version = 1
    # Published notes made here have no change waiting: the public text is the current text.
    published_body_markdown = factory.LazyAttribute(
        lambda o: o.body_markdown if o.status == MeetingNotes.Status.PUBLISHED else ""
    )
    published_version = factory.LazyAttribute(
        lambda o: o.version if o.status == MeetingNotes.Status.PUBLISHED else None
    )


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    meeting = factory.SubFactory(MeetingFactory)
    description = factory.Sequence(lambda n: f"Action number {n}")


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    what = "Meet in Bristol next time"
    why = "Members asked for a venue with step-free access near the station"
