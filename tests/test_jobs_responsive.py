"""Background jobs never starve requests: the server answers while a large import runs.

A 600-entry following import runs on the server's own event loop (on SQLite the database
work itself happens on that loop). While it runs, cheap GETs must keep being answered: the
test counts requests that completed while the job was visibly part-way through (some
follows written, not all, no completion notification yet). Nothing here measures time.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/ is a package there

from bench.seed import add_local_accounts

from support.misskey import Misskey, mk_user
from support.server import RunningServer

ENTRIES = 300


def test_requests_are_answered_during_a_large_import(server: RunningServer) -> None:
    user = mk_user(server)
    # Accounts of this test's own (the server is shared with other tests).
    names = [f"r{user.username[-6:]}{n:04d}" for n in range(ENTRIES)]
    # Registration is slow: the accounts go in with the benchmarks' bulk seeder.
    asyncio.run(add_local_accounts(server.settings.resolved_database_url, names))
    host = server.settings.domain.split(":")[0]
    csv = "".join(f"{name}@{host}\n" for name in names).encode()
    file = user.mk.upload(csv, "following.csv", "text/csv")
    me = {"Authorization": f"Bearer {user.mastodon.token}"}
    client = user.mk.client

    user.mk("i/import-following", {"fileId": file["id"]})
    during = 0  # cheap GETs answered while the job was part-way through
    seen: set[int] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert client.get("/api/v1/instance").status_code == 200
        following = client.get("/api/v1/accounts/verify_credentials", headers=me)
        assert following.status_code == 200
        count = following.json()["following_count"]
        notes = user.mk("i/notifications", {"limit": 5})
        finished = any(n["type"] == "app" for n in notes)
        if 0 < count < ENTRIES and not finished:
            during += 1
            seen.add(count)
        if finished:
            break
        time.sleep(0.05)  # a client's pace, not a flood: the job gets the loop in between
    else:
        raise AssertionError("the import did not finish")
    final = client.get("/api/v1/accounts/verify_credentials", headers=me).json()
    assert final["following_count"] == ENTRIES
    # The loop interleaved: many answers came while the import was still writing, and they
    # saw it progress (not one frozen moment).
    assert during >= 5, during
    assert len(seen) >= 3, seen


def test_background_work_waits_for_requests_but_not_forever() -> None:
    """The worker's `quiet()` (jobs/request_gauge.py): at once when no request is being
    answered; when the last one is answered; after its bound under constant load."""
    from tandem.jobs.request_gauge import RequestGauge

    async def run() -> list[str]:
        gauge, order = RequestGauge(), []
        await gauge.quiet()
        order.append("idle: at once")
        gauge.started()
        gauge.started()
        waiting = asyncio.create_task(gauge.quiet(most=30))
        await asyncio.sleep(0.01)
        gauge.answered()
        await asyncio.sleep(0.01)
        order.append(f"one of two answered: done={waiting.done()}")
        gauge.answered()
        await asyncio.wait_for(waiting, 5)
        order.append(f"both answered: busy={gauge.busy}")
        gauge.started()  # a request that never ends (a stuck client)
        await asyncio.wait_for(gauge.quiet(most=0.05), 5)
        order.append("bounded")
        return order

    assert asyncio.run(run()) == [
        "idle: at once",
        "one of two answered: done=False",
        "both answered: busy=0",
        "bounded",
    ]


def test_answered_requests_leave_the_gauge(server: RunningServer) -> None:
    """Every request leaves the count of those being answered once its response starts,
    whatever its answer, and an open stream is not counted as work."""
    user = mk_user(server)
    gauge = server.app.state.services.requests
    base = server.base_url
    with httpx.Client(base_url=base, timeout=10) as client:
        assert client.get("/api/v1/instance").status_code == 200
        assert client.get("/api/v1/nothing-here").status_code == 404
        assert client.get("/api/v1/accounts/verify_credentials").status_code == 401
        assert client.post("/api/v1/apps", data={}).status_code == 422
        assert client.post("/api/i", json={"i": user.token}).status_code == 200
        headers = {"Authorization": f"Bearer {user.mastodon.token}", "Origin": "https://elk.zone"}
        with client.stream("GET", "/api/v1/streaming/user", headers=headers) as stream:
            assert stream.status_code == 200
            assert gauge.busy == 0  # the stream is open, its response started
    assert gauge.busy == 0


def test_a_write_waiting_for_another_process_leaves_reads_answered(
    server: RunningServer,
) -> None:
    """On SQLite, while another process holds the write lock (another worker, the delivery
    process, the admin CLI), a write waits for it without stopping the event loop: reads are
    answered meanwhile, and the write goes through once the lock is free."""
    if server.backend != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock")
    user = mk_user(server)
    other = sqlite3.connect(server.database.url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the other process's transaction
    writer = Misskey(server, user.token)
    with ThreadPoolExecutor(1) as pool:
        writing = pool.submit(writer.raw, "notes/create", {"text": "after the lock"})
        try:
            for _ in range(5):  # answered while the write waits
                assert httpx.get(f"{server.base_url}/api/v1/instance").status_code == 200
            assert not writing.done()
        finally:
            other.execute("COMMIT")
            other.close()
        posted = writing.result(timeout=30)
    assert posted.status_code == 200, posted.text
