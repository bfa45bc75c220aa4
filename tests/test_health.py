"""`/health` (liveness) and `/health/ready` (database, migrations, job worker)."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest

from support.server import RunningServer
from tandem.app import create_app
from tandem.config import DEFAULT_THROTTLES


def get(server: RunningServer, path: str) -> httpx.Response:
    return httpx.get(f"{server.base_url}{path}", timeout=30)


def test_liveness(server: RunningServer) -> None:
    r = get(server, "/health")
    assert r.status_code == 200
    assert r.text == "OK"  # as Mastodon answers
    assert httpx.head(f"{server.base_url}/health").status_code == 200
    assert get(server, "/health/").status_code == 200


def test_ready(server: RunningServer) -> None:
    r = get(server, "/health/ready")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ok"
    assert "failed" not in body
    assert body["database"]["ok"] is True
    assert body["database"]["dialect"] == server.backend
    assert body["migrations"]["ok"] is True
    assert body["migrations"]["database"] == body["migrations"]["code"]
    assert body["worker"] == {"ok": True, "state": "running"}
    assert r.headers["cache-control"] == "no-store"


def test_probes_are_not_rate_limited(make_server: Callable[..., RunningServer]) -> None:
    server = make_server(rate_limits_enabled=True, throttles=DEFAULT_THROTTLES)
    with httpx.Client(base_url=server.base_url) as client:
        for _ in range(400):
            assert client.get("/health").status_code == 200
        assert client.get("/health/ready").status_code == 200


def test_stopped_worker_is_not_ready(make_server: Callable[..., RunningServer]) -> None:
    server = make_server()
    assert get(server, "/health/ready").status_code == 200
    assert server._server is not None
    app: Any = server._server.config.app
    worker = app.state.worker
    loop = worker._task.get_loop()  # the server thread's event loop
    asyncio.run_coroutine_threadsafe(worker.stop(), loop).result(timeout=30)
    r = get(server, "/health/ready")
    assert r.status_code == 503, r.text
    body = r.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["worker"]
    assert body["worker"] == {"ok": False, "state": "stopped"}
    assert body["database"]["ok"] is True
    assert get(server, "/health").status_code == 200  # alive, just not ready


def test_disabled_worker_is_still_ready(
    make_server: Callable[..., RunningServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Configured without a worker (another process runs the jobs): ready, and it says so.
    monkeypatch.setattr(
        "support.server.create_app", functools.partial(create_app, run_worker=False)
    )
    server = make_server()
    r = get(server, "/health/ready")
    assert r.status_code == 200, r.text
    assert r.json()["worker"] == {"ok": True, "state": "disabled"}


async def _set_revision_pg(url: str, revision: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("UPDATE alembic_version SET version_num = $1", revision)
    finally:
        await conn.close()


def test_database_behind_the_code_is_not_ready(make_server: Callable[..., RunningServer]) -> None:
    server = make_server()
    url = server.database.url
    if server.backend == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '0001'")
    else:
        asyncio.run(_set_revision_pg(url, "0001"))
    r = get(server, "/health/ready")
    assert r.status_code == 503, r.text
    body = r.json()
    assert body["failed"] == ["migrations"]
    assert body["migrations"]["ok"] is False
    assert body["migrations"]["database"] == ["0001"]
    assert body["migrations"]["code"] != ["0001"]


def test_database_gone_is_not_ready(make_server: Callable[..., RunningServer]) -> None:
    server = make_server()
    if server.backend != "postgresql":
        pytest.skip("a SQLite file stays readable to the process that has it open")
    assert get(server, "/health/ready").status_code == 200
    server.database.drop(wait=True)  # ends the server's connections, drops the database
    r = get(server, "/health/ready")
    assert r.status_code == 503, r.text
    body = r.json()
    assert "database" in body["failed"]
    assert body["database"]["ok"] is False
    assert body["database"]["error"]
    assert get(server, "/health").status_code == 200
