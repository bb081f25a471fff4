"""Quarters of the UK financial year, as a value: `FinancialQuarter(2026, 3)` is "2026/27 Q3".

The financial year 2026/27 runs from 1 April 2026 to 31 March 2027:

* Q1 April to June, Q2 July to September, Q3 October to December (all in 2026);
* Q4 January to March (in 2027).

Use this wherever a quarter appears (reports, filters, URLs) instead of a pair of ints.

    >>> q = FinancialQuarter.parse("2026/27 Q3")
    >>> q.start, q.end
    (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    >>> q.previous.label, q.same_quarter_last_year.label
    ('2026/27 Q2', '2025/26 Q3')
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.formatting import UK_TIME

# "2026/27 Q3", "2026/27-Q3", "2026/27Q3", "2026-27 Q3", lower case too.
_PATTERN = re.compile(r"^\s*(\d{4})\s*[/-]\s*(\d{2})\s*[-\s]?\s*[Qq]\s*([1-4])\s*$")

_MONTH_NAMES = ("April to June", "July to September", "October to December", "January to March")


class QuarterError(ValueError):
    """A quarter that cannot be read, or one that is not allowed here (for example in the future)."""


@dataclass(frozen=True, order=True, slots=True)
class FinancialQuarter:
    """Quarter `quarter` (1 to 4) of the financial year that starts in April of `year`."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise QuarterError(f"A quarter is 1 to 4, not {self.quarter}.")
        if not 1900 <= self.year <= 9998:
            raise QuarterError(f"{self.year} is not a year we report on.")

    # --- Reading and writing -------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> FinancialQuarter:
        """Read "2026/27 Q3" or "2026/27-Q3" (the command-line form). Raises QuarterError."""
        match = _PATTERN.match(text or "")
        if not match:
            raise QuarterError(f'"{text}" is not a quarter. Write it like 2026/27 Q3.')
        year, end_suffix, quarter = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if (year + 1) % 100 != end_suffix:
            raise QuarterError(
                f'"{text}" is not a financial year: {year} is followed by {(year + 1) % 100:02d}, not {end_suffix:02d}.'
            )
        return cls(year, quarter)

    @classmethod
    def containing(cls, day: date | datetime) -> FinancialQuarter:
        """The quarter a date falls in (an aware datetime is read in Europe/London)."""
        if isinstance(day, datetime):
            if day.tzinfo is not None:
                day = day.astimezone(UK_TIME)
            day = day.date()
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    @classmethod
    def current(cls, today: date | None = None) -> FinancialQuarter:
        return cls.containing(today or _today())

    @classmethod
    def last_completed(cls, today: date | None = None) -> FinancialQuarter:
        """The most recent quarter that has ended."""
        return cls.current(today).previous

    @property
    def label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d} Q{self.quarter}"

    @property
    def slug(self) -> str:
        """The form used in URLs and on the command line: "2026-27-Q3"."""
        return f"{self.year}-{(self.year + 1) % 100:02d}-Q{self.quarter}"

    @property
    def financial_year_label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def months_label(self) -> str:
        """ "October to December 2026"."""
        return f"{_MONTH_NAMES[self.quarter - 1]} {self.start.year}"

    def __str__(self) -> str:
        return self.label

    # --- Dates ------------------------------------------------------------------------------------

    @property
    def start(self) -> date:
        """The first day of the quarter."""
        month = 3 * (self.quarter - 1) + 4
        if month > 12:
            return date(self.year + 1, month - 12, 1)
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        """The last day of the quarter (inclusive)."""
        start = self.start
        last_month = start.month + 2
        return date(start.year, last_month, calendar.monthrange(start.year, last_month)[1])

    @property
    def end_exclusive(self) -> date:
        """The day after the quarter ends: filter with `>= start` and `< end_exclusive`."""
        return self.end + timedelta(days=1)

    @property
    def start_datetime(self) -> datetime:
        """Midnight at the start of the quarter, UK time (aware)."""
        return datetime.combine(self.start, time.min, tzinfo=UK_TIME)

    @property
    def end_datetime(self) -> datetime:
        """Midnight after the quarter ends, UK time (aware, exclusive)."""
        return datetime.combine(self.end_exclusive, time.min, tzinfo=UK_TIME)

    @property
    def financial_year_start(self) -> date:
        return date(self.year, 4, 1)

    def contains(self, day: date | datetime) -> bool:
        return FinancialQuarter.containing(day) == self

    def is_future(self, today: date | None = None) -> bool:
        """True when the quarter has not started yet."""
        return self.start > (today or _today())

    def has_ended(self, today: date | None = None) -> bool:
        return self.end < (today or _today())

    # --- Moving between quarters ----------------------------------------------------------------

    def __add__(self, quarters: int) -> FinancialQuarter:
        index = self.year * 4 + (self.quarter - 1) + quarters
        return FinancialQuarter(index // 4, index % 4 + 1)

    def __sub__(self, quarters: int) -> FinancialQuarter:
        return self + (-quarters)

    @property
    def previous(self) -> FinancialQuarter:
        return self - 1

    @property
    def next(self) -> FinancialQuarter:
        return self + 1

    @property
    def same_quarter_last_year(self) -> FinancialQuarter:
        return FinancialQuarter(self.year - 1, self.quarter)

    def last(self, count: int) -> list[FinancialQuarter]:
        """This quarter and the `count - 1` before it, oldest first."""
        return [self - offset for offset in range(count - 1, -1, -1)]


def _today() -> date:
    return datetime.now(UK_TIME).date()


def first_working_day_after(quarter: FinancialQuarter) -> date:
    """The first weekday after the quarter ends (bank holidays are not known here)."""
    day = quarter.end_exclusive
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
