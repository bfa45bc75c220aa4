"""Time-ordered 63-bit ids shared by both dialects: milliseconds << 16 | a sequence.

One scheme serves Mastodon clients (decimal strings that sort by length then value) and
Misskey clients (opaque strings; `sinceDate`/`untilDate` map onto id ranges via `id_at`).

The sequence's top 4 bits are the process's slot, so processes that make ids in the same
millisecond cannot make the same one: `tandem serve --workers N` gives each worker a slot of its
own (`use_slot`); any other process (CLI tasks) takes a random one.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from datetime import UTC, datetime

SLOTS = 16
_COUNTER_BITS = 12
_COUNTER_MASK = (1 << _COUNTER_BITS) - 1
_lock = threading.Lock()
_last_ms = 0
_slot = secrets.randbelow(SLOTS)
_counter = secrets.randbelow(1 << _COUNTER_BITS)
_pid = os.getpid()


def use_slot(slot: int) -> None:
    """Make this process's ids in `slot` (0-15), one no other running process holds."""
    global _slot, _pid
    if not 0 <= slot < SLOTS:
        raise ValueError(f"an id slot is 0 to {SLOTS - 1}, got {slot}")
    with _lock:
        _slot, _pid = slot, os.getpid()


def new_id() -> int:
    global _last_ms, _counter, _pid, _slot
    with _lock:
        if os.getpid() != _pid:  # forked without a slot of its own: draw another
            _pid = os.getpid()
            _slot = secrets.randbelow(SLOTS)
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            _counter = (_counter + 1) & _COUNTER_MASK
            if _counter == 0:  # 4096 ids in one millisecond: borrow the next one
                ms += 1
        _last_ms = ms
        return (ms << 16) | (_slot << _COUNTER_BITS) | _counter


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
