"""Priority 1.1: programmes whose involvement is on plan, on a hand-built dataset with known answers.
The report is for 2026/27 Q2 (July to September 2026), for Wessex."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest

from core.formatting import UK_TIME
from core.quarters import FinancialQuarter
from reports.indicators import compile_indicators
from tests.involvement.factories import ActivityFactory
from tests.programmes.factories import PlannedInvolvementFactory, ProgrammeFactory
from tests.reports.test_indicators import values

pytestmark = pytest.mark.django_db

Q1, Q2, Q3 = FinancialQuarter(2026, 1), FinancialQuarter(2026, 2), FinancialQuarter(2026, 3)


def _programme(organisation: Any, *quarters: FinancialQuarter) -> Any:
    programme = ProgrammeFactory(organisation=organisation, start_on=date(2025, 1, 1))
    for quarter in quarters:
        PlannedInvolvementFactory(programme=programme, stage="design", level="co_design", quarter=quarter)
    return programme


def _activity(programme: Any, day: date, level: str) -> None:
    ActivityFactory(
        organisation=programme.organisation,
        programme=programme,
        starts_at=datetime.combine(day, time(10), tzinfo=UK_TIME),
        stage="design",
        level=level,
    )


def test_programmes_on_plan(wessex, yorkshire, network):
    done = _programme(wessex, Q1, Q3)  # Q1 line done in May; the Q3 line is not due yet
    _activity(done, date(2026, 5, 10), "co_design")
    _programme(wessex, Q1)  # nothing logged: late from 1 July
    differently = _programme(wessex, Q2)  # a lower level in the period: done differently, not late
    _activity(differently, date(2026, 8, 1), "consultation")
    _programme(wessex)  # no plan
    _programme(wessex, Q3)  # nothing planned by the end of Q2
    _programme(yorkshire, Q1)  # another AHSN's late plan

    data = compile_indicators(organisation=wessex, quarter=Q2)

    assert values(data, "programmes.with_plan") == (3, 2, 0)
    assert values(data, "programmes.on_plan") == (2, 1, 0)
    assert values(data, "programmes.on_plan_share") == (66.7, 50.0, None)
    whole = compile_indicators(organisation=network, quarter=Q2)
    assert values(whole, "programmes.with_plan")[0] == 4
    assert values(whole, "programmes.on_plan")[0] == 2
