"""Indicator values on the hand-built dataset in conftest.py, where the answers are known."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from reports.indicators import compile_indicators
from tests.reports import factories as f
from tests.reports.conftest import QUARTER

pytestmark = pytest.mark.django_db


def rows_by_key(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for section in data["sections"] for row in section["indicators"]}


def values(data: dict[str, Any], key: str) -> tuple[Any, Any, Any]:
    row = rows_by_key(data)[key]
    return row["values"]["this"], row["values"]["previous"], row["values"]["last_year"]


@pytest.fixture
def wessex_q2(dataset, wessex) -> dict[str, Any]:
    return compile_indicators(organisation=wessex, quarter=QUARTER)


def test_sections_follow_the_strategy_priorities(wessex_q2):
    titles = [section["title"] for section in wessex_q2["sections"]]
    assert titles == [
        "Visible leadership",
        "Diverse perspectives",
        "Continuous improvement",
        "Evidence of change",
        "Payments to lay partners",
    ]
    codes = [p["code"] for p in wessex_q2["sections"][0]["priorities"]]
    assert codes == ["1.1", "1.2", "1.3"]
    assert wessex_q2["periods"] == {"this": "2026/27 Q2", "previous": "2026/27 Q1", "last_year": "2025/26 Q2"}


def test_visible_leadership(wessex_q2):
    assert values(wessex_q2, "programmes.active") == (2, 2, 2)
    assert values(wessex_q2, "programmes.with_involvement")[0] == 1
    assert values(wessex_q2, "programmes.with_involvement_share")[0] == 50.0
    assert values(wessex_q2, "activities.total") == (3, 1, 1)
    assert values(wessex_q2, "ladder.co_design") == (1, 0, 0)
    assert values(wessex_q2, "ladder.co_production") == (1, 0, 0)
    assert values(wessex_q2, "ladder.informing") == (1, 0, 1)
    assert values(wessex_q2, "ladder.consultation") == (0, 0, 0)  # the cancelled one does not count
    assert values(wessex_q2, "ladder.engagement") == (0, 1, 0)
    assert values(wessex_q2, "activities.codesign_or_coproduction_share") == (66.7, 0.0, 0.0)
    assert values(wessex_q2, "stage.design") == (1, 1, 0)
    assert values(wessex_q2, "stage.testing")[0] == 1
    assert values(wessex_q2, "stage.")[0] == 1


def test_diverse_perspectives(wessex_q2):
    assert values(wessex_q2, "partners.involved") == (2, 0, 0)
    assert values(wessex_q2, "partners.new") == (1, 1, 1)
    assert values(wessex_q2, "reach.carers")[0] == 2
    assert values(wessex_q2, "reach.minority_ethnic")[0] == 1
    assert values(wessex_q2, "reach.homeless")[0] == 0
    assert values(wessex_q2, "support.interpreter")[0] == 1
    assert values(wessex_q2, "support.bsl")[0] == 1
    assert values(wessex_q2, "support.easy_read")[0] == 1
    assert values(wessex_q2, "support.booked_travel")[0] == 0
    assert values(wessex_q2, "support.carer_costs")[0] == 0


def test_continuous_improvement(wessex_q2):
    # Development sessions and their attendance come from evidence.DevelopmentSession, not from the
    # "training" activity here: tests/reports/test_development_indicators.py has their dataset.
    assert values(wessex_q2, "learning.training_sessions") == (0, 0, 0)
    assert values(wessex_q2, "learning.training_attendance") == (0, 0, 0)
    assert values(wessex_q2, "learning.events")[0] == 1
    assert values(wessex_q2, "feedback.responses") == (2, 0, 0)
    assert values(wessex_q2, "feedback.listened_to") == (4.0, None, None)
    assert values(wessex_q2, "feedback.take_part_again")[0] == 5.0


def test_evidence_of_change(wessex_q2):
    assert values(wessex_q2, "outcomes.total")[0] == 3
    assert values(wessex_q2, "outcomes.changed")[0] == 1
    assert values(wessex_q2, "outcomes.considered")[0] == 1
    assert values(wessex_q2, "outcomes.not_taken_forward")[0] == 1
    assert values(wessex_q2, "outcomes.in_progress")[0] == 0
    assert values(wessex_q2, "activities.completed")[0] == 2
    assert values(wessex_q2, "activities.completed_with_outcome_share")[0] == 50.0
    examples = wessex_q2["sections"][3]["examples"]
    assert [e["what_we_heard"] for e in examples] == ["People said the form was too long"]


def test_no_data_is_shown_as_no_data_not_zero(wessex_q2):
    row = rows_by_key(wessex_q2)["feedback.listened_to"]
    assert row["display"] == {"this": "4.0", "previous": "No data", "last_year": "No data"}


def test_network_counts_every_ahsn(dataset, network):
    data = compile_indicators(organisation=network, quarter=QUARTER)
    assert values(data, "activities.total")[0] == 4
    assert values(data, "ladder.co_production")[0] == 2
    assert values(data, "programmes.active")[0] == 3


def test_another_ahsn_sees_only_its_own(dataset, yorkshire):
    data = compile_indicators(organisation=yorkshire, quarter=QUARTER)
    assert values(data, "activities.total")[0] == 1
    assert values(data, "partners.involved")[0] == 0


def test_trend_covers_the_last_four_quarters(wessex_q2):
    assert wessex_q2["trend_quarters"] == ["2025/26 Q3", "2025/26 Q4", "2026/27 Q1", "2026/27 Q2"]
    assert rows_by_key(wessex_q2)["activities.total"]["trend"] == [0, 0, 1, 3]


def test_payments(wessex_q2):
    assert values(wessex_q2, "payments.fees") == ("75.00", "0.00", "0.00")
    assert values(wessex_q2, "payments.expenses")[0] == "12.50"
    rows = rows_by_key(wessex_q2)
    assert rows["payments.total"]["display"]["this"] == "£87.50"
    assert values(wessex_q2, "payments.claims_paid")[0] == 2
    assert values(wessex_q2, "claims.all")[0] == 4
    assert values(wessex_q2, "claims.submitted")[0] == 0
    assert values(wessex_q2, "claims.paid")[0] == 2
    assert values(wessex_q2, "claims.approved")[0] == 1
    assert values(wessex_q2, "claims.returned")[0] == 1
    assert values(wessex_q2, "claims.rejected")[0] == 0
    assert values(wessex_q2, "payments.median_days") == (15.0, None, None)
    assert values(wessex_q2, "payments.p90_days")[0] == 19.0
    assert rows["payments.median_days"]["display"]["this"] == "15 days"


def test_examples_are_the_latest_shareable_outcomes_of_the_quarter(dataset, wessex, yorkshire):
    prog = dataset["programmes"][0]
    y_prog = f.programme(yorkshire, "Yorkshire examples", created=date(2025, 1, 10))
    for day in range(1, 7):
        f.outcome(
            wessex, prog=prog, status="changed", decided=date(2026, 9, day), shareable=True, heard=f"September {day}"
        )
    f.outcome(wessex, prog=prog, status="changed", decided=date(2026, 9, 30), heard="Newest but not shareable")
    f.outcome(wessex, prog=prog, status="changed", decided=date(2026, 10, 2), shareable=True, heard="Next quarter")
    f.outcome(wessex, prog=prog, status="changed", decided=date(2026, 6, 30), shareable=True, heard="Last quarter")
    f.outcome(
        yorkshire, prog=y_prog, status="changed", decided=date(2026, 9, 29), shareable=True, heard="Yorkshire example"
    )
    data = compile_indicators(organisation=wessex, quarter=QUARTER)
    examples = data["sections"][3]["examples"]
    # Newest first, at most five, only those the lead marked shareable, only this quarter and AHSN.
    assert [e["what_we_heard"] for e in examples] == [f"September {day}" for day in (6, 5, 4, 3, 2)]
    assert examples[0] == {
        "what_we_heard": "September 6",
        "what_we_did": "We cut it to one page",
        "status": "Changed",
        "decided_on": "2026-09-06",
        "organisation": "Wessex",
    }


def test_network_examples_come_from_every_ahsn(dataset, network, yorkshire):
    y_prog = f.programme(yorkshire, "Yorkshire examples", created=date(2025, 1, 10))
    f.outcome(
        yorkshire, prog=y_prog, status="changed", decided=date(2026, 9, 29), shareable=True, heard="Yorkshire example"
    )
    data = compile_indicators(organisation=network, quarter=QUARTER)
    examples = data["sections"][3]["examples"]
    assert [(e["organisation"], e["what_we_heard"]) for e in examples] == [
        ("Y&H AHSN", "Yorkshire example"),
        ("Wessex", "People said the form was too long"),
    ]
