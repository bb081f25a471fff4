"""Demo programmes for `manage.py seed_demo`: a handful for Wessex and Yorkshire and Humber,
including one national programme that Wessex owns and shares with Y&H. Idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from core.quarters import FinancialQuarter
from programmes.models import PlannedInvolvement, Programme, StrategyPriority

PROGRAMMES = [
    # (owner, name, type, stage, lead key, priorities, plan, equality note, shared with)
    (
        "Wessex",
        "Hospital discharge: getting home safely",
        "patient_safety_collaborative",
        "testing",
        "lead.wessex",
        ["1.1", "2.3", "4.1"],
        "A lay panel of six people who have recently left hospital co-designs the discharge checklist, "
        "then tests it on two wards. Carers join the testing sessions.",
        "Older people and people living alone are most at risk after discharge. We reach them through "
        "Age UK groups and offer phone and post routes to take part.",
        [],
    ),
    (
        "Wessex",
        "Digital front door for mental health services",
        "innovation_pipeline",
        "design",
        "staff.wessex",
        ["1.1", "2.1", "2.2"],
        "Young people and parents co-design the first screens with the supplier. Later rounds test a prototype.",
        "Digital exclusion: we provide devices and data for sessions, and keep a paper route.",
        [],
    ),
    (
        "Wessex",
        "Remote monitoring for heart failure",
        "national",
        "spread_and_adoption",
        "lead.wessex",
        ["1.1", "3.1", "4.2"],
        "A national lay advisory group meets each quarter; each AHSN runs local sessions with patients using the kit.",
        "Rural patients and people whose first language is not English are under-represented in early sites.",
        ["Y&H AHSN"],
    ),
    (
        "Y&H AHSN",
        "Falls prevention in care homes",
        "spread_and_adoption",
        "implementation",
        "lead.yorkshire",
        ["2.3", "4.1"],
        "Residents, families and care home staff review the falls toolkit together and agree what to change.",
        "Care home residents are seldom heard; we go to them rather than asking them to travel.",
        [],
    ),
    (
        "Y&H AHSN",
        "Community pharmacy blood pressure checks",
        "local",
        "needs_articulation",
        "staff.yorkshire",
        ["2.1", "2.3"],
        "Focus groups with communities least likely to have their blood pressure checked, run with local faith groups.",
        "Focus on South Asian and African Caribbean communities and men over 40.",
        [],
    ),
]


# Each programme's planned involvement, at its own innovation stage: (quarters from now, level,
# seldom-heard groups, description). The demo activities (involvement/demo.py) make the first line
# done, the second usually late or done differently, and the last not started.
PLAN = [
    (-3, "consultation", [], "Hear from people who use the service what matters most to them"),
    (-1, "co_production", ["carers"], "Co-produce the next version with unpaid carers"),
    (1, "co_design", ["older", "rural"], "Co-design the spread materials with older and rural communities"),
]


def _seed_plan(programme: Programme) -> int:
    """Three plan lines for a demo programme that has none (so people's own changes stay)."""
    if programme.planned_involvement.exists():
        return 0
    current = FinancialQuarter.current()
    for offset, level, groups, description in PLAN:
        quarter = current + offset
        PlannedInvolvement.objects.create(
            programme=programme,
            stage=programme.innovation_stage,
            level=level,
            seldom_heard_groups=groups,
            period_start=quarter.start,
            period_end=quarter.end,
            description=description,
        )
    return len(PLAN)


@transaction.atomic
def seed(out: Any, context: dict[str, Any]) -> dict[str, Any]:
    orgs = {o.short_name: o for o in Organisation.objects.all()}
    users = context.get("users", {})
    priorities = {p.code: p for p in StrategyPriority.objects.filter(strategy="2021-23")}
    made: dict[str, Programme] = {}
    created_count = planned = 0
    for owner, name, kind, stage, lead_key, codes, plan, note, shared in PROGRAMMES:
        programme, created = Programme.objects.get_or_create(
            organisation=orgs[owner],
            name=name,
            defaults={
                "programme_type": kind,
                "innovation_stage": stage,
                "lead": users.get(lead_key),
                "involvement_plan": plan,
                "equality_impact_note": note,
                "created_by": users.get(lead_key),
                # Before the demo's first activities (from about 350 days ago).
                "start_on": timezone.localdate() - timedelta(days=400),
            },
        )
        if created:
            programme.priorities.set([priorities[c] for c in codes if c in priorities])
            programme.shared_with.set([orgs[s] for s in shared])
            created_count += 1
        made[name] = programme
        planned += _seed_plan(programme)
    out.write(f"Demo programmes: {len(made)} ({created_count} new), {planned} new lines of planned involvement")
    return {"programmes": made}
