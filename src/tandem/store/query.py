"""Hot statements compiled once: `Query` runs a SELECT on the driver's own connection where
`store.db` offers one (reads, SQLite writes), converting values as SQLAlchemy would; `among`,
a list of ids as one parameter, so that a statement over a page's ids compiles once too; and
the per-request statement counter behind the `report_statement_count` setting."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import orjson
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    ColumnElement,
    CompoundSelect,
    Select,
    Text,
    bindparam,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection as Conn

# The statements run for the current request, when a caller asked for the count (tests).
statements_run: ContextVar[list[int] | None] = ContextVar("statements_run", default=None)

Values = tuple[Any, ...]
_Convert = Callable[[Any], Any] | None


class _Compiled(NamedTuple):
    sql: str
    names: tuple[str, ...]  # the parameters, in the order the SQL takes them
    fixed: dict[str, Any]  # values the statement itself holds (SQLite's `OFFSET 0` of a LIMIT)
    binds: list[_Convert]
    results: list[tuple[int, Callable[[Any], Any]]]  # (column, converter) where one converts


class _IdList(TypeDecorator[list[int]]):
    """Ids as one value: a bigint[] on PostgreSQL, a JSON array (read with json_each) on
    SQLite. Unlike an expanding IN list, the SQL is the same whatever the count."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(BigInteger()))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        ids = [int(i) for i in value]
        return ids if dialect.name == "postgresql" else orjson.dumps(ids).decode()


class _Among(ColumnElement[bool]):
    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: no "= 1" where booleans are integers
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's own attribute)
        ("column", InternalTraversal.dp_clauseelement),
        ("ids", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column = column
        self.ids = bindparam(name, type_=_IdList())


def among(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """`column IN (the ids passed as parameter `name`)`, a list of any length."""
    return _Among(column, name)


@compiles(_Among)
def _among_sqlite(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    column, ids = compiler.process(element.column, **kw), compiler.process(element.ids, **kw)
    return f"{column} IN (SELECT value FROM json_each({ids}))"


@compiles(_Among, "postgresql")
def _among_postgresql(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    column, ids = compiler.process(element.column, **kw), compiler.process(element.ids, **kw)
    return f"{column} = ANY({ids})"


def count_one() -> None:
    counter = statements_run.get()
    if counter is not None:
        counter[0] += 1


class Query:
    """A SELECT that runs on every request: built once with SQLAlchemy, compiled once per
    dialect, and run on the driver's own connection where one is at hand (reads, SQLite
    writes), skipping SQLAlchemy's per-execution work (a third of a verify_credentials on
    SQLite, most of it on PostgreSQL). Rows come back as tuples, values converted by the
    columns' own types as SQLAlchemy converts them; in a PostgreSQL write transaction the
    statement goes through SQLAlchemy (the same rows). Parameters are named `bindparam`s.
    """

    def __init__(self, statement: Select[Any] | CompoundSelect[Any]) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            sql = str(compiled)
            if "POSTCOMPILE" in sql:  # expanding IN lists are rendered per call
                raise ValueError("a Query takes no expanding parameters")
            names = tuple(compiled.positiontup or ())
            binds = [
                compiled.binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names
            ]
            results = [
                (i, c.type.dialect_impl(dialect).result_processor(dialect, None))
                for i, c in enumerate(self.statement.selected_columns)
            ]
            fixed = {
                n: compiled.binds[n].effective_value
                for n in names
                if not compiled.binds[n].required
            }
            found = _Compiled(
                sql,
                names,
                fixed,
                cast(list[_Convert], binds),
                [(i, cast(Callable[[Any], Any], p)) for i, p in results if p is not None],
            )
            self._compiled[dialect.name] = found
        return found

    async def rows(self, conn: Conn, **params: Any) -> list[Values]:
        run_query = getattr(conn, "run_query", None)  # tandem's read connections run it raw
        if run_query is not None:
            rows: list[Values] = await run_query(self, params)
            return rows
        return [tuple(row) for row in await conn.execute(self.statement, params)]

    async def first(self, conn: Conn, **params: Any) -> Values | None:
        found = await self.rows(conn, **params)
        return found[0] if found else None

    async def scalar(self, conn: Conn, **params: Any) -> Any:
        found = await self.rows(conn, **params)
        return found[0][0] if found else None


def arguments(query: Query, dialect: Dialect, params: dict[str, Any]) -> tuple[str, list[Any]]:
    sql, names, fixed, binds, _ = query.compiled(dialect)
    if fixed:
        params = {**fixed, **params}
    return sql, [
        params[n] if b is None else b(params[n]) for n, b in zip(names, binds, strict=True)
    ]


def converted(
    rows: Sequence[Sequence[Any]], results: list[tuple[int, Callable[[Any], Any]]]
) -> list[Values]:
    if not results:
        return [tuple(row) for row in rows]
    converted: list[Values] = []
    for row in rows:
        values = list(row)
        for i, convert in results:
            values[i] = convert(values[i])
        converted.append(tuple(values))
    return converted
