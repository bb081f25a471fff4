"""Hand-built datasets where the right answers are known (see `dataset` and `compared`)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from core.quarters import FinancialQuarter
from tests.accounts.factories import UserFactory
from tests.reports import factories as f

QUARTER = FinancialQuarter(2026, 2)  # July to September 2026


@pytest.fixture
def dataset(wessex, yorkshire) -> dict[str, Any]:
    """Wessex, 2026/27 Q2 (previous quarter 2026/27 Q1, same quarter last year 2025/26 Q2):

    * programmes: P1 and P2 active, P3 closed -> 2 active, 1 with involvement (50%);
    * activities in Q2: co-design, co-production (training), informing (event), and a cancelled
      one that does not count -> 3; share at co-design or co-production 66.7%;
      Q1: 1 (engagement); last year Q2: 1 (informing); Yorkshire has 1 more in Q2 (network: 4);
    * lay partners who took part in Q2: 2 (L1 twice, L2 once; L3 did not attend);
      new lay partners: Q2 1, Q1 1, last year Q2 1;
    * seldom-heard reach in Q2: carers 2, minority ethnic 1; support: interpreter 1, BSL 1, easy read 1;
    * training sessions 1 with 1 attendance, knowledge-sharing events 1;
    * feedback: 2 responses, means 4.0, 4.0, 4.0, 5.0;
    * outcomes in Q2: 3 (changed 1, considered 1, not taken forward 1); completed activities 2,
      1 with an outcome (50%); one shareable example;
    * payments in Q2: fees paid £75.00, expenses £12.50, 2 claims paid after 10 and 20 days
      (median 15, 90th percentile 19); 4 claims submitted: 2 paid, 1 approved, 1 returned.
    """
    p1 = f.programme(wessex, "Digital inclusion", created=date(2025, 1, 10))
    p2 = f.programme(wessex, "Patient safety", created=date(2025, 1, 10))
    f.programme(wessex, "Old work", created=date(2024, 1, 10), status="closed")
    a1 = f.activity(
        wessex,
        p1,
        day=date(2026, 7, 10),
        level="co_design",
        stage="design",
        seldom=["minority_ethnic", "carers"],
        support=["interpreter", "bsl"],
    )
    a2 = f.activity(
        wessex,
        p1,
        day=date(2026, 8, 5),
        level="co_production",
        stage="testing",
        method="training",
        seldom=["carers"],
        support=["easy_read"],
    )
    a3 = f.activity(wessex, p1, day=date(2026, 9, 20), level="informing", method="event", status="planned")
    f.activity(wessex, p1, day=date(2026, 8, 1), level="consultation", status="cancelled")
    f.activity(wessex, p1, day=date(2026, 5, 1), level="engagement", stage="design")
    f.activity(wessex, p2, day=date(2025, 8, 1), level="informing")
    y_prog = f.programme(yorkshire, "Yorkshire programme", created=date(2025, 1, 10))
    f.activity(yorkshire, y_prog, day=date(2026, 8, 15), level="co_production")

    l1 = f.partner(wessex, "Lay Partner One", joined=date(2026, 7, 15))
    l2 = f.partner(wessex, "Lay Partner Two", joined=date(2026, 5, 1))
    l3 = f.partner(wessex, "Lay Partner Three", joined=date(2025, 8, 10))
    p_l1_a1 = f.took_part(a1, l1)
    p_l2_a1 = f.took_part(a1, l2)
    p_l1_a2 = f.took_part(a2, l1)
    f.took_part(a2, l3, attended=False)
    f.took_part(a3, l2, attended=None)
    f.feedback(p_l1_a1, (5, 4, 3, 5))
    f.feedback(p_l2_a1, (3, 4, 5, 5))

    f.outcome(wessex, act=a1, status="changed", decided=date(2026, 8, 1), shareable=True)
    f.outcome(wessex, prog=p1, status="considered", decided=date(2026, 9, 1), heard="Hidden example", did="Not shared")
    f.outcome(wessex, prog=p2, status="not_taken_forward", decided=date(2026, 7, 20))
    clerk = UserFactory()
    f.claim(
        wessex,
        l1,
        by=clerk,
        status="paid",
        submitted=f.at(date(2026, 7, 20)),
        paid=f.at(date(2026, 7, 30)),
        lines=[("fee", "50.00", p_l1_a1), ("mileage", "12.50", None)],
    )
    f.claim(
        wessex,
        l2,
        by=clerk,
        status="paid",
        submitted=f.at(date(2026, 8, 1)),
        paid=f.at(date(2026, 8, 21)),
        lines=[("fee", "25.00", p_l2_a1)],
    )
    f.claim(
        wessex, l1, by=clerk, status="approved", submitted=f.at(date(2026, 9, 10)), lines=[("fee", "30.00", p_l1_a2)]
    )
    f.claim(wessex, l2, by=clerk, status="returned", submitted=f.at(date(2026, 9, 15)), lines=[("taxi", "8.00", None)])
    f.claim(wessex, l3, by=clerk, status="draft", submitted=None, lines=[("parking", "4.00", None)])
    return {"programmes": [p1, p2], "activities": [a1, a2, a3], "partners": [l1, l2, l3]}


@pytest.fixture
def compared(wessex, yorkshire) -> None:
    """2026/27 Q2 (July to September 2026). Answers, by headline figure:

    * Wessex: 6 activities (3 at co-design or co-production: 50%; a cancelled one and one in Q1 do
      not count); 5 lay partners took part (one of them twice; one who did not attend does not
      count); 5 outcomes (one decided in Q3 does not count); £100.00 paid to 5 lay partners on 5
      claims after 2, 4, 6, 8 and 10 days (median 6; an approved claim not yet paid does not count).
    * Yorkshire: 2 activities (<5, so its share is suppressed); 1 lay partner, who also took part
      with Wessex (<5); no outcomes (0); £30.00 paid to 1 lay partner on 1 claim (the amount and the
      median are suppressed).
    * Every other AHSN: nothing (0 counts, no share, £0.00, no median).
    """
    clerk = UserFactory()
    prog = f.programme(wessex, "Digital inclusion", created=date(2025, 1, 10))
    levels = ["co_design", "co_production", "co_design", "informing", "engagement", "consultation"]
    acts = [f.activity(wessex, prog, day=date(2026, 7, 1 + i), level=level) for i, level in enumerate(levels)]
    f.activity(wessex, prog, day=date(2026, 8, 1), level="co_design", status="cancelled")
    f.activity(wessex, prog, day=date(2026, 6, 30), level="co_design")

    partners = [f.partner(wessex, f"Wessex partner {i}", joined=date(2026, 1, 1)) for i in range(5)]
    parts = [f.took_part(acts[0], who) for who in partners]
    again = f.took_part(acts[1], partners[0])
    f.took_part(acts[1], f.partner(wessex, "Did not come", joined=date(2026, 1, 1)), attended=False)

    for i in range(5):
        f.outcome(wessex, act=acts[i], status="considered", decided=date(2026, 8, 1 + i))
    f.outcome(wessex, act=acts[5], status="considered", decided=date(2026, 10, 1))

    for i, who in enumerate(partners):
        submitted = f.at(date(2026, 7, 10))
        f.claim(
            wessex,
            who,
            by=clerk,
            status="paid",
            submitted=submitted,
            paid=submitted + timedelta(days=2 * (i + 1)),
            lines=[("fee", "20.00", parts[i])],
        )
    f.claim(
        wessex,
        partners[0],
        by=clerk,
        status="approved",
        submitted=f.at(date(2026, 8, 1)),
        lines=[("fee", "9.00", again)],
    )

    y_prog = f.programme(yorkshire, "Yorkshire programme", created=date(2025, 1, 10))
    y_acts = [
        f.activity(yorkshire, y_prog, day=date(2026, 8, 15), level=level) for level in ("co_production", "informing")
    ]
    y_part = f.took_part(y_acts[0], partners[0])
    f.claim(
        yorkshire,
        partners[0],
        by=clerk,
        status="paid",
        submitted=f.at(date(2026, 8, 20)),
        paid=f.at(date(2026, 8, 23)),
        lines=[("fee", "25.00", y_part), ("mileage", "5.00", None)],
    )
