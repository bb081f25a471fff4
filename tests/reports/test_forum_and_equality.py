"""Forum indicators (priority 1.2) and equality monitoring with small-number suppression (2.2)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from forum.models import Forum, ForumMember, Meeting, MeetingNotes
from partners.models import EqualityMonitoring
from reports import services
from reports.indicators import compile_indicators
from reports.rendering import render_csv
from tests.reports import factories as f
from tests.reports.conftest import QUARTER
from tests.reports.test_indicators import rows_by_key, values

pytestmark = pytest.mark.django_db


def held_meeting(forum: Forum, day: date, *, notes_published: date | None) -> Meeting:
    meeting = Meeting.objects.create(
        forum=forum, starts_at=f.at(day, 14), ends_at=f.at(day, 16), status=Meeting.Status.HELD
    )
    if notes_published is not None:
        MeetingNotes.objects.create(
            meeting=meeting, status=MeetingNotes.Status.PUBLISHED, published_at=f.at(notes_published, 9)
        )
    return meeting


@pytest.fixture
def wessex_forum(wessex) -> Forum:
    """Meetings held 20 April (notes 7 days later), 20 July (7 days) and 10 September 2026 (3 days);
    a lay co-chair since 1 April 2026; one cancelled meeting that does not count."""
    forum = Forum.objects.create(organisation=wessex, name="Wessex involvement forum", slug="wessex-forum")
    Forum.objects.filter(pk=forum.pk).update(created_at=f.at(date(2025, 1, 1)))
    chair = f.partner(wessex, "Lay Co-chair", joined=date(2025, 1, 1))
    ForumMember.objects.create(
        forum=forum, partner=chair, role=ForumMember.Role.LAY_CO_CHAIR, joined_on=date(2026, 4, 1)
    )
    held_meeting(forum, date(2026, 4, 20), notes_published=date(2026, 4, 27))
    held_meeting(forum, date(2026, 7, 20), notes_published=date(2026, 7, 27))
    held_meeting(forum, date(2026, 9, 10), notes_published=date(2026, 9, 13))
    Meeting.objects.create(
        forum=forum,
        starts_at=f.at(date(2026, 8, 20)),
        ends_at=f.at(date(2026, 8, 20), 12),
        status=Meeting.Status.CANCELLED,
        cancellation_reason="Snow",
    )
    return forum


def test_forum_indicators(wessex_forum, wessex):
    data = compile_indicators(organisation=wessex, quarter=QUARTER)
    assert values(data, "forum.meetings_held_year") == (3, 1, 0)
    assert values(data, "forum.meetings_held_quarter") == (2, 1, 0)
    assert values(data, "forum.forums") == (1, 1, 1)
    assert values(data, "forum.forums_on_target") == (1, 0, 0)
    assert values(data, "forum.lay_co_chair") == (1, 1, 0)
    assert values(data, "forum.median_days_to_notes") == (5.0, 7.0, None)


def test_a_lay_co_chair_who_left_is_not_in_post(wessex_forum, wessex):
    ForumMember.objects.filter(forum=wessex_forum).update(left_on=date(2026, 8, 31))
    data = compile_indicators(organisation=wessex, quarter=QUARTER)
    assert values(data, "forum.lay_co_chair") == (0, 1, 0)


def equality_for(wessex, answers: dict[str, int]) -> None:
    for ethnicity, count in answers.items():
        for n in range(count):
            person = f.partner(wessex, f"{ethnicity} {n}", joined=date(2026, 1, 1))
            EqualityMonitoring.objects.create(partner=person, ethnicity=ethnicity)


def ethnicity_table(data: dict[str, Any]) -> dict[str, str]:
    section = next(s for s in data["sections"] if s["key"] == "2")
    table = next(q for q in section["equality"] if q["question"] == "Ethnic group")
    return {label: count for label, count in table["rows"]}


def test_a_count_of_4_is_suppressed_and_5_is_shown(wessex):
    equality_for(wessex, {"white": 5, "asian": 4, "black": 5})
    table = ethnicity_table(compile_indicators(organisation=wessex, quarter=QUARTER))
    assert table["Asian, Asian British or Asian Welsh"] == "<5"
    # One suppressed cell could be worked out from the others: the next smallest is hidden too.
    hidden = [label for label, count in table.items() if count == "hidden"]
    assert len(hidden) == 1
    assert [table[label] for label in table if label not in hidden and table[label] not in ("0", "<5")] == ["5"]


def test_counts_of_5_and_more_are_shown_as_they_are(wessex):
    equality_for(wessex, {"white": 5, "asian": 6})
    table = ethnicity_table(compile_indicators(organisation=wessex, quarter=QUARTER))
    assert table["White"] == "5"
    assert table["Asian, Asian British or Asian Welsh"] == "6"
    assert "<5" not in table.values()


def test_two_small_counts_need_no_extra_hiding(wessex):
    equality_for(wessex, {"white": 9, "asian": 1, "black": 2})
    table = ethnicity_table(compile_indicators(organisation=wessex, quarter=QUARTER))
    assert (table["White"], table["Asian, Asian British or Asian Welsh"]) == ("9", "<5")
    assert list(table.values()).count("<5") == 2


def test_no_total_is_published_that_would_reveal_a_suppressed_count(wessex, lead, django_capture_on_commit_callbacks):
    equality_for(wessex, {"white": 7, "asian": 3})
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_compile_request(scope=wessex, quarter=QUARTER, actor=lead)
    report.refresh_from_db()
    table = ethnicity_table(report.indicators)
    # 3 is suppressed, so 7 is hidden too: neither can be worked out from the other.
    assert (table["White"], table["Asian, Asian British or Asian Welsh"]) == ("hidden", "<5")
    stored = str(report.indicators)
    assert "Total answering" not in stored
    csv_text = render_csv(report.indicators)
    assert "Ethnic group: White,hidden" in csv_text
    assert ",3," not in csv_text.replace("2026/27 Q", "")
    # No count of lay partners in the report equals the number who answered (10).
    rows = rows_by_key(report.indicators)
    assert all(row["values"]["this"] != 10 for key, row in rows.items() if key.startswith("partners."))
