"""`tandem serve --workers 2`: two processes share the port, the rate limits and the job queue.

One server per backend for the whole module. Each check is one the second process could
break: requests answered by both processes, a limit counted once for both (not once each),
and every job run by exactly one of them.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from support import databases
from support.api import app_token, register
from support.server import ServerProcess
from tandem.store import jobs
from tandem.store.db import Database

REQUESTS = 100
PER_TOKEN_LIMIT = 30
SIGN_UPS = 8
ACCESS_LINE = re.compile(r"\[(\d+)\] INFO tandem\.access: .* \"(\w+) (\S+) HTTP/[\d.]+\" (\d+)")


@pytest.fixture(scope="module")
def workers(backend: str) -> Iterator[ServerProcess]:
    server = ServerProcess(
        backend,
        workers=2,
        rate_limits_enabled=True,
        throttles=(
            f"per_token_api={PER_TOKEN_LIMIT}/86400,unauthenticated_api=100000/300,"
            "api_sign_up=1000/1800,app_registrations=1000/600"
        ),
    ).start()
    # It answers once one worker is up; the other may still be building its app.
    deadline = time.monotonic() + 60
    while (server.data_dir / "server.log").read_text().count("Started worker-") < 2:
        assert time.monotonic() < deadline, "the second worker did not start"
        time.sleep(0.05)
    yield server
    server.close()


def access_lines(server: ServerProcess) -> list[tuple[int, str, str, int]]:
    """(process id, method, path, status) of every request the server has logged so far."""
    log = (server.data_dir / "server.log").read_text()
    return [(int(p), m, path, int(s)) for p, m, path, s in ACCESS_LINE.findall(log)]


def first_error(server: ServerProcess) -> str:
    """The end of the server log's first traceback, where the error is (failure messages)."""
    log = (server.data_dir / "server.log").read_text()
    if "Traceback" not in log:
        return "(no traceback in the server log)"
    block = log[log.find("Traceback") :]
    next_line = re.search(r"\n\d{4}-\d\d-\d\d ", block)
    return block[: next_line.start() if next_line else None][-2000:]


# No connection is reused, so the kernel hands each request to either process.
FRESH = httpx.Client(timeout=30, limits=httpx.Limits(max_keepalive_connections=0))


def fresh_get(url: str, headers: dict[str, str] | None = None) -> int:
    return FRESH.get(url, headers=headers).status_code


def test_both_processes_answer(workers: ServerProcess) -> None:
    url = f"{workers.base_url}/api/v1/instance?probe=spread"
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: fresh_get(url), range(REQUESTS)))
    assert statuses == [200] * REQUESTS, first_error(workers)
    deadline = time.monotonic() + 10  # the log lines are written after each response
    while time.monotonic() < deadline:
        served = [p for p, _, path, _ in access_lines(workers) if path.endswith("probe=spread")]
        if len(served) == REQUESTS:
            break
        time.sleep(0.05)
    assert len(served) == REQUESTS
    assert len(set(served)) == 2, f"one process answered everything: {Counter(served)}"


def test_a_limit_counts_the_requests_of_both_processes(workers: ServerProcess) -> None:
    token = app_token(workers, "read")
    url = f"{workers.base_url}/api/v1/apps/verify_credentials?probe=limit"
    headers = {"Authorization": f"Bearer {token}"}
    sent = PER_TOKEN_LIMIT + 20
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: fresh_get(url, headers), range(sent)))
    # Counted per process, each would let PER_TOKEN_LIMIT through.
    counts = Counter(statuses)
    assert counts == {200: PER_TOKEN_LIMIT, 429: sent - PER_TOKEN_LIMIT}, first_error(workers)
    time.sleep(0.2)
    answered_by = {p for p, _, path, _ in access_lines(workers) if path.endswith("probe=limit")}
    assert len(answered_by) == 2, "the requests did not reach both processes"


async def _mail_jobs(url: str) -> list[tuple[str, int, str]]:
    db = Database(url)
    try:
        async with db.read() as conn:
            rows = await conn.execute(
                text("SELECT state, attempts, locked_by FROM jobs WHERE kind = 'send_email'")
            )
            return [(str(r[0]), int(r[1]), str(r[2])) for r in rows]
    finally:
        await db.dispose()


def test_each_job_runs_exactly_once(workers: ServerProcess) -> None:
    # Sign-ups at once: each queues a confirmation e-mail, and both workers poll for them.
    with ThreadPoolExecutor(6) as pool:
        users = list(pool.map(lambda _: register(workers, confirmed=False), range(SIGN_UPS)))
    for user in users:
        workers.wait_for_mail(user.email)
    time.sleep(0.5)  # a second run would write its e-mail within this
    sent = Counter(mail["To"] for mail in workers.mails())
    assert {user.email: sent[user.email] for user in users} == {u.email: 1 for u in users}
    jobs = asyncio.run(_mail_jobs(workers.database.url))
    assert len(jobs) >= SIGN_UPS
    assert all(state == "done" and attempts == 1 for state, attempts, _ in jobs), jobs


async def _lease_taken_over(url: str) -> list[bool]:
    db = Database(url)
    postgres = db.dialect == "postgresql"
    try:
        await db.migrate()
        async with db.write() as conn:
            job_id = await jobs.enqueue(conn, "send_email", {})
        async with db.write() as conn:  # worker a's lease runs out at once (a stalled process)
            first = await jobs.claim(conn, "a", timedelta(0), postgres)
        await asyncio.sleep(0.01)
        async with db.write() as conn:
            second = await jobs.claim(conn, "b", timedelta(minutes=5), postgres)
        async with db.write() as conn:
            nothing = await jobs.claim(conn, "c", timedelta(minutes=5), postgres)
        assert first is not None
        assert second is not None
        assert first.id == second.id == job_id
        assert nothing is None  # b holds a live lease
        async with db.write() as conn:
            return [
                await jobs.save_progress(conn, job_id, "a", {"at": 1}, second.run_at),
                await jobs.finish(conn, job_id, "a"),
                await jobs.fail(conn, job_id, "a", "late", None),
                await jobs.finish(conn, job_id, "b"),
            ]
    finally:
        await db.dispose()


def test_a_worker_that_lost_its_lease_leaves_the_job_alone(backend: str, tmp_path: Path) -> None:
    """A stalled worker whose job was claimed again can neither checkpoint nor settle it."""
    database = databases.TestDatabase(backend, tmp_path)
    try:
        assert asyncio.run(_lease_taken_over(database.url)) == [False, False, False, True]
    finally:
        database.drop()
