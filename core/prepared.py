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
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping
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
    row: Callable[[Iterable[Any]], tuple[Any, ...]]
    sliceable: bool  # built without a slice or a UNION: `rows(limit=…)` may add LIMIT and OFFSET


class Prepared:
    """A query built once from `build(slots)` (a values_list queryset), run with `rows(**values)`."""

    def __init__(
        self,
        build: Callable[[Slots], QuerySet[Any]],
        counted: Callable[[Slots], QuerySet[Any]] | None = None,
        /,
        *,
        named: bool = False,
        **slots: Field[Any, Any],
    ) -> None:
        """`counted`: for a list that is paged, the queryset whose rows `build` shows, before their
        columns and order are chosen: `count()` counts its ids, which is cheaper than the rows."""
        self._build = build
        self._counted = counted
        self._named = named  # rows as named tuples, as values_list(named=True) gives
        self._slots = slots
        self._compiled: _Compiled | None = None
        self._counting: _Compiled | None = None
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
                sliceable = not query.is_sliced and not query.combinator
                row: Callable[[Iterable[Any]], tuple[Any, ...]] = tuple
                if self._named:
                    columns = [*query.extra_select, *query.values_select, *query.annotation_select]
                    row = namedtuple("Row", columns)._make  # type: ignore[attr-defined]  # names known only here
                self._compiled = _Compiled(sql, tuple(params), converters, row, sliceable)
            return self._compiled

    def _compile_counting(self) -> _Compiled:
        """The query `count()` runs: the ids of `counted(slots)` in no order when it was given (so the
        rows' columns, their subqueries, joins and sort are left out), else the query itself."""
        compiled = self._compiled or self._compile()
        with self._lock:
            if self._counting is None:
                if self._counted is None:
                    self._counting = compiled
                else:
                    query = self._counted(Slots(self._slots)).order_by().values_list("pk").query
                    sql, params = query.get_compiler(using="default").as_sql()
                    self._counting = _Compiled(sql, tuple(params), (), tuple, sliceable=not query.is_sliced)
            return self._counting

    def _params(self, compiled: _Compiled, values: Mapping[str, Any]) -> list[Any]:
        if values.keys() != self._slots.keys():
            raise TypeError(f"expected values for {sorted(self._slots)}, got {sorted(values)}")
        return [values[p.name] if isinstance(p, _Slot) else p for p in compiled.params]

    def _sql(
        self, compiled: _Compiled, values: Mapping[str, Any], clause: str, limits: tuple[int, ...]
    ) -> tuple[str, list[Any]]:
        """The SQL and parameters to run, with `clause` (LIMIT …) added when there are `limits`."""
        params = self._params(compiled, values)
        if not limits:
            return compiled.sql, params
        if not compiled.sliceable:
            raise ValueError("this prepared query has a slice of its own")
        return compiled.sql + clause, [*params, *limits]

    def count(self, *, at_most: int | None = None, **values: Any) -> int:
        """How many rows the query has with these values (for a paginator); with `at_most`, counting
        stops there (so a list of 200,000 rows is counted no further than its paginator shows)."""
        compiled = self._counting or self._compile_counting()
        sql, params = self._sql(compiled, values, " LIMIT %s", () if at_most is None else (at_most,))
        with connection.cursor() as cursor:
            # The portal's own compiled SQL, wrapped: every value in it is a parameter.
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS counted", params)  # noqa: S608
            return int(cursor.fetchone()[0])

    def rows(self, *, limit: int | None = None, offset: int = 0, **values: Any) -> list[tuple[Any, ...]]:
        """Run the query with these values in its slots: its rows, converted as the ORM would.
        `limit` and `offset` take one page of a query built without a slice."""
        compiled = self._compiled or self._compile()
        sql, params = self._sql(compiled, values, " LIMIT %s OFFSET %s", () if limit is None else (limit, offset))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        make = compiled.row
        if not compiled.converters:
            return [make(row) for row in found]
        converted = []
        for row in found:
            values_ = list(row)
            for position, functions, expression in compiled.converters:
                value = values_[position]
                for convert in functions:
                    value = convert(value, expression, connection)
                values_[position] = value
            converted.append(make(values_))
        return converted


class PreparedList:
    """A prepared query's rows for some values, as a sequence Django's `Paginator` can page:
    it counts with one query and reads only the page it is asked for."""

    def __init__(self, prepared: Prepared, *, at_most: int | None = None, **values: Any) -> None:
        """`at_most`: count no further (core.paginator.CappedPaginator shows "More than 1,000")."""
        self._prepared = prepared
        self._values = values
        self._at_most = at_most
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self._prepared.count(at_most=self._at_most, **self._values)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice, /) -> list[Any]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("a prepared list is read a page (a slice) at a time")
        start = index.start or 0
        stop = self.count() if index.stop is None else index.stop
        return self._prepared.rows(limit=max(stop - start, 0), offset=start, **self._values)


class _Values:
    """What `Prepared.queryset` gives a builder: the values themselves where the slots would be."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no value called {name!r}") from None
