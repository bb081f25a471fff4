"""Pagination whose cost does not grow with the table: counting stops at `CAP` rows.

A network admin's activity list would otherwise count 200,000 rows on every page view just to
print the total. Past the cap the page says "More than 1,000" and offers the first 20 pages of 50;
filters narrow the list to something countable. (At 10,000 the count of a lead's list alone cost
8 ms, half the page's SQL, and nobody pages through 200 pages.)"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.utils.formats import number_format

CAP = 1_000


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        object_list: Any = self.object_list
        if hasattr(object_list, "query"):  # a QuerySet: count at most CAP + 1 rows in SQL
            # Only the ids: the list's annotations (totals, counts: correlated subqueries) are
            # for the rows shown, and would otherwise be worked out for every row counted.
            return int(object_list.order_by().values("pk")[: CAP + 1].count())
        return min(len(object_list), CAP + 1)

    @property
    def capped(self) -> bool:
        return self.count > CAP

    @property
    def count_label(self) -> str:
        """'234', or 'More than 1,000' when counting stopped."""
        if self.capped:
            return f"More than {number_format(CAP, force_grouping=True)}"
        return number_format(self.count, force_grouping=True)
