"""Databases for test servers: a SQLite file, or a fresh PostgreSQL database per server."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
from pathlib import Path

import asyncpg

ADMIN_URL = os.environ.get(
    "TANDEM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# The machine's own command to start PostgreSQL when it is down (see the env entry).
START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


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


async def _create(name: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop(name: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        await conn.close()


class TestDatabase:
    def __init__(self, backend: str, folder: Path) -> None:
        self.backend = backend
        self.name = f"tandem_test_{secrets.token_hex(6)}"
        if backend == "sqlite":
            self.url = f"sqlite:///{folder / 'tandem.sqlite3'}"
        else:
            asyncio.run(_create(self.name))
            base = ADMIN_URL.rsplit("/", 1)[0]
            self.url = f"{base}/{self.name}"

    def drop(self) -> None:
        if self.backend == "postgresql":
            asyncio.run(_drop(self.name))
