"""SQL straight on a test server's database, past tandem: to read what a test cannot see over
HTTP, or to set up what no request makes (old rows, remote accounts, a thousand messages)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from sqlalchemy import TextClause, create_engine, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from support.server import RunningServer

Params = dict[str, Any] | Sequence[dict[str, Any]]


def execute(
    server: RunningServer, query: str | TextClause, params: Params | None = None, **named: Any
) -> list[tuple[Any, ...]]:
    """Run one statement in a transaction of its own, committed; a list of parameter sets runs
    it once per set. Returns the rows, if the statement gives any."""
    statement = text(query) if isinstance(query, str) else query
    bound: Any = list(params) if isinstance(params, Sequence) else {**(params or {}), **named}
    url = server.database.url
    if url.startswith("sqlite"):
        engine = create_engine(url, poolclass=NullPool)
        with engine.begin() as conn:
            result = conn.execute(statement, bound)
            rows = [tuple(r) for r in result] if result.returns_rows else []
        engine.dispose()
        return rows

    async def run() -> list[tuple[Any, ...]]:
        engine = create_async_engine(
            url.replace("postgresql://", "postgresql+asyncpg://"), poolclass=NullPool
        )
        async with engine.begin() as conn:
            result = await conn.execute(statement, bound)
            found = [tuple(r) for r in result] if result.returns_rows else []
        await engine.dispose()
        return found

    return asyncio.run(run())
