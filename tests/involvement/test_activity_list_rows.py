"""The activity list's rows and menus come from queries built once per process (core.prepared):
one for each set of filters chosen, one for the menus. They must answer as the filters' one home,
`selectors.filter_activities`, answers for the export's queryset, for every filter and user."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from accounts.models import Organisation
from accounts.roles import Role
from core.formatting import UK_TIME
from involvement.models import ActivityStatus
from involvement.selectors import activity_filter_menus, activity_list, activity_list_rows
from programmes.models import Programme, StrategyPriority
from tests.accounts.factories import MembershipFactory
from tests.involvement.factories import ActivityFactory, ParticipationFactory
from tests.programmes.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(wessex, yorkshire):
    """Activities across two AHSNs, each filter's values, and a programme shared with Yorkshire."""
    heart = ProgrammeFactory(organisation=wessex, name="Heart failure")
    lungs = ProgrammeFactory(organisation=yorkshire, name="Lung health")
    priority, other = StrategyPriority.objects.order_by("pk")[:2]
    start = datetime(2026, 3, 1, 10, tzinfo=UK_TIME)
    kinds = [
        ("workshop", "co_design", ActivityStatus.PLANNED),
        ("focus_group", "informing", ActivityStatus.COMPLETED),
        ("survey", "consulting", ActivityStatus.CANCELLED),
    ]
    for n in range(12):
        method, level, status = kinds[n % 3]
        org, programme = (wessex, heart) if n % 2 else (yorkshire, lungs if n % 4 else None)
        activity = ActivityFactory(
            organisation=org,
            programme=programme,
            title=f"Activity {n}",
            method=method,
            level=level,
            status=status,
            starts_at=start + timedelta(days=5 * n),
            cancellation_reason="Rain" if status == ActivityStatus.CANCELLED else "",
        )
        activity.priorities.set([priority] if n % 3 else [priority, other])
        for attended in [True, False][: n % 3]:
            ParticipationFactory(activity=activity, attended=attended)
    return {"heart": heart, "priority": priority, "other": other}


def _filters(spread, wessex) -> list[dict]:
    return [
        {},
        {"organisation": wessex.pk},
        {"programme": str(spread["heart"].pk)},
        {"programme": "lung"},
        {"programme": "100%_"},  # LIKE's wildcards are searched for, not matched
        {"date_from": date(2026, 3, 11)},
        {"date_to": date(2026, 3, 21)},
        {"date_from": date(2026, 3, 6), "date_to": date(2026, 4, 5)},
        {"level": "informing"},
        {"method": "survey"},
        {"status": ActivityStatus.COMPLETED},
        {"priority": spread["other"].pk},
        {"organisation": wessex.pk, "status": ActivityStatus.PLANNED, "priority": spread["priority"].pk},
        {"programme": "heart", "level": "co_design", "date_from": date(2026, 3, 1)},
    ]


def test_each_set_of_filters_gives_the_rows_the_filters_choose(spread, wessex, network_admin, lead):
    answers = set()
    for user in (network_admin, lead):
        for filters in _filters(spread, wessex):
            expected = activity_list(user=user, filters=filters)
            rows = activity_list_rows(user=user, filters=filters)
            shown = rows[0:50]
            assert [r.pk for r in shown] == [a.pk for a in expected], filters
            assert len(rows) == expected.count()
            for row, activity in zip(shown, expected, strict=True):
                assert (row.title, row.starts_at, row.status, row.organisation__short_name) == (
                    activity.title,
                    activity.starts_at,
                    activity.status,
                    activity.organisation.short_name,
                )
                assert (row.participant_count, row.attended_count) == (
                    activity.participant_count,
                    activity.attended_count,
                )
                assert row.programme__name == (activity.programme.name if activity.programme else None)
            answers.add((user.pk, tuple(r.pk for r in shown)))
    assert len(answers) > 15  # the filters chose different rows: the comparison was not of empty lists


def test_a_lead_sees_only_their_ahsns_activities(spread, lead, yorkshire):
    shown = activity_list_rows(user=lead, filters={"organisation": yorkshire.pk})[0:50]
    assert shown == []
    assert {r.organisation__short_name for r in activity_list_rows(user=lead, filters={})[0:50]} == {"Wessex"}


def test_the_count_stops_after_the_paginators_cap(wessex, lead, monkeypatch):
    monkeypatch.setattr("involvement.selectors.CAP", 3)
    for _ in range(6):
        ActivityFactory(organisation=wessex)
    assert len(activity_list_rows(user=lead, filters={})) == 4  # CAP + 1: "More than 3"


def test_the_menus_offer_what_the_user_can_choose(spread, wessex, yorkshire, lead, finance, network_admin):
    priorities = [(p.pk, f"{p.code} {p.title}") for p in StrategyPriority.objects.order_by("strategy", "order")]
    MembershipFactory(user=lead, organisation=yorkshire, role=Role.STAFF)  # the lead, staff in Yorkshire too

    menus = activity_filter_menus(user=lead)
    assert menus.organisations == sorted([(wessex.pk, wessex.name), (yorkshire.pk, yorkshire.name)], key=lambda o: o[1])
    assert menus.programmes == sorted(
        [
            (spread["heart"].pk, "Heart failure"),
            *Programme.objects.filter(organisation=yorkshire).values_list("pk", "name"),
        ],
        key=lambda p: p[1],
    )
    assert menus.priorities == priorities
    assert menus.can_log

    menus = activity_filter_menus(user=finance)
    assert menus.organisations == [(wessex.pk, wessex.name)]
    assert menus.programmes == [(spread["heart"].pk, "Heart failure")]
    assert not menus.can_log  # finance officers look; they do not log activities

    menus = activity_filter_menus(user=network_admin)
    assert menus.organisations == list(Organisation.objects.order_by("name").values_list("pk", "name"))
    assert menus.can_log


def test_a_programme_shared_with_the_users_ahsn_is_in_its_menu(wessex, yorkshire, lead):
    shared = ProgrammeFactory(organisation=yorkshire, name="Shared with Wessex")
    shared.shared_with.add(wessex)
    ProgrammeFactory(organisation=yorkshire, name="Yorkshire's own")
    assert [name for _pk, name in activity_filter_menus(user=lead).programmes] == ["Shared with Wessex"]
