"""Case studies for tests: the factory writes the row directly (for lists with hundreds of rows);
journeys use `evidence.services`, which fill the figures from the portal."""

from __future__ import annotations

import factory
from django.utils import timezone

from evidence.models import (
    CaseStudy,
    CaseStudyQuote,
    CaseStudyState,
    DevelopmentSession,
    SessionAttendance,
    SessionAudience,
    SessionKind,
)
from tests.involvement.factories import LayPartnerFactory, wessex
from tests.programmes.factories import ProgrammeFactory


class CaseStudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseStudy
        skip_postgeneration_save = True

    organisation = factory.LazyFunction(wessex)
    programme = factory.SubFactory(ProgrammeFactory, organisation=factory.SelfAttribute("..organisation"))
    title = factory.Sequence(lambda n: f"Case study {n}")
    challenge = "Discharge letters confused people."
    involvement = "A panel of carers rewrote them with us."
    what_changed = "Every ward now uses the plain English letter."
    state = CaseStudyState.SHARED
    shared_at = factory.LazyFunction(timezone.now)
    activity_count = 3
    people_count = 7
    levels = factory.LazyFunction(lambda: ["co_design"])
    methods = factory.LazyFunction(lambda: ["workshop"])
    stages = factory.LazyFunction(lambda: ["design"])
    seldom_heard_groups = factory.LazyFunction(lambda: ["carers"])


class CaseStudyQuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseStudyQuote

    case_study = factory.SubFactory(CaseStudyFactory)
    partner = factory.SubFactory(LayPartnerFactory)
    text = "For the first time I felt listened to."
    asked_at = factory.LazyFunction(timezone.now)


class DevelopmentSessionFactory(factory.django.DjangoModelFactory):
    """A learning and development session written directly (journeys use `evidence.services`)."""

    class Meta:
        model = DevelopmentSession

    organisation = factory.LazyFunction(wessex)
    title = factory.Sequence(lambda n: f"Development session {n}")
    kind = SessionKind.TRAINING
    date = factory.LazyFunction(timezone.localdate)
    audience = SessionAudience.BOTH
    description = "Chairing skills."


class SessionAttendanceFactory(factory.django.DjangoModelFactory):
    """A lay partner who took part (pass `partner=None, user=...` for a member of staff)."""

    class Meta:
        model = SessionAttendance

    session = factory.SubFactory(DevelopmentSessionFactory)
    partner = factory.SubFactory(LayPartnerFactory)
    user = None
