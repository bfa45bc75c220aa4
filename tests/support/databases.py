"""Databases for test servers: a SQLite file, or a fresh PostgreSQL database per server.

Each starts as a copy of a template migrated once per schema (a hash of the migration files)
and machine, instead of running every migration again: a server then starts in a fraction of
a second rather than the seconds that a few hundred DDL commits take on a busy disk. The
template is built under a file lock, so parallel test workers build it once. PostgreSQL test
databases commit without waiting for the WAL flush (`synchronous_commit = off`): nothing
in a test depends on surviving a power cut, and the SQL they run is the same. They are dropped
in the background (DROP DATABASE waits for a checkpoint), and `drop_pending` waits for them.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

import tandem.store
from tandem.store.db import Database

ADMIN_URL = os.environ.get(
    "TANDEM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# The machine's own command to start PostgreSQL when it is down (see the env entry).
START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
TEMPLATES = Path(tempfile.gettempdir()) / f"tandem-test-templates-{os.getuid()}"
_DROPS: list[threading.Thread] = []


async def _ping() -> bool:
    try:
        conn = await asyncpg.connect(ADMIN_URL, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


def postgres_available() -> bool:
    if asyncio.run(_ping()):
        return True
    subprocess.run(START_POSTGRES, shell=True, capture_output=True, check=False)
    return asyncio.run(_ping())


def _schema_key() -> str:
    """Changes whenever a migration does."""
    digest = hashlib.sha256()
    folder = Path(tandem.store.__file__).parent / "migrations"
    for path in sorted(folder.rglob("*.py")):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def _template_lock() -> Iterator[None]:
    TEMPLATES.mkdir(parents=True, exist_ok=True)
    with (TEMPLATES / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


async def _migrate(url: str) -> None:
    db = Database(url)
    try:
        await db.migrate()
    finally:
        await db.dispose()


def _sqlite_template() -> Path:
    template = TEMPLATES / f"{_schema_key()}.sqlite3"
    with _template_lock():
        if not template.exists():
            building = template.with_suffix(".building")
            building.unlink(missing_ok=True)
            asyncio.run(_migrate(f"sqlite:///{building}"))
            with sqlite3.connect(building) as conn:  # everything in the main file
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            for leftover in (Path(f"{building}-wal"), Path(f"{building}-shm")):
                leftover.unlink(missing_ok=True)
            building.rename(template)
    return template


async def _admin(*statements: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        found: list[asyncpg.Record] = []
        for statement in statements:
            found = await conn.fetch(statement)
        return found
    finally:
        await conn.close()


def _postgres_template() -> str:
    name = f"tandem_tmpl_{_schema_key()}"
    with _template_lock():
        found = asyncio.run(_admin(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))
        if not found:
            building = f"{name}_building"
            asyncio.run(
                _admin(f'DROP DATABASE IF EXISTS "{building}"', f'CREATE DATABASE "{building}"')
            )
            asyncio.run(_migrate(f"{ADMIN_URL.rsplit('/', 1)[0]}/{building}"))
            asyncio.run(_admin(f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
    return name


async def _drop(name: str) -> None:
    await _admin(
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        f'DROP DATABASE IF EXISTS "{name}"',
    )


def drop_pending() -> None:
    """Wait for the databases still being dropped (at the end of a test session)."""
    while _DROPS:
        _DROPS.pop().join()


class TestDatabase:
    """`migrated=False`: an empty database, for a test of the migrations themselves."""

    def __init__(self, backend: str, folder: Path, *, migrated: bool = True) -> None:
        self.backend = backend
        self.name = f"tandem_test_{secrets.token_hex(6)}"
        if backend == "sqlite":
            path = folder / "tandem.sqlite3"
            if migrated:
                shutil.copyfile(_sqlite_template(), path)
            self.url = f"sqlite:///{path}"
        else:
            copy = f' TEMPLATE "{_postgres_template()}"' if migrated else ""
            asyncio.run(
                _admin(
                    f'CREATE DATABASE "{self.name}"{copy}',
                    f'ALTER DATABASE "{self.name}" SET synchronous_commit = off',
                )
            )
            self.url = f"{ADMIN_URL.rsplit('/', 1)[0]}/{self.name}"

    def drop(self, wait: bool = False) -> None:
        """Drop the database in the background (the session's end waits), or now."""
        if self.backend == "postgresql":
            dropping = threading.Thread(target=asyncio.run, args=(_drop(self.name),), daemon=True)
            dropping.start()
            if wait:
                dropping.join()
            else:
                _DROPS.append(dropping)
