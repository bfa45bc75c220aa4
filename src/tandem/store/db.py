"""The database handle: connections, transactions and migrations for SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from sqlalchemy import Row, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

Conn = AsyncConnection
AnyRow = Row[*tuple[Any, ...]]  # a result row of any width
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_LOCK_KEY = 7_460_831_262  # arbitrary constant for pg_advisory_lock


def async_url(url: str) -> str:
    """Map the configured URL onto the async driver tandem uses for that database."""
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    if url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        return url
    raise ValueError(
        f"database_url must start with sqlite:/// or postgresql://, got {url.split(':')[0]}:"
    )


class Database:
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = async_url(url)
        self.dialect: Literal["sqlite", "postgresql"] = (
            "sqlite" if self.url.startswith("sqlite") else "postgresql"
        )
        kwargs: dict[str, Any] = {}
        if self.dialect == "postgresql":
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        else:
            Path(self.url.removeprefix("sqlite+aiosqlite:///")).parent.mkdir(
                parents=True, exist_ok=True
            )
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)
        self._write_lock: asyncio.Lock | None = None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Conn]:
        async with self.engine.connect() as conn:
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Conn]:
        """One transaction; committed on success, rolled back (nothing written) on any error."""
        if self.dialect == "postgresql":
            async with self.engine.begin() as conn:
                yield conn
            return
        # SQLite has one writer at a time: queue writers here rather than spin on SQLITE_BUSY.
        if self._write_lock is None:
            self._write_lock = asyncio.Lock()
        async with self._write_lock, self.engine.connect() as conn:
            conn.sync_connection.info["tandem_write"] = True  # type: ignore[union-attr]
            try:
                async with conn.begin():
                    yield conn
            finally:
                conn.sync_connection.info.pop("tandem_write", None)  # type: ignore[union-attr]

    async def migrate(self) -> None:
        async with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                # Several processes may start at once; one migrates, the others wait.
                await conn.execute(text(f"SELECT pg_advisory_lock({_MIGRATION_LOCK_KEY})"))
                await conn.commit()
            try:
                await conn.run_sync(_upgrade)
                await conn.commit()
            finally:
                if self.dialect == "postgresql":
                    await conn.execute(text(f"SELECT pg_advisory_unlock({_MIGRATION_LOCK_KEY})"))
                    await conn.commit()

    async def dispose(self) -> None:
        await self.engine.dispose()


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event own transactions instead of pysqlite's implicit ones.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=10000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock up front, so another process cannot deadlock us.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("tandem_write") else "BEGIN")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _upgrade(sync_conn: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = sync_conn
    command.upgrade(cfg, "head")


def null_pool_engine(url: str) -> AsyncEngine:
    """A pool-less engine for one-off tooling (tests creating and dropping databases)."""
    return create_async_engine(async_url(url), poolclass=NullPool)
