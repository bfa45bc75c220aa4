"""Rate-limit counters shared by the processes of one server without Redis.

`tandem serve --workers N` runs N processes; counting in each one's memory would let a client
through N times its limit. They share this small SQLite file in the data folder instead: one
`INSERT … ON CONFLICT DO UPDATE … RETURNING` per hit, atomic across processes. Counters are
throwaway (a lost window only forgets some hits), so the file skips fsync.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID
"""
# A row whose window has ended counts from 1 again (the sweep may not have reached it yet).
_INCR = """
INSERT INTO counters (key, count, expires_at) VALUES (:key, 1, :expires)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN expires_at <= :now THEN 1 ELSE count + 1 END,
    expires_at = CASE WHEN expires_at <= :now THEN excluded.expires_at ELSE expires_at END
RETURNING count
"""
# Never below zero, and never brings back a window that has ended.
_DECR = "UPDATE counters SET count = count - 1 WHERE key = ? AND count > 0 AND expires_at > ?"
SWEEP_EVERY = 60.0  # seconds between deletions of ended windows, per process


def counter_path(data_dir: Path) -> Path:
    return data_dir / "ratelimits.sqlite3"


def create(path: Path) -> None:
    """Make the file and its table (the parent does it once, before its workers start)."""
    SQLiteCounter(path).close()


class SQLiteCounter:
    """Each statement is its own tiny transaction; they run on the event loop, as tandem's
    SQLite queries do, since a thread hop would cost more than the statement."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: autocommit, so no statement holds the lock past its own end.
        self._conn = sqlite3.connect(path, timeout=10, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute(_SCHEMA)
        self._next_sweep = 0.0

    async def incr(self, key: str, ttl: int) -> int:
        now = time.time()
        if now >= self._next_sweep:
            self._conn.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
            self._next_sweep = now + SWEEP_EVERY
        row = self._conn.execute(_INCR, {"key": key, "expires": now + ttl, "now": now}).fetchone()
        return int(row[0])

    async def decr(self, key: str) -> None:
        self._conn.execute(_DECR, (key, time.time()))

    def close(self) -> None:
        self._conn.close()
