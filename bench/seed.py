"""Bulk data in tandem's real schema: accounts, follows, a viewer with a password, favourites.

    .venv/bin/python bench/seed.py --scales 10000,100000,1000000 --backends sqlite,postgresql
    .venv/bin/python bench/seed.py --database-url URL --accounts 1000000 --follows 30000000

The first form seeds the benchmark's databases (SQLite files under /tmp/tandem-scale/, or
$TANDEM_SCALE_DIR; PostgreSQL databases scale_10k, scale_100k, scale_1m), each with 30 follows
per account. The second seeds one database; run it again with more accounts to grow it (new
accounts, and the follows of the new accounts). Migrations run first (tandem's own
`Database.migrate`), rows go in with bulk SQL (COPY and INSERT … SELECT on PostgreSQL,
executemany and recursive CTEs on SQLite), and the counters are set from the rows at the end.
The network's shape is in bench/seed_shape.py. Also imported by tests and other benchmarks
(`add_local_accounts`): one seeder for everything.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: import the bench package like tests do
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import seed_sql
from bench.seed_shape import Shape, account_id, display_name, locked, moment, username

from tandem.core.ids import new_id
from tandem.store.accounts import search_terms
from tandem.store.db import Database
from tandem.store.generations import EVERYTHING, FileGenerations
from tandem.store.generations import FILE_NAME as GENERATIONS_FILE

ADMIN_URL = os.environ.get(
    "TANDEM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SCALE_DIR = Path(os.environ.get("TANDEM_SCALE_DIR", "/tmp/tandem-scale"))
VIEWER = "viewer"
VIEWER_EMAIL = "viewer@example.com"
VIEWER_PASSWORD = "benchmark password"
FOLLOWS_PER_ACCOUNT = 30
ACCOUNT_BATCH = 20_000
Log = Callable[[str], None]


def scale_name(accounts: int) -> str:
    return (
        f"scale_{accounts // 1_000_000}m"
        if accounts % 1_000_000 == 0
        else (f"scale_{accounts // 1000}k" if accounts % 1000 == 0 else f"scale_{accounts}")
    )


def scale_url(backend: str, accounts: int) -> str:
    """Where the benchmark's database of this scale lives."""
    if backend == "sqlite":
        return f"sqlite:///{SCALE_DIR / (scale_name(accounts) + '.sqlite3')}"
    return f"{ADMIN_URL.rsplit('/', 1)[0]}/{scale_name(accounts)}"


async def ensure_database(url: str) -> None:
    """Create the PostgreSQL database if it does not exist yet (SQLite files just appear)."""
    if url.startswith("sqlite"):
        return
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def account_rows(indexes: Sequence[int], names: Sequence[str] | None = None) -> seed_sql.Rows:
    """Accounts, their users (confirmed and approved, no password) and search terms."""
    rows = seed_sql.Rows()
    for n, i in enumerate(indexes):
        aid = account_id(i) if names is None else new_id()
        name = username(i) if names is None else names[n]
        shown = display_name(i) if names is None else ""
        created = moment(aid >> 16)
        rows.accounts.append(
            (aid, name, name.lower(), "", shown, locked(i) if names is None else False,
             created, created)
        )  # fmt: skip
        rows.users.append((aid, aid, "!", created, True, created, created))
        rows.terms += [(kind, term, aid) for kind, term in search_terms(name, shown) if term]
    return rows


async def add_local_accounts(url: str, names: Sequence[str]) -> list[int]:
    """Confirmed local accounts with these usernames (no password: they never sign in), in
    one bulk write. The database may be in use by a running server."""
    rows = account_rows(range(len(names)), names)
    async with seed_sql.connect(url, bulk=False) as loader:
        await loader.insert_accounts(rows)
        await loader.commit()
    return [r[0] for r in rows.accounts]


async def seed(
    url: str, shape: Shape, log: Log = print, *, server_data_dir: Path | None = None
) -> dict[str, float]:
    """Grow the database at `url` to `shape` (from empty, or from a smaller seed). Returns
    the seconds each phase took. Bulk SQL bypasses the writes that tell a running server's
    caches what changed: name that server's data folder and they are all dropped at the end."""
    shape.check()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    await ensure_database(url)
    db = Database(url)
    try:
        await db.migrate()
    finally:
        await db.dispose()
    timings["migrate"] = time.perf_counter() - started
    async with seed_sql.connect(url, bulk=True) as loader:
        have = await loader.seeded_accounts()
        if have > shape.accounts:
            raise SystemExit(f"{url} already holds {have} seeded accounts")
        t = time.perf_counter()
        for lo in range(have, shape.accounts, ACCOUNT_BATCH):
            await loader.insert_accounts(
                account_rows(range(lo, min(shape.accounts, lo + ACCOUNT_BATCH)))
            )
            await loader.commit()
        timings["accounts"] = time.perf_counter() - t
        t = time.perf_counter()
        changed = await loader.insert_follows(shape, log) or have < shape.accounts
        timings["follows"] = time.perf_counter() - t
    if changed:
        log(f"  accounts {have} → {shape.accounts}: {timings['accounts']:.1f} s")
        log(f"  follows: {timings['follows']:.1f} s")
    if not await _has_viewer(url):
        await _create_viewer(url)
        async with seed_sql.connect(url, bulk=False) as loader:
            await loader.viewer_world(shape, VIEWER)
            await loader.commit()
        changed = True
    if not changed:
        log(f"  already seeded: {shape.accounts} accounts")
        return timings
    t = time.perf_counter()
    async with seed_sql.connect(url, bulk=True) as loader:
        await loader.recount()
        await loader.commit()
        timings["counters"] = time.perf_counter() - t
        t = time.perf_counter()
        await loader.analyze()
        timings["analyze"] = time.perf_counter() - t
        counts = await loader.counts()
    if server_data_dir is not None:
        await forget_cached(server_data_dir)
    timings["total"] = time.perf_counter() - started
    log(
        f"  {counts['accounts']} accounts, {counts['follows']} follows; counters "
        f"{timings['counters']:.1f} s, analyze {timings['analyze']:.1f} s; "
        f"total {timings['total']:.1f} s"
    )
    return timings


async def _has_viewer(url: str) -> bool:
    async with seed_sql.connect(url, bulk=False) as loader:
        return await loader.account_by_username(VIEWER) is not None


async def _create_viewer(url: str) -> None:
    """The account the benchmark signs in as, made by `tandem admin create-user` itself."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    with tempfile.TemporaryDirectory(prefix="tandem-seed-") as data:
        env.update(TANDEM_DATABASE_URL=url, TANDEM_DATA_DIR=data)
        command = [sys.executable, "-m", "tandem", "admin", "create-user", VIEWER,
                   "--email", VIEWER_EMAIL, "--password", VIEWER_PASSWORD]  # fmt: skip
        done = await asyncio.to_thread(subprocess.run, command, capture_output=True, env=env)
    if done.returncode:
        raise RuntimeError(f"create-user failed: {done.stderr.decode()[-2000:]}")


async def forget_cached(data_dir: Path) -> None:
    """Every cache entry of the servers on this host checks the EVERYTHING generation."""
    generations = FileGenerations(data_dir / GENERATIONS_FILE)
    try:
        await generations.bump([EVERYTHING])
    finally:
        await generations.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="seed this one database")
    parser.add_argument("--accounts", type=int, help="with --database-url")
    parser.add_argument("--follows", type=int, help="default: 30 per account")
    parser.add_argument("--scales", default="10000,100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--server-data-dir", type=Path, help="a server running on the database: drop its caches"
    )
    args = parser.parse_args()
    if args.database_url:
        if not args.accounts:
            parser.error("--database-url needs --accounts")
        targets = [(args.database_url, args.accounts)]
    else:
        scales = [int(s) for s in args.scales.split(",") if s]
        backends = [b for b in args.backends.split(",") if b]
        targets = [(scale_url(b, n), n) for b in backends for n in scales]
    for url, accounts in targets:
        follows = args.follows or accounts * FOLLOWS_PER_ACCOUNT
        print(f"seeding {url.split('@')[-1]}: {accounts} accounts, ~{follows} follows", flush=True)
        asyncio.run(
            seed(
                url,
                Shape(accounts, follows),
                lambda m: print(m, flush=True),
                server_data_dir=args.server_data_dir,
            )
        )


if __name__ == "__main__":
    main()
