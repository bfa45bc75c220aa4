"""The database handle: connections, transactions and migrations for SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Row, create_engine, event, text
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from tandem.core.errors import Conflict, RowGone
from tandem.store.query import Query, Values, arguments, converted, count_one, statements_run

if TYPE_CHECKING:
    import asyncpg
    from redis.asyncio import Redis

    from tandem.core.events import Bus

Conn = AsyncConnection
AnyRow = Row[*tuple[Any, ...]]  # a result row of any width
log = logging.getLogger("tandem.db")
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_LOCK_KEY = 7_460_831_262  # arbitrary constant for pg_advisory_lock


class _Write:
    """The write transaction open in this task: its database, and what runs after its commit."""

    __slots__ = ("actions", "db")

    def __init__(self, db: Database) -> None:
        self.db = db
        self.actions: list[Callable[[], Awaitable[None]]] = []


_current_write: ContextVar[_Write | None] = ContextVar("current_write", default=None)


def writing() -> Database | None:
    """The database whose write transaction this task is in (None outside `db.write()`)."""
    current = _current_write.get()
    return current.db if current is not None else None


def after_commit(action: Callable[[], Awaitable[None]]) -> None:
    """Run `action` once the current write transaction has committed; never when it rolls
    back. Work outside the database (Redis home feeds) that must not see uncommitted rows."""
    current = _current_write.get()
    if current is None:
        raise RuntimeError("after_commit() outside a write transaction")
    current.actions.append(action)


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


async def _keep_session(_conn: Any) -> None:
    """asyncpg's reset on release is a round trip; reads leave no session state to reset."""


class _LoopConnection:
    """AsyncConnection's interface over a synchronous SQLite connection.

    SQLite answers an indexed query in microseconds; a hop to a driver thread (aiosqlite)
    costs a hundred times that. So tandem runs SQLite on the event loop itself: these
    coroutines complete without yielding, which also makes each `read()`/`write()` block
    atomic with respect to other requests.
    """

    def __init__(self, conn: Connection, driver: Any) -> None:
        self.sync_connection = conn
        self.driver = driver  # the sqlite3 connection under it, for `Query`

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        return self.sync_connection.execute(statement, parameters)

    async def scalar(self, statement: Any, parameters: Any = None) -> Any:
        return self.sync_connection.scalar(statement, parameters)

    async def scalars(self, statement: Any, parameters: Any = None) -> Any:
        return self.sync_connection.scalars(statement, parameters)

    async def run_sync(self, fn: Any, *args: Any) -> Any:
        return fn(self.sync_connection, *args)

    @property
    def dialect(self) -> Dialect:  # as AsyncConnection.dialect
        return self.sync_connection.dialect

    async def run_query(self, query: Query, params: dict[str, Any]) -> list[Values]:
        dialect = self.sync_connection.dialect
        sql, args = arguments(query, dialect, params)
        count_one()
        return converted(self.driver.execute(sql, args).fetchall(), query.compiled(dialect).results)


class _PgRead:
    """A read on PostgreSQL: a `Query` runs on a driver connection from tandem's asyncpg pool
    (a checkout there costs a fraction of SQLAlchemy's); any other statement on a SQLAlchemy
    connection, checked out when the block first needs one. Both outside any transaction
    (autocommit: no BEGIN and ROLLBACK round trips); each statement sees the latest commits,
    as it did in READ COMMITTED. Offers what the store uses of AsyncConnection: execute,
    scalar, scalars, run_sync."""

    def __init__(self, db: Database, dialect: Dialect) -> None:
        self._db = db
        self._dialect = dialect
        self._driver: asyncpg.Connection | None = None
        self._conn: AsyncConnection | None = None

    async def run_query(self, query: Query, params: dict[str, Any]) -> list[Values]:
        dialect = self._dialect
        sql, args = arguments(query, dialect, params)
        driver = self._driver or await self._acquire()
        count_one()
        rows = await driver.fetch(sql, *args)
        return converted(rows, query.compiled(dialect).results)

    async def _acquire(self) -> asyncpg.Connection:
        self._driver = await (await self._db.driver_pool()).acquire()
        return self._driver

    async def _sa(self) -> AsyncConnection:
        if self._conn is None:
            # Always the driver connection first: a block holding a SQLAlchemy connection
            # never waits for a driver one, so the two bounded pools cannot deadlock.
            if self._driver is None:
                await self._acquire()
            assert self._db.read_engine is not None
            self._conn = await self._db.read_engine.connect()
        return self._conn

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        return await (await self._sa()).execute(statement, parameters)

    async def scalar(self, statement: Any, parameters: Any = None) -> Any:
        return await (await self._sa()).scalar(statement, parameters)

    async def scalars(self, statement: Any, parameters: Any = None) -> Any:
        return await (await self._sa()).scalars(statement, parameters)

    async def run_sync(self, fn: Any, *args: Any) -> Any:
        return await (await self._sa()).run_sync(fn, *args)

    @property
    def dialect(self) -> Dialect:  # as AsyncConnection.dialect (store/search.py branches on it)
        return self._dialect

    async def close(self) -> None:
        try:
            if self._conn is not None:
                await self._conn.close()
        finally:
            if self._driver is not None:
                assert self._db.pool is not None
                await self._db.pool.release(self._driver)


class _Reading:
    """`Database.read()`: an async context manager without a generator's costs (per request)."""

    __slots__ = ("_db", "_pg")

    def __init__(self, db: Database) -> None:
        self._db = db
        self._pg: _PgRead | None = None

    async def __aenter__(self) -> Conn:
        db = self._db
        if db.sync_engine is not None:
            # No transaction needed: the block's queries run back to back without yielding.
            return cast(Conn, db.sqlite_reader())
        assert db.engine is not None
        self._pg = _PgRead(db, db.engine.dialect)
        return cast(Conn, self._pg)

    async def __aexit__(self, *_exc: object) -> None:
        if self._pg is not None:
            await self._pg.close()


class Database:
    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        count_statements: bool = False,
        custom_plans: bool = True,
    ) -> None:
        """`pool_size` (PostgreSQL): the connections a worker may hold for `Query` reads, and
        as many for SQLAlchemy's statements (20 in all, the most the old 10 + 10 overflow
        could open). Both pools keep what they opened (asyncpg's until idle for a minute) and
        make a request wait when all are busy: no overflow connections opened and closed
        under load (SQLAlchemy's overflow opened and closed two a second at -c32).

        `custom_plans` (PostgreSQL): statements run through SQLAlchemy (lists, writes) are
        planned for their values each time, where a generic plan could pick a full scan for
        an account with a million followers. `Query` reads keep PostgreSQL's default: they
        look rows up by key, where the generic plan is the right one, and planning the
        token's four-table join each time would cost several times running it."""
        self.url = driver_url(url)
        self.dialect: Literal["sqlite", "postgresql"] = (
            "sqlite" if self.url.startswith("sqlite") else "postgresql"
        )
        self.engine: AsyncEngine | None = None
        self.read_engine: AsyncEngine | None = None
        self.sync_engine: Engine | None = None
        self.pool: asyncpg.Pool | None = None
        self._pool_size = pool_size
        self._pool_ready: asyncio.Future[asyncpg.Pool] | None = None
        if self.dialect == "postgresql":
            self.engine = create_async_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=0,  # bounded: a request waits for a connection (no block nests)
                pool_recycle=1800,
                hide_parameters=True,  # errors never carry values (secrets) into logs
                connect_args={
                    "server_settings": {"plan_cache_mode": "force_custom_plan"}
                    if custom_plans
                    else {}
                },
            )
            # Reads share the pool, outside transactions: no BEGIN, and nothing to roll back.
            self.read_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
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
        self._reader: _LoopConnection | None = None
        self._writer: _LoopConnection | None = None
        # The Redis client the server shares (services.py), when `redis_url` is set: home
        # feeds live there then (core/home_feeds.py).
        self.redis: Redis | None = None
        # The event bus the realtime streams listen to (core/events.py): set by the server
        # (Redis pub/sub with `redis_url`), else made in-process on first use.
        self.events: Bus | None = None
        self._write_lock: asyncio.Lock | None = None

    def sqlite_reader(self) -> _LoopConnection:
        """SQLite keeps one reader (autocommit) and one writer connection for the process."""
        if self._reader is None:
            assert self.sync_engine is not None
            conn = self.sync_engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            conn.info["tandem_read"] = True
            self._reader = _LoopConnection(conn, conn.connection.dbapi_connection)
        return self._reader

    def _sqlite_writer(self) -> _LoopConnection:
        if self._writer is None:
            assert self.sync_engine is not None
            conn = self.sync_engine.connect()
            conn.info["tandem_write"] = True
            # The write lock is waited for by `_begin_immediate`, yielding the event loop.
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA busy_timeout=0")  # (on the driver's connection: no autobegin)
            self._writer = _LoopConnection(conn, raw)
        return self._writer

    async def driver_pool(self) -> asyncpg.Pool:
        """The asyncpg pool `Query` reads use, created on first use (in the running loop)."""
        if self.pool is not None:
            return self.pool
        if self._pool_ready is None or self._pool_ready.done():  # (done, no pool: it failed)
            self._pool_ready = asyncio.ensure_future(self._create_pool())
        return await asyncio.shield(self._pool_ready)

    async def _create_pool(self) -> asyncpg.Pool:
        import asyncpg

        assert self.engine is not None
        _args, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
        pool = await asyncpg.create_pool(
            min_size=0,
            max_size=self._pool_size,
            max_inactive_connection_lifetime=60,
            reset=_keep_session,
            **kwargs,
        )
        self.pool = pool
        return pool

    def read(self) -> _Reading:
        """Statements outside any transaction, each seeing the latest commits."""
        return _Reading(self)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Conn]:
        """One transaction; committed on success, rolled back (nothing written) on any error.

        A constraint the rules did not foresee (writes are idempotent one by one, so this is a
        last resort) leaves as a domain error, not a database one: a unique clash is a
        `Conflict` ("already done"), a row the write needed that a concurrent request deleted
        is `RowGone` (not found). Anything else (NOT NULL, CHECK) is a bug and stays as it is.
        """
        current = _Write(self)
        token = _current_write.set(current)
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
        finally:
            _current_write.reset(token)
        for action in current.actions:  # committed: a rolled back write raised above
            try:
                await action()
            except Exception:  # the commit stands; what failed here is logged, not raised
                log.warning("an action after a commit failed", exc_info=True)

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
            writer = self._sqlite_writer()
            await _begin_immediate(writer.sync_connection)
            with writer.sync_connection.begin():
                yield cast(Conn, writer)

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
        if self.pool is not None:
            await self.pool.close()
        self.pool = self._pool_ready = None
        if self.engine is not None:
            await self.engine.dispose()
        for conn in (self._reader, self._writer):
            if conn is not None:
                conn.sync_connection.close()
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


SQLITE_BUSY_SECONDS = 10.0  # as the busy_timeout of every other connection


async def _begin_immediate(conn: Connection) -> None:
    """Take SQLite's write lock (BEGIN IMMEDIATE) for the transaction `conn.begin()` starts
    next. While another process holds it (`--workers N`, `delivery_process`, the admin CLI)
    this waits with `asyncio.sleep`, not in SQLite's busy handler, which would stop the
    event loop, and every request of the process, for up to 100 ms per attempt."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    delay, waited = 0.001, 0.0
    while True:
        try:
            raw.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or waited >= SQLITE_BUSY_SECONDS:
                raise
        await asyncio.sleep(delay)
        waited += delay
        delay = min(delay * 2, 0.02)
    conn.info["tandem_begun"] = True  # the "begin" event below has nothing left to do


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
        if conn.info.pop("tandem_begun", False):
            return  # begun already (_begin_immediate)
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
    command.upgrade(cfg, "heads")
