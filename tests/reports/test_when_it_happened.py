"""Indicators count when something happened, not when somebody typed it into the portal.

Programmes and forums are often entered long after the work began; a report on a past quarter
must still count them in that quarter."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from forum.models import Forum
from reports.indicators import compile_indicators
from tests.reports import factories as f
from tests.reports.conftest import QUARTER
from tests.reports.test_forum_and_equality import held_meeting
from tests.reports.test_indicators import values

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()  # every record below was entered today, after the quarters reported on


def test_a_programme_counts_as_active_in_the_quarters_between_its_start_and_closed_dates(wessex):
    # QUARTER is July to September 2026; previous April to June 2026; last year July to September 2025.
    f.programme(wessex, "Started 2025, closed in August 2026", created=TODAY, started=date(2025, 5, 1))
    closed_later = f.programme(
        wessex,
        "Closed in August 2026",
        created=TODAY,
        started=date(2025, 5, 1),
        status="closed",
        closed=date(2026, 8, 15),
    )
    f.programme(
        wessex,
        "Closed in June 2026",
        created=TODAY,
        started=date(2025, 5, 1),
        status="closed",
        closed=date(2026, 6, 30),
    )
    f.programme(wessex, "Started in October 2026", created=TODAY, started=date(2026, 10, 1))
    f.programme(wessex, "Started on the last day", created=TODAY, started=date(2026, 9, 30))
    f.activity(wessex, closed_later, day=date(2026, 7, 10), level="co_design")

    data = compile_indicators(organisation=wessex, quarter=QUARTER)

    # This quarter: still running, the one closed in August, the one that started on 30 September.
    # Previous quarter: still running, closed in August, closed on 30 June. Last year: the first three.
    assert values(data, "programmes.active") == (3, 3, 3)
    assert values(data, "programmes.with_involvement") == (1, 0, 0)
    assert values(data, "programmes.with_involvement_share") == (33.3, 0.0, 0.0)


def test_a_programme_closed_before_the_quarter_began_is_not_active_in_it(wessex):
    f.programme(
        wessex,
        "Closed in June 2026",
        created=TODAY,
        started=date(2026, 1, 5),
        status="closed",
        closed=date(2026, 6, 30),
    )
    data = compile_indicators(organisation=wessex, quarter=QUARTER)
    assert values(data, "programmes.active") == (0, 1, 0)


def test_a_forum_that_met_before_it_was_entered_counts_from_its_first_meeting(wessex):
    forum = Forum.objects.create(organisation=wessex, name="Long-standing forum", slug="long-standing")
    held_meeting(forum, date(2025, 9, 1), notes_published=None)
    held_meeting(forum, date(2026, 7, 20), notes_published=None)
    Forum.objects.create(organisation=wessex, name="New forum, not met yet", slug="new-forum")

    data = compile_indicators(organisation=wessex, quarter=QUARTER)

    assert values(data, "forum.forums") == (1, 1, 1)
    assert values(data, "forum.meetings_held_quarter") == (1, 0, 1)
