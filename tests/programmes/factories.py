from __future__ import annotations

import factory

from accounts.models import Organisation
from programmes.models import Programme, ProgrammeStatus, ProgrammeType


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    organisation = factory.LazyFunction(lambda: Organisation.objects.get(short_name="Wessex"))
    name = factory.Sequence(lambda n: f"Programme {n}")
    programme_type = ProgrammeType.LOCAL
    innovation_stage = "design"
    status = ProgrammeStatus.ACTIVE
