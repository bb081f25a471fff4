"""No query string causes a server error: every list page, search and export, fuzzed.

Each page is tried with every parameter it reads (its filter form's fields and what the view
reads itself), one at a time, with values that have broken pages before (dates at the ends of the
calendar, a NUL byte, huge numbers, digits that are not ASCII, quarters that do not exist); then
hypothesis combines them with text of any kind. A page may refuse a value (with a message, or a
404 for a record that does not exist) but never answers 5xx.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import client_for
from tests.forum.factories import ForumFactory
from tests.involvement.factories import ActivityFactory
from tests.payments.factories import participation_for, partner_at, submitted_claim

pytestmark = pytest.mark.django_db

ACTIVITY_FILTERS = ["organisation", "programme", "date_from", "date_to", "level", "method", "status", "priority"]
DIRECTORY_FILTERS = ["organisation", "q", "status", "interests", "communication_need", "method"]

# (who, path, the GET parameters it reads besides "page").
PAGES: list[tuple[str, str, list[str]]] = [
    ("lead", "/audit/", ["action", "organisation", "date_from", "date_to"]),
    ("lead", "/team/", ["organisation"]),
    ("lead", "/notifications/", []),
    ("lead", "/notifications/to-send/", []),
    ("lead", "/notifications/failed/", []),
    ("lead", "/partners/", DIRECTORY_FILTERS),
    ("lead", "/partners/export.csv", DIRECTORY_FILTERS),
    ("lead", "/partners/applications/", ["status"]),
    ("lead", "/partners/equality/", ["organisation"]),
    ("lead", "/programmes/", ["programme_type", "innovation_stage", "status", "involvement"]),
    ("lead", "/programmes/{programme}/", []),
    ("lead", "/involvement/activities/", ACTIVITY_FILTERS),
    ("lead", "/involvement/activities/export.csv", ACTIVITY_FILTERS),
    ("lead", "/involvement/activities/new/", ["programme"]),
    ("lead", "/involvement/activities/{activity}/participants/add/", ["q"]),
    ("lead", "/forums/", []),
    ("lead", "/forums/{forum}/", []),
    ("lead", "/forums/{forum}/actions/", ["show"]),
    ("lead", "/payments/claims/", ["status", "age", "programme", "claimant", "organisation"]),
    ("lead", "/payments/rates/", ["organisation"]),
    ("lead", "/reports/", ["scope", "quarter"]),
    ("finance", "/payments/claims/", ["status", "age", "programme", "claimant", "organisation"]),
    ("finance", "/payments/batches/", []),
    ("partner", "/involvement/mine/", []),
    ("partner", "/involvement/mine/outcomes/", []),
    ("partner", "/payments/my/", []),
    ("partner", "/forums/mine/", []),
    ("partner", "/partners/me/my-information/", ["format"]),
]

AWKWARD = [
    "a\x00b", "9999-12-31", "0001-01-01", "2026-02-30", "99999999999999999999", "-1", "²", "١٢٣", "1e309",
    "2026/27 Q9", "a" * 5000,
]  # fmt: skip

values = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30),
    st.integers().map(str),
    st.dates().map(str),
)


@pytest.fixture
def site(wessex, lead, finance) -> dict[str, Any]:
    partner = partner_at(wessex, full_name="Alex Partner")
    activity = ActivityFactory(organisation=wessex)
    submitted_claim(partner, wessex, participation_for(partner, hours="3"))
    return {
        "clients": {"lead": client_for(lead), "finance": client_for(finance), "partner": client_for(partner.user)},
        "ids": {"activity": activity.pk, "programme": activity.programme_id, "forum": ForumFactory().pk},
    }


def _get(client: Client, path: str, query: dict[str, str]) -> int:
    url = f"{path}?{urlencode(query)}"
    status = client.get(url).status_code
    assert status < 500, url
    return status


@pytest.mark.parametrize(("who", "path", "parameters"), PAGES, ids=[f"{w} {p}" for w, p, _ in PAGES])
def test_no_query_string_makes_the_page_fail(site, who: str, path: str, parameters: list[str]) -> None:
    client = site["clients"][who]
    path = path.format(**site["ids"])
    assert _get(client, path, {}) == 200  # the page works before it is fuzzed
    names = [*parameters, "page"]
    for name in names:
        for value in AWKWARD:
            _get(client, path, {name: value})

    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(query=st.dictionaries(st.sampled_from(names), values, max_size=3))
    def any_combination(query: dict[str, str]) -> None:
        _get(client, path, query)

    any_combination()


def test_a_date_at_the_end_of_the_calendar_is_refused_with_a_message(site) -> None:
    page = site["clients"]["lead"].get("/involvement/activities/?date_to=9999-12-31")
    assert page.status_code == 200
    assert "Enter a date between 1 January 1900 and 31 December 2999" in page.content.decode()


def test_a_nul_byte_in_the_participant_search_searches_for_the_rest(site, wessex) -> None:
    partner_at(wessex, full_name="Bernadette Okoye")
    path = f"/involvement/activities/{site['ids']['activity']}/participants/add/"
    page = site["clients"]["lead"].get(path, {"q": "Berna\x00dette"})
    assert page.status_code == 200
    assert "Bernadette Okoye" in page.content.decode()
