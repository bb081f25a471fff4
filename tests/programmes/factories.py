from __future__ import annotations

import factory

from accounts.models import Organisation
from core.quarters import FinancialQuarter
from programmes.models import PlannedInvolvement, Programme, ProgrammeStatus, ProgrammeType


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    organisation = factory.LazyFunction(lambda: Organisation.objects.get(short_name="Wessex"))
    name = factory.Sequence(lambda n: f"Programme {n}")
    programme_type = ProgrammeType.LOCAL
    innovation_stage = "design"
    status = ProgrammeStatus.ACTIVE


class PlannedInvolvementFactory(factory.django.DjangoModelFactory):
    """A line of a programme's plan; `quarter` (a FinancialQuarter) sets the planned period."""

    class Meta:
        model = PlannedInvolvement
        exclude = ("quarter",)

    programme = factory.SubFactory(ProgrammeFactory)
    stage = "design"
    level = "co_design"
    seldom_heard_groups = factory.LazyFunction(list)
    quarter = FinancialQuarter(2026, 2)
    period_start = factory.LazyAttribute(lambda o: o.quarter.start)
    period_end = factory.LazyAttribute(lambda o: o.quarter.end)
    description = "Co-design the first screens"
