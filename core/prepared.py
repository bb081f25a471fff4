"""Queries whose SQL is worked out once per process, then run with new values: `Prepared`.

On the busiest pages the ORM's work to build a query (cloning it for each `filter()`, resolving
each expression, compiling it) can cost several times what PostgreSQL takes to answer it: the
partner home's "you can claim for" count, built from the claim rules in
`payments.selectors.with_claim_facts`, was about 10 ms of Python for 1 ms of SQL, on every view.
The SQL of such a query is the same every time; only a few values change (whose page, what day).

A prepared query is built once, by a function that is given placeholders (`Slots`) in place of
those values, from the same selectors the rest of the portal uses (so a rule keeps its one home).
Its SQL, its parameters and the converters for its columns are kept; each later run only puts the
values in and asks PostgreSQL:

    HOME_CLAIMS = Prepared(
        lambda slots: partner_claims(slots.partner).values_list("pk", "reference")[:5],
        partner=models.BigIntegerField(),
    )
    rows = HOME_CLAIMS.rows(partner=partner.pk)   # a list of tuples, as values_list gives

Everything that changes between runs must come in through a slot. A builder must not read the
clock, the request or the database: what it reads is frozen into the SQL for the life of the
process. `tests/core/test_prepared.py` and the tests of each prepared query run it with two
different sets of values against the queryset built afresh."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Expression, Field, QuerySet


@dataclass(frozen=True)
class _Slot:
    """Stands in a compiled query's parameters where a value will go."""

    name: str


class Placeholder(Expression):
    """A value given at run time, in a prepared query: compiles to one parameter, `%s`."""

    def __init__(self, name: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        return "%s", (_Slot(self.name),)

    def __repr__(self) -> str:
        return f"Placeholder({self.name!r})"


class Slots:
    """The placeholders a builder may use, by name: `slots.partner`, `slots.today`."""

    def __init__(self, fields: Mapping[str, Field[Any, Any]]) -> None:
        self._placeholders = {name: Placeholder(name, field) for name, field in fields.items()}

    def __getattr__(self, name: str) -> Any:  # a stand-in for a value of any type the selectors take
        try:
            return self._placeholders[name]
        except KeyError:
            raise AttributeError(f"no slot called {name!r}") from None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]


class Prepared:
    """A query built once from `build(slots)` (a values_list queryset), run with `rows(**values)`."""

    def __init__(self, build: Callable[[Slots], QuerySet[Any]], **slots: Field[Any, Any]) -> None:
        self._build = build
        self._slots = slots
        self._compiled: _Compiled | None = None
        self._lock = threading.Lock()

    def queryset(self, **values: Any) -> QuerySet[Any]:
        """The same query as an ordinary queryset, built afresh with `values` (for tests)."""
        return self._build(_Values(values))  # type: ignore[arg-type]

    def _compile(self) -> _Compiled:
        with self._lock:
            if self._compiled is None:
                query = self._build(Slots(self._slots)).query
                compiler = query.get_compiler(using="default")
                sql, params = compiler.as_sql()
                fields = [select[0] for select in compiler.select[: compiler.col_count]]
                converters = tuple(
                    (position, tuple(functions), expression)
                    for position, (functions, expression) in compiler.get_converters(fields).items()
                )
                names = {p.name for p in params if isinstance(p, _Slot)}
                if names != set(self._slots):
                    raise ValueError(f"slots declared {sorted(self._slots)} but the query uses {sorted(names)}")
                self._compiled = _Compiled(sql, tuple(params), converters)
            return self._compiled

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """Run the query with these values in its slots: its rows, converted as the ORM would."""
        compiled = self._compiled or self._compile()
        if values.keys() != self._slots.keys():
            raise TypeError(f"expected values for {sorted(self._slots)}, got {sorted(values)}")
        params = [values[p.name] if isinstance(p, _Slot) else p for p in compiled.params]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            found = cursor.fetchall()
        if not compiled.converters:
            return [tuple(row) for row in found]
        converted = []
        for row in found:
            values_ = list(row)
            for position, functions, expression in compiled.converters:
                value = values_[position]
                for convert in functions:
                    value = convert(value, expression, connection)
                values_[position] = value
            converted.append(tuple(values_))
        return converted


class _Values:
    """What `Prepared.queryset` gives a builder: the values themselves where the slots would be."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no value called {name!r}") from None
