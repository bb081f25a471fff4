"""Outside a transaction the sections are counted on several connections sharing one snapshot:
the figures must be exactly those of counting them one after another."""

from __future__ import annotations

import pytest

from reports.indicators import compile_indicators
from tests.reports.conftest import QUARTER

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_parallel_counting_gives_the_same_figures(dataset, wessex, network):
    for scope in (wessex, network):
        together = compile_indicators(organisation=scope, quarter=QUARTER, workers=3)
        one_by_one = compile_indicators(organisation=scope, quarter=QUARTER, workers=1)
        assert together == one_by_one
    rows = {r["key"]: r for s in together["sections"] for r in s["indicators"]}
    assert rows["activities.total"]["values"]["this"] == 4
