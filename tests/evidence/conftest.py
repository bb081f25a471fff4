from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from involvement import services as involvement
from tests.conftest import client_for
from tests.involvement.factories import ActivityFactory, LayPartnerFactory, ParticipationFactory


@pytest.fixture
def workshop(wessex, lead):
    """A completed co-design workshop with carers, one of a programme's activities."""
    activity = ActivityFactory(
        organisation=wessex,
        title="Discharge letter workshop",
        level="co_design",
        method="workshop",
        stage="design",
        seldom_heard_groups=["carers"],
        starts_at=timezone.now() - timedelta(days=10),
        ends_at=timezone.now() - timedelta(days=10) + timedelta(hours=2),
    )
    return activity


@pytest.fixture
def priya(workshop):
    partner = LayPartnerFactory(full_name="Priya Shah", user__email="priya@example.org")
    ParticipationFactory(activity=workshop, partner=partner)
    return partner


@pytest.fixture
def attended(workshop, lead, priya):
    involvement.attendance_record(
        actor=lead,
        activity=workshop,
        rows=[(p, True, Decimal("2")) for p in workshop.participations.all()],
    )
    return workshop


@pytest.fixture
def outcome(attended, lead):
    return involvement.outcome_record(
        actor=lead,
        activity=attended,
        what_we_heard="The discharge letter was full of jargon",
        what_we_did="We rewrote it with the panel",
        status="changed",
        decided_on=timezone.localdate(),
    )


@pytest.fixture
def priya_client(priya):
    return client_for(priya.user)


@pytest.fixture
def finance_client(finance):
    return client_for(finance)
