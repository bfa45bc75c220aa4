"""Chat at scale: `chat/messages/search`, `user-timeline` (first and deep page), the room
timeline and `chat/history`, at 10k, 100k and 1M chat messages, on SQLite and PostgreSQL.

    .venv/bin/python bench/chat_bench.py --scales 10000,100000,1000000 --backends sqlite,postgresql
    .venv/bin/python bench/chat_bench.py --quick      # 10k only, 30 requests per endpoint

Each backend has one database (a SQLite file under /tmp/tandem-scale/, or $TANDEM_SCALE_DIR;
PostgreSQL database `chat_bench`) with 10k accounts from bench/seed.py, grown to each scale
in turn with bulk inserts through tandem's own tables (the search index follows through its
triggers, as for messages sent through the API). Of the messages, a fifth are between the
seeded viewer and one partner (the deep pages), a tenth between the viewer and 200 others, a
tenth in 5 rooms the viewer belongs to (30 members each), and the rest between other
accounts, which every query of the viewer's must skip. Texts are 4 to 16 words from a
2,000-word vocabulary; "meeting" is in about one message in a hundred, "zephyrine" in one in
100,000.

For each scale one `tandem serve` process answers the viewer's calls one after another
(after a warm-up): p50/p99 in ms, statements per call, and p99 at the largest scale over p99
at the smallest (the baseline, measured in the same run).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text, update

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import seed
from bench.scale_bench import Case, Timing, measure_all, report
from bench.seed_shape import Shape, account_id

from tandem.core.ids import new_id
from tandem.store.db import Database
from tandem.store.schema import (
    accounts,
    chat_conversations,
    chat_messages,
    chat_room_memberships,
    chat_rooms,
)

ACCOUNTS = 10_000
PARTNERS = 200
ROOMS = 5
ROOM_MEMBERS = 30
BATCH = 5_000
COMMON, RARE = "meeting", "zephyrine"
START_MS = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp() * 1000)
SPAN_MS = 365 * 86_400_000


def _vocabulary() -> list[str]:
    rng = random.Random(7)
    letters = "abcdefghijklmnoprstuvwy"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(2000)]


def _url(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{seed.SCALE_DIR / 'chat_bench.sqlite3'}"
    return f"{seed.ADMIN_URL.rsplit('/', 1)[0]}/chat_bench"


class World:
    """Who writes to whom: the viewer, its partners, its rooms, and everyone else."""

    def __init__(self, viewer: int, rooms: list[int]) -> None:
        self.viewer = viewer
        self.others = [account_id(i) for i in range(ACCOUNTS)]
        self.partners = self.others[1 : PARTNERS + 1]
        self.deep_partner = self.others[0]
        self.rooms = rooms
        first = PARTNERS + 1
        self.room_members = {
            room: self.others[first + r * ROOM_MEMBERS : first + (r + 1) * ROOM_MEMBERS]
            for r, room in enumerate(rooms)
        }

    def pick(self, rng: random.Random) -> tuple[int, int | None, int | None]:
        """(sender, recipient, room) of one message."""
        roll = rng.random()
        if roll < 0.2:
            pair = [self.viewer, self.deep_partner]
            rng.shuffle(pair)
            return pair[0], pair[1], None
        if roll < 0.3:
            pair = [self.viewer, rng.choice(self.partners)]
            rng.shuffle(pair)
            return pair[0], pair[1], None
        if roll < 0.4:
            room = rng.choice(self.rooms)
            sender = rng.choice([self.viewer, *self.room_members[room]])
            return sender, None, room
        a, b = rng.sample(self.others[PARTNERS + 1 + ROOMS * ROOM_MEMBERS :], 2)
        return a, b, None


def _text(rng: random.Random, words: list[str]) -> str:
    chosen = rng.choices(words, k=rng.randint(4, 16))
    if rng.random() < 0.01:
        chosen[rng.randrange(len(chosen))] = COMMON.capitalize()
    if rng.random() < 0.00001:
        chosen[rng.randrange(len(chosen))] = RARE
    return " ".join(chosen)


async def _viewer(db: Database) -> int:
    async with db.read() as conn:
        found = await conn.scalar(select(accounts.c.id).where(accounts.c.username == seed.VIEWER))
    assert found is not None
    return int(found)


async def _world(db: Database) -> World:
    """The viewer and its rooms (made on first use: the viewer owns the first, and is a
    member of the others)."""
    viewer = await _viewer(db)
    async with db.read() as conn:
        rooms = list((await conn.execute(select(chat_rooms.c.id).order_by("id"))).scalars())
    if rooms:
        return World(viewer, rooms)
    world = World(viewer, [new_id() for _ in range(ROOMS)])
    now = datetime.now(UTC)
    async with db.write() as conn:
        await conn.execute(
            chat_rooms.insert(),
            [
                {"id": room, "owner_id": viewer if n == 0 else world.room_members[room][0],
                 "name": f"room {n}", "description": "", "created_at": now}
                for n, room in enumerate(world.rooms)
            ],
        )  # fmt: skip
        rows = []
        for n, room in enumerate(world.rooms):
            members = world.room_members[room][(0 if n == 0 else 1) :]
            if n:
                members = [viewer, *members]
            rows += [
                {"id": new_id(), "room_id": room, "account_id": who, "created_at": now}
                for who in members
            ]
        await conn.execute(chat_room_memberships.insert(), rows)
    return world


async def grow(url: str, target: int, log: Any = print) -> None:
    """Add messages until the database holds `target` of them."""
    db = Database(url)
    try:
        await db.migrate()
        world = await _world(db)
        async with db.read() as conn:
            have = int(await conn.scalar(select(func.count()).select_from(chat_messages)) or 0)
        if have >= target:
            log(f"  already {have} messages")
            return
        rng = random.Random(have)
        words = _vocabulary()
        started = time.perf_counter()
        for lo in range(have, target, BATCH):
            rows, last = [], {}
            for n in range(lo, min(target, lo + BATCH)):
                ms = START_MS + SPAN_MS * n // target if have == 0 else START_MS + SPAN_MS + n
                sender, to, room = world.pick(rng)
                mid = (ms << 16) | (n & 0xFFFF)
                low, high = (min(sender, to), max(sender, to)) if to is not None else (None, None)
                rows.append({
                    "id": mid, "from_account_id": sender, "to_account_id": to, "room_id": room,
                    "pair_low": low, "pair_high": high, "text": _text(rng, words),
                    "file_id": None,
                    "created_at": datetime.fromtimestamp(ms / 1000, UTC),
                })  # fmt: skip
                if to is not None:
                    last[(sender, to)] = last[(to, sender)] = mid
                else:
                    last[(room, 0)] = mid
            async with db.write() as conn:
                await conn.execute(chat_messages.insert(), rows)
                await _summaries(conn, db.dialect, last)
        log(f"  {have} → {target} messages: {time.perf_counter() - started:.1f} s")
        async with db.write() as conn:
            await conn.execute(text("ANALYZE"))
    finally:
        await db.dispose()


async def _summaries(conn: Any, dialect: str, last: dict[tuple[int, int], int]) -> None:
    """Each pair's conversation row and each room's newest message, as sending keeps them."""
    pairs = [
        {"account_id": a, "other_account_id": b, "last_message_id": m}
        for (a, b), m in last.items()
        if b != 0
    ]
    if pairs:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        stmt = insert(chat_conversations)
        await conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["account_id", "other_account_id"],
                set_={"last_message_id": stmt.excluded.last_message_id},
            ),
            pairs,
        )
    for (room, zero), m in last.items():
        if zero == 0:
            await conn.execute(
                update(chat_rooms).where(chat_rooms.c.id == room).values(last_message_id=m)
            )


async def _deep_cursor(url: str) -> tuple[int, int, int]:
    """The viewer's deep partner, a message id 90% down their conversation, and the
    viewer's own room."""
    db = Database(url)
    try:
        world = await _world(db)
        low, high = sorted((world.viewer, world.deep_partner))
        async with db.read() as conn:
            ids = (
                (
                    await conn.execute(
                        select(chat_messages.c.id)
                        .where(chat_messages.c.pair_low == low, chat_messages.c.pair_high == high)
                        .order_by(chat_messages.c.id)
                    )
                )
                .scalars()
                .all()
            )
        return world.deep_partner, ids[len(ids) // 10], world.rooms[0]
    finally:
        await db.dispose()


def cases(partner: int, deep: int, room: int) -> list[Case]:
    p, r = str(partner), str(room)
    return [
        Case("K chat/history (DMs) ×10", "POST", "/api/chat/history", {"limit": 10}, True),
        Case("K chat/history (rooms)", "POST", "/api/chat/history", {"room": True}, True),
        Case("K user-timeline, first page ×20", "POST", "/api/chat/messages/user-timeline",
             {"userId": p, "limit": 20}, True),
        Case("K user-timeline, deep page ×20", "POST", "/api/chat/messages/user-timeline",
             {"userId": p, "limit": 20, "untilId": str(deep)}, True),
        Case("K room-timeline, first page ×20", "POST", "/api/chat/messages/room-timeline",
             {"roomId": r, "limit": 20}, True),
        Case(f"K search {COMMON!r}, all chats", "POST", "/api/chat/messages/search",
             {"query": COMMON, "limit": 10}, True),
        Case(f"K search {COMMON!r}, one conversation", "POST", "/api/chat/messages/search",
             {"query": COMMON, "limit": 10, "userId": p}, True),
        Case(f"K search {COMMON!r}, one room", "POST", "/api/chat/messages/search",
             {"query": COMMON, "limit": 10, "roomId": r}, True),
        Case(f"K search {RARE!r} (rare), all chats", "POST", "/api/chat/messages/search",
             {"query": RARE, "limit": 10}, True),
        Case("K search 'ab' (2 letters), all chats", "POST", "/api/chat/messages/search",
             {"query": "ab", "limit": 10}, True),
    ]  # fmt: skip


def run_scale(backend: str, scale: int, n: int, warm: int) -> dict[str, Timing]:
    url = _url(backend)
    asyncio.run(seed.seed(url, Shape(ACCOUNTS, ACCOUNTS * 10), lambda m: print(m, flush=True)))
    asyncio.run(grow(url, scale, lambda m: print(m, flush=True)))
    partner, deep, room = asyncio.run(_deep_cursor(url))
    return measure_all(url, cases(partner, deep, room), n, warm, may_be_empty=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="10000,100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="10k only, 30 requests after 5")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.warmup = 30, 5
        if args.scales == parser.get_default("scales"):
            args.scales = "10000"
    scales = sorted(int(s) for s in args.scales.split(",") if s)
    for backend in [b for b in args.backends.split(",") if b]:
        if backend == "postgresql":
            asyncio.run(seed.ensure_database(_url(backend)))
        results = {s: run_scale(backend, s, args.requests, args.warmup) for s in scales}
        name = "PostgreSQL" if backend == "postgresql" else "SQLite"
        report(name, scales, results, of="msgs", what=", chat")


if __name__ == "__main__":
    main()
