"""The database handle: connections, transactions and migrations for SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal, cast

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Row, create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from tandem.core.errors import Conflict, RowGone

Conn = AsyncConnection
AnyRow = Row[*tuple[Any, ...]]  # a result row of any width
log = logging.getLogger("tandem.db")
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_LOCK_KEY = 7_460_831_262  # arbitrary constant for pg_advisory_lock
# The statements run for the current request, when a caller asked for the count (tests).
statements_run: ContextVar[list[int] | None] = ContextVar("statements_run", default=None)


def driver_url(url: str) -> str:
    """The configured URL with the driver tandem uses: sqlite3, or asyncpg for PostgreSQL."""
    if url.startswith("sqlite:///"):
        return url
    for prefix in ("postgresql://", "postgres://", "postgresql+asyncpg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    raise ValueError(
        f"database_url must start with sqlite:/// or postgresql://, got {url.split(':')[0]}:"
    )


class _LoopConnection:
    """AsyncConnection's interface over a synchronous SQLite connection.

    SQLite answers an indexed query in microseconds; a hop to a driver thread (aiosqlite)
    costs a hundred times that. So tandem runs SQLite on the event loop itself: these
    coroutines complete without yielding, which also makes each `read()`/`write()` block
    atomic with respect to other requests.
    """

    def __init__(self, conn: Connection) -> None:
        self.sync_connection = conn

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        return self.sync_connection.execute(statement, parameters)

    async def scalar(self, statement: Any, parameters: Any = None) -> Any:
        return self.sync_connection.scalar(statement, parameters)

    async def scalars(self, statement: Any, parameters: Any = None) -> Any:
        return self.sync_connection.scalars(statement, parameters)

    async def run_sync(self, fn: Any, *args: Any) -> Any:
        return fn(self.sync_connection, *args)


class Database:
    def __init__(
        self, url: str, *, pool_size: int = 10, count_statements: bool = False
    ) -> None:  # pool: PostgreSQL only
        self.url = driver_url(url)
        self.dialect: Literal["sqlite", "postgresql"] = (
            "sqlite" if self.url.startswith("sqlite") else "postgresql"
        )
        self.engine: AsyncEngine | None = None
        self.sync_engine: Engine | None = None
        if self.dialect == "postgresql":
            self.engine = create_async_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_recycle=1800,
                hide_parameters=True,  # errors never carry values (secrets) into logs
            )
        else:
            path = Path(self.url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True)
            self.sync_engine = create_engine(
                f"sqlite:///{path}",
                poolclass=NullPool,
                connect_args={"check_same_thread": False},
                hide_parameters=True,  # errors never carry values (secrets) into logs
            )
            _configure_sqlite(self.sync_engine)
        if count_statements:
            counted = self.sync_engine if self.engine is None else self.engine.sync_engine
            assert counted is not None
            _count_statements(counted)
        self._reader: Connection | None = None
        self._writer: Connection | None = None
        self._write_lock: asyncio.Lock | None = None

    def _sqlite(self, writer: bool) -> Connection:
        """SQLite keeps one reader (autocommit) and one writer connection for the process."""
        assert self.sync_engine is not None
        if writer:
            if self._writer is None:
                self._writer = self.sync_engine.connect()
                self._writer.info["tandem_write"] = True
            return self._writer
        if self._reader is None:
            reader = self.sync_engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            reader.info["tandem_read"] = True
            self._reader = reader
        return self._reader

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Conn]:
        if self.sync_engine is not None:
            # No transaction needed: the block's queries run back to back without yielding.
            yield cast(Conn, _LoopConnection(self._sqlite(writer=False)))
            return
        assert self.engine is not None
        async with self.engine.connect() as conn:
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Conn]:
        """One transaction; committed on success, rolled back (nothing written) on any error.

        A constraint the rules did not foresee (writes are idempotent one by one, so this is a
        last resort) leaves as a domain error, not a database one: a unique clash is a
        `Conflict` ("already done"), a row the write needed that a concurrent request deleted
        is `RowGone` (not found). Anything else (NOT NULL, CHECK) is a bug and stays as it is.
        """
        try:
            async with self._transaction() as conn:
                yield conn
        except IntegrityError as err:
            kind = violation(err)
            if kind == "unique":
                raise Conflict("That record already exists") from err
            if kind == "foreign_key":
                log.info("a row this write needed was deleted meanwhile: answered not found")
                raise RowGone() from err
            raise

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Conn]:
        if self.engine is not None:
            async with self.engine.begin() as conn:
                yield conn
            return
        # One writer at a time: a block that awaits real I/O mid-transaction keeps others out.
        if self._write_lock is None:
            self._write_lock = asyncio.Lock()
        async with self._write_lock:
            writer = self._sqlite(writer=True)
            with writer.begin():
                yield cast(Conn, _LoopConnection(writer))

    async def ping(self) -> None:
        """A trivial query: raises when the database cannot be reached."""
        async with self.read() as conn:
            await conn.execute(text("SELECT 1"))

    async def revisions(self) -> set[str]:
        """The migration revisions the database is at (Alembic's version table)."""
        async with self.read() as conn:
            rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
            return {str(row[0]) for row in rows}

    async def migrate(self) -> None:
        if self.sync_engine is not None:
            with self.sync_engine.connect() as sync_conn:
                _upgrade(sync_conn)
                sync_conn.commit()
            return
        assert self.engine is not None
        async with self.engine.connect() as conn:
            # Several processes may start at once; one migrates, the others wait.
            await conn.execute(text(f"SELECT pg_advisory_lock({_MIGRATION_LOCK_KEY})"))
            await conn.commit()
            try:
                await conn.run_sync(_upgrade)
                await conn.commit()
            finally:
                await conn.execute(text(f"SELECT pg_advisory_unlock({_MIGRATION_LOCK_KEY})"))
                await conn.commit()

    async def dispose(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()
        for conn in (self._reader, self._writer):
            if conn is not None:
                conn.close()
        self._reader = self._writer = None
        if self.sync_engine is not None:
            self.sync_engine.dispose()


def violation(err: IntegrityError) -> str:
    """Which kind of constraint an IntegrityError broke: "unique", "foreign_key" or "other"
    (PostgreSQL's SQLSTATE 23505 / 23503, SQLite's extended result codes or message)."""
    found: BaseException | None = err.orig
    seen = 0
    while found is not None and seen < 4:  # SQLAlchemy's adapter error, then asyncpg's own
        state = getattr(found, "sqlstate", None) or getattr(found, "pgcode", None)
        if state == "23505":
            return "unique"
        if state == "23503":
            return "foreign_key"
        name = str(getattr(found, "sqlite_errorname", ""))
        if name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"):
            return "unique"
        if name == "SQLITE_CONSTRAINT_FOREIGNKEY":
            return "foreign_key"
        found, seen = found.__cause__, seen + 1
    text = str(err.orig)
    if "UNIQUE constraint failed" in text:
        return "unique"
    if "FOREIGN KEY constraint failed" in text:
        return "foreign_key"
    return "other"


def _count_statements(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(*_args: Any) -> None:
        counter = statements_run.get()
        if counter is not None:
            counter[0] += 1


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
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

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.info.get("tandem_read"):
            return  # the reader never holds a transaction, so it always sees the latest commit
        # IMMEDIATE takes the write lock up front, so another process cannot deadlock us.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("tandem_write") else "BEGIN")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@functools.cache
def migration_heads() -> frozenset[str]:
    """The revisions this code's migrations end at: a current database is at exactly these."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def _upgrade(sync_conn: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = sync_conn
    command.upgrade(cfg, "head")
