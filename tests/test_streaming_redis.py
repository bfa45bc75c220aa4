"""With `redis_url` set, the realtime streams of several servers share events: a change made
through server A reaches a stream held on server B (two servers on one database and one
Redis, as two `tandem serve` processes or hosts)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import connect

from support.misskey import mk_user
from support.server import RunningServer
from test_misskey_streaming import channel_event, open_channel, post, send, wait_for, ws_url


def _redis_db() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    return 2 + (int(worker) if worker.isdigit() else 0) % 14


REDIS_URL = f"redis://127.0.0.1:6379/{_redis_db()}"


@pytest.fixture(scope="module")
def servers(backend: str) -> Iterator[tuple[RunningServer, RunningServer]]:
    a = RunningServer(backend, redis_url=REDIS_URL).start()
    b: RunningServer | None = None
    try:
        b = RunningServer(  # as another process of the same host: one database, one folder
            backend,
            redis_url=REDIS_URL,
            database_url=a.database.url,
            data_dir=a.data_dir,
            domain=a.settings.domain,
        ).start()
        yield a, b
    finally:
        if b is not None:
            b.close()
        a.close()


def test_an_event_raised_on_one_server_reaches_a_stream_on_another(
    servers: tuple[RunningServer, RunningServer],
) -> None:
    a, b = servers
    reader, writer = mk_user(a), mk_user(a)

    async def scenario() -> None:
        async with connect(ws_url(b, reader.token)) as ws:
            main = await open_channel(ws, "main")
            local = await open_channel(ws, "localTimeline")
            writer.mk("following/create", {"userId": reader.id})  # through server A
            got = await wait_for(ws, channel_event(main, "notification"))
            assert got["body"]["body"]["type"] == "follow"
            assert got["body"]["body"]["userId"] == writer.id
            note = post(writer, "across processes")
            got = await wait_for(ws, channel_event(local, "note"))
            assert got["body"]["body"]["id"] == note["id"]
            # The last listener leaving a topic and a new one coming back still hears it.
            await send(ws, "disconnect", {"id": local})
            local = await open_channel(ws, "localTimeline")
            await asyncio.sleep(0.2)
            note = post(writer, "again")
            got = await wait_for(ws, channel_event(local, "note"))
            assert got["body"]["body"]["id"] == note["id"]

    asyncio.run(scenario())


def test_home_fan_out_reaches_streams_on_both_servers(
    servers: tuple[RunningServer, RunningServer],
) -> None:
    a, b = servers
    author, on_a, on_b = mk_user(a), mk_user(a), mk_user(a)
    on_a.mk("following/create", {"userId": author.id})
    on_b.mk("following/create", {"userId": author.id})

    async def scenario() -> None:
        async with connect(ws_url(a, on_a.token)) as ws_a, connect(ws_url(b, on_b.token)) as ws_b:
            home_a = await open_channel(ws_a, "homeTimeline")
            home_b = await open_channel(ws_b, "homeTimeline")
            note = post(author, "to every follower")
            got_a = await wait_for(ws_a, channel_event(home_a, "note"))
            got_b = await wait_for(ws_b, channel_event(home_b, "note"))
            assert got_a["body"]["body"]["id"] == got_b["body"]["body"]["id"] == note["id"]

    asyncio.run(scenario())
