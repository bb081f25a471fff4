from __future__ import annotations

import pytest

from tests.conftest import client_for
from tests.payments.factories import participation_for, partner_at


@pytest.fixture
def partner(wessex):
    return partner_at(wessex, full_name="Alex Partner")


@pytest.fixture
def partner_client(partner):
    return client_for(partner.user)


@pytest.fixture
def participation(partner):
    return participation_for(partner, hours="3")
