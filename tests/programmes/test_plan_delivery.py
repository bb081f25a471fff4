"""The rule for how a line of an involvement plan stands (involvement.selectors.plan_against_delivery),
on hand-built programmes where the answer is known. "Today" is 15 November 2026 (2026/27 Q3);
most lines are planned for 2026/27 Q2 (July to September 2026)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest

from core.formatting import UK_TIME
from core.quarters import FinancialQuarter
from involvement.models import ActivityStatus
from involvement.selectors import PlanDelivery, plan_against_delivery, programme_plan
from programmes.models import PlannedInvolvement
from tests.involvement.factories import ActivityFactory
from tests.programmes.factories import PlannedInvolvementFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 15)
Q2 = FinancialQuarter(2026, 2)


def _activity(programme: Any, day: date, *, stage: str = "design", level: str = "co_design", **extra: Any) -> None:
    start = datetime.combine(day, time(12), tzinfo=UK_TIME)
    ActivityFactory(
        organisation=programme.organisation, programme=programme, starts_at=start, stage=stage, level=level, **extra
    )


def _line(*, level: str = "co_design", groups: tuple[str, ...] = (), quarter: FinancialQuarter = Q2) -> Any:
    programme = ProgrammeFactory()
    return PlannedInvolvementFactory(
        programme=programme, level=level, seldom_heard_groups=list(groups), quarter=quarter
    )


def _status(line: PlannedInvolvement) -> str:
    return plan_against_delivery(PlannedInvolvement.objects.filter(pk=line.pk), today=TODAY).get().delivery


def test_a_higher_level_before_the_period_is_done():
    line = _line(level="engagement")
    _activity(line.programme, date(2026, 5, 10), level="co_design")
    assert _status(line) == PlanDelivery.DONE


def test_the_planned_groups_at_a_higher_level_in_the_period_is_done():
    line = _line(level="co_design", groups=("carers",))
    _activity(line.programme, date(2026, 8, 1), level="co_production", seldom_heard_groups=["carers", "older"])
    assert _status(line) == PlanDelivery.DONE


def test_a_lower_level_in_the_period_is_done_differently():
    line = _line(level="co_production")
    _activity(line.programme, date(2026, 8, 5), level="engagement")
    assert _status(line) == PlanDelivery.DONE_DIFFERENTLY


def test_other_groups_in_the_period_is_done_differently():
    line = _line(level="co_design", groups=("carers", "older"))
    _activity(line.programme, date(2026, 9, 30), level="co_design", seldom_heard_groups=["carers"])
    assert _status(line) == PlanDelivery.DONE_DIFFERENTLY


def test_a_passed_period_with_nothing_matching_is_late():
    line = _line(level="co_design")
    _activity(line.programme, date(2026, 10, 1), level="co_production")  # after the period
    _activity(line.programme, date(2026, 8, 1), stage="testing", level="co_production")  # another stage
    _activity(  # cancelled
        line.programme,
        date(2026, 8, 2),
        level="co_production",
        status=ActivityStatus.CANCELLED,
        cancellation_reason="Venue closed",
    )
    _activity(ProgrammeFactory(), date(2026, 8, 3), level="co_production")  # another programme
    assert _status(line) == PlanDelivery.LATE


def test_a_period_ahead_or_still_running_is_not_started():
    ahead = _line(quarter=FinancialQuarter(2026, 4))
    running = _line(quarter=FinancialQuarter(2026, 3))
    _activity(running.programme, date(2026, 12, 1), level="co_production")  # not happened by today
    assert _status(ahead) == PlanDelivery.NOT_STARTED
    assert _status(running) == PlanDelivery.NOT_STARTED


def test_a_running_period_with_a_lower_level_so_far_is_done_differently():
    line = _line(level="co_production", quarter=FinancialQuarter(2026, 3))
    _activity(line.programme, date(2026, 11, 2), level="consultation")
    assert _status(line) == PlanDelivery.DONE_DIFFERENTLY


def test_the_same_line_read_when_its_quarter_is_over_and_before():
    """The report reads a plan on the day after each quarter: an activity logged later does not count
    then. On the period's last day the line is still running."""
    line = _line(level="co_design")
    _activity(line.programme, date(2026, 10, 20), level="co_design")

    def on(day: date) -> str:
        return plan_against_delivery(PlannedInvolvement.objects.all(), today=day).get().delivery

    assert on(Q2.end_exclusive) == PlanDelivery.LATE
    assert on(Q2.end) == PlanDelivery.NOT_STARTED
    assert on(date(2026, 6, 1)) == PlanDelivery.NOT_STARTED
    assert on(TODAY) == PlanDelivery.LATE  # done after the period is still late


def test_the_programme_plan_is_in_date_order_with_labels():
    programme = ProgrammeFactory()
    later = PlannedInvolvementFactory(programme=programme, quarter=FinancialQuarter(2026, 4))
    earlier = PlannedInvolvementFactory(programme=programme, quarter=FinancialQuarter(2026, 1))
    lines = programme_plan(programme=programme, today=TODAY)
    assert [line.pk for line in lines] == [earlier.pk, later.pk]
    assert [line.delivery_label for line in lines] == ["Late", "Not started"]
    assert lines[0].delivery_tag == "nhsuk-tag--red"
