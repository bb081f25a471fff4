"""`field__any_of=ArraySubquery(...)`: `field = ANY(ARRAY(SELECT …))`; also `field__any_of=[1, 2]`.

PostgreSQL runs an uncorrelated ARRAY(SELECT …) once, before the outer query, and then looks the
values up in the column's index; an OR of two of them becomes a bitmap OR of two index scans. The
same question written as correlated EXISTS clauses joined by OR is checked row by row over the
whole outer table (the partner's "you said, we did" list read every outcome of the network)."""

from __future__ import annotations

from typing import Any

from django.db.models import Field, ForeignKey, Lookup


class AnyOf(Lookup):
    """`field__any_of=` an expression giving an array (`ArraySubquery`, a prepared query's
    placeholder: core.prepared), or any iterable of values (sent as one array parameter)."""

    lookup_name = "any_of"
    prepare_rhs = False  # the right-hand side is an array, not one value of the field

    def get_db_prep_lookup(self, value: Any, connection: Any) -> Any:
        return "%s", [list(value)]

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


Field.register_lookup(AnyOf)
ForeignKey.register_lookup(AnyOf)  # foreign keys keep lookups of their own
