"""Time-ordered 63-bit ids shared by both dialects: milliseconds << 16 | a sequence.

One scheme serves Mastodon clients (decimal strings that sort by length then value) and
Misskey clients (opaque strings; `sinceDate`/`untilDate` map onto id ranges via `id_at`).
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from datetime import UTC, datetime

_lock = threading.Lock()
_last_ms = 0
# A random start per process keeps concurrent processes (PostgreSQL deployments) apart.
_sequence = secrets.randbelow(1 << 16)
_pid = os.getpid()


def new_id() -> int:
    global _last_ms, _sequence, _pid
    with _lock:
        if os.getpid() != _pid:  # forked: re-seed so parent and child diverge
            _pid = os.getpid()
            _sequence = secrets.randbelow(1 << 16)
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            _sequence = (_sequence + 1) & 0xFFFF
            if _sequence == 0:  # 65536 ids in one millisecond: borrow the next one
                ms += 1
        _last_ms = ms
        return (ms << 16) | _sequence


def id_at(moment: datetime) -> int:
    """The smallest id that could have been made at `moment` (for date-based cursors)."""
    return int(moment.timestamp() * 1000) << 16


def id_at_ms(ms: int) -> int:
    """`id_at` for milliseconds since the epoch, clamped to the ids that can exist (a date
    cursor far in the past or future is simply before or after every id)."""
    return min(max(ms, 0), (1 << 47) - 1) << 16


def parse_id(raw: object) -> int | None:
    """An id from client input, or None when it cannot be one of ours."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw < (1 << 63) else None
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 19:
        value = int(raw)
        return value if 0 < value < (1 << 63) else None
    return None


def id_time(value: int) -> datetime:
    """When an id was made (ids begin with their millisecond)."""
    return datetime.fromtimestamp((value >> 16) / 1000, UTC)
