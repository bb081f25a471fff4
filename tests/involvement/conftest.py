from __future__ import annotations

import pytest

from tests.conftest import client_for
from tests.involvement.factories import ActivityFactory, LayPartnerFactory, ParticipationFactory


@pytest.fixture
def activity(wessex):
    return ActivityFactory(organisation=wessex, title="Hospital discharge workshop")


@pytest.fixture
def partner(wessex):
    return LayPartnerFactory(full_name="Priya Shah", user__email="priya@example.org")


@pytest.fixture
def partner_client(partner):
    return client_for(partner.user)


@pytest.fixture
def participation(activity, partner):
    return ParticipationFactory(activity=activity, partner=partner)
