"""FinancialQuarter: the value every report, filter and command uses for a quarter."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.quarters import FinancialQuarter, QuarterError, first_working_day_after

quarters = st.builds(FinancialQuarter, st.integers(2000, 2100), st.integers(1, 4))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026/27 Q3", FinancialQuarter(2026, 3)),
        ("2026/27-Q2", FinancialQuarter(2026, 2)),
        ("2026-27-Q1", FinancialQuarter(2026, 1)),
        (" 2026/27 q4 ", FinancialQuarter(2026, 4)),
        ("1999/00 Q1", FinancialQuarter(1999, 1)),
    ],
)
def test_parse_accepts_the_written_and_command_line_forms(text, expected):
    assert FinancialQuarter.parse(text) == expected


@pytest.mark.parametrize("text", ["", "2026 Q3", "2026/28 Q3", "2026/27 Q5", "2026/27 Q0", "Q3 2026/27", "26/27 Q1"])
def test_parse_refuses_what_is_not_a_quarter(text):
    with pytest.raises(QuarterError):
        FinancialQuarter.parse(text)


def test_quarter_out_of_range_is_refused():
    with pytest.raises(QuarterError):
        FinancialQuarter(2026, 5)


@pytest.mark.parametrize(
    ("quarter", "start", "end"),
    [
        (1, date(2026, 4, 1), date(2026, 6, 30)),
        (2, date(2026, 7, 1), date(2026, 9, 30)),
        (3, date(2026, 10, 1), date(2026, 12, 31)),
        (4, date(2027, 1, 1), date(2027, 3, 31)),
    ],
)
def test_date_bounds_follow_the_uk_financial_year(quarter, start, end):
    q = FinancialQuarter(2026, quarter)
    assert (q.start, q.end) == (start, end)
    assert q.end_exclusive == end + timedelta(days=1)


def test_labels():
    q = FinancialQuarter(2026, 3)
    assert q.label == str(q) == "2026/27 Q3"
    assert q.slug == "2026-27-Q3"
    assert q.months_label == "October to December 2026"
    assert FinancialQuarter(2026, 4).months_label == "January to March 2027"
    assert FinancialQuarter(1999, 4).label == "1999/00 Q4"


def test_previous_next_and_same_quarter_last_year_cross_year_ends():
    assert FinancialQuarter(2026, 1).previous == FinancialQuarter(2025, 4)
    assert FinancialQuarter(2025, 4).next == FinancialQuarter(2026, 1)
    assert FinancialQuarter(2026, 3).same_quarter_last_year == FinancialQuarter(2025, 3)
    assert [q.label for q in FinancialQuarter(2026, 2).last(4)] == [
        "2025/26 Q3",
        "2025/26 Q4",
        "2026/27 Q1",
        "2026/27 Q2",
    ]


def test_ordering():
    assert sorted([FinancialQuarter(2026, 1), FinancialQuarter(2025, 4), FinancialQuarter(2025, 2)]) == [
        FinancialQuarter(2025, 2),
        FinancialQuarter(2025, 4),
        FinancialQuarter(2026, 1),
    ]


def test_containing_reads_aware_datetimes_in_london_time():
    # 23:30 UTC on 30 June 2026 is 00:30 on 1 July in London (BST): Q2.
    moment = datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert FinancialQuarter.containing(moment) == FinancialQuarter(2026, 2)
    assert FinancialQuarter.containing(date(2027, 3, 31)) == FinancialQuarter(2026, 4)
    assert FinancialQuarter.containing(date(2026, 4, 1)) == FinancialQuarter(2026, 1)


def test_is_future_and_has_ended():
    q = FinancialQuarter(2026, 3)
    assert q.is_future(today=date(2026, 9, 30))
    assert not q.is_future(today=date(2026, 10, 1))
    assert not q.has_ended(today=date(2026, 12, 31))
    assert q.has_ended(today=date(2027, 1, 1))
    assert FinancialQuarter.last_completed(today=date(2027, 1, 4)) == q


def test_first_working_day_after_skips_the_weekend():
    # 2026/27 Q2 ends on a Wednesday: the next day is a Thursday.
    assert first_working_day_after(FinancialQuarter(2026, 2)) == date(2026, 10, 1)
    # 2021/22 Q3 ended on Friday 31 December 2021: the report waits for Monday.
    assert first_working_day_after(FinancialQuarter(2021, 3)) == date(2022, 1, 3)


@given(quarters)
def test_label_round_trips(q):
    assert FinancialQuarter.parse(q.label) == q
    assert FinancialQuarter.parse(q.slug) == q


@given(quarters)
def test_bounds_are_contiguous_and_cover_three_months(q):
    assert q.next.start == q.end_exclusive
    assert 90 <= (q.end - q.start).days + 1 <= 92
    assert FinancialQuarter.containing(q.start) == q
    assert FinancialQuarter.containing(q.end) == q


@given(quarters, st.integers(-40, 40))
def test_adding_quarters_is_consistent_with_ordering(q, n):
    moved = q + n
    assert (moved > q) == (n > 0)
    assert moved - n == q
    assert q.same_quarter_last_year == q - 4


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_date_is_in_exactly_the_quarter_containing_it(day):
    q = FinancialQuarter.containing(day)
    assert q.start <= day <= q.end
