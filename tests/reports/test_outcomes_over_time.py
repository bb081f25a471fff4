"""The report counts outcomes by the status they had at the end of each quarter, from their history.

A hand-built dataset with known answers (quarter 2026/27 Q2 is July to September 2026; the previous
quarter is April to June 2026; the same quarter last year is July to September 2025)."""

from __future__ import annotations

from datetime import date

import pytest

from involvement.models import Outcome
from reports.indicators import compile_indicators
from tests.reports import factories as f
from tests.reports.conftest import QUARTER
from tests.reports.test_indicators import values

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(wessex, yorkshire):
    prog = f.programme(wessex, "Discharge letters", created=date(2025, 1, 10))
    # Considered last year, in progress in the spring, changed on the last day of this quarter.
    first = f.outcome(wessex, prog=prog, status="considered", decided=date(2025, 8, 10))
    f.outcome_step(first, status="in_progress", on=date(2026, 5, 1))
    f.outcome_step(first, status="changed", on=date(2026, 9, 30))
    # Recorded on the last day of the previous quarter, turned down on the first day of this one.
    second = f.outcome(wessex, prog=prog, status="considered", decided=date(2026, 6, 30))
    f.outcome_step(second, status="not_taken_forward", on=date(2026, 7, 1), reason="Outside our remit")
    # Recorded after the quarter ended: not counted in it.
    f.outcome(wessex, prog=prog, status="in_progress", decided=date(2026, 10, 1))
    # An outcome with no history at all counts with its status from its date.
    Outcome.objects.create(
        organisation=wessex,
        programme=prog,
        what_we_heard="Old",
        what_we_did="Kept",
        status="changed",
        decided_on=date(2026, 4, 15),
    )
    # Another AHSN's outcome is not Wessex's.
    y_prog = f.programme(yorkshire, "Yorkshire programme", created=date(2025, 1, 10))
    f.outcome(yorkshire, prog=y_prog, status="considered", decided=date(2026, 8, 1))


def test_outcomes_are_counted_by_their_status_at_each_quarter_end(history, wessex):
    data = compile_indicators(organisation=wessex, quarter=QUARTER)
    # (this quarter, previous quarter, same quarter last year)
    assert values(data, "outcomes.changed") == (2, 1, 0)
    assert values(data, "outcomes.not_taken_forward") == (1, 0, 0)
    assert values(data, "outcomes.in_progress") == (0, 1, 0)
    assert values(data, "outcomes.considered") == (0, 1, 1)
    # Recorded in each quarter (by the day recorded) is unchanged.
    assert values(data, "outcomes.total") == (0, 2, 1)


def test_a_later_change_does_not_rewrite_a_past_quarter(history, wessex):
    before = compile_indicators(organisation=wessex, quarter=QUARTER)
    late = Outcome.objects.get(decided_on=date(2026, 10, 1))
    f.outcome_step(late, status="changed", on=date(2026, 11, 2))
    second = Outcome.objects.get(decided_on=date(2026, 6, 30))
    assert second.status == "not_taken_forward"
    after = compile_indicators(organisation=wessex, quarter=QUARTER)
    for key in ("outcomes.changed", "outcomes.not_taken_forward", "outcomes.in_progress", "outcomes.considered"):
        assert values(after, key) == values(before, key)


def test_the_network_counts_every_ahsns_outcomes(history, network):
    data = compile_indicators(organisation=network, quarter=QUARTER)
    assert values(data, "outcomes.considered") == (1, 1, 1)
    assert values(data, "outcomes.changed")[0] == 2
