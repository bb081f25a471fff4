"""Database aggregates the indicators need that Django does not ship."""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, DurationField, FloatField


class Percentile(Aggregate):
    """PostgreSQL `percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`.

    Works on numbers and on intervals (durations); with `filter=` it becomes a FILTER clause."""

    function = "percentile_cont"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile is a fraction from 0 to 1.")
        super().__init__(expression, fraction=f"{float(fraction)!r}", **extra)

    def _resolve_output_field(self) -> Any:
        source = self.get_source_expressions()[0]
        if isinstance(getattr(source, "output_field", None), DurationField):
            return DurationField()
        return FloatField()
