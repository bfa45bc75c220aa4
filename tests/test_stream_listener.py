"""The streaming listener on `stream_port`: Misskey and Mastodon websockets served by the
light listener (not the main server), its refusals (an HTTP 401, a 404 for other paths),
its health answer, and the instance documents pointing Mastodon clients at it."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as connect_async
from websockets.sync.client import connect

from support.api import register
from support.misskey import mk_user
from support.server import RunningServer, free_port

WAIT = 5.0


@pytest.fixture(scope="module")
def listening(backend: str) -> Iterator[RunningServer]:
    """A server of its own with `stream_port` set (its listener runs in the app's lifespan)."""
    running = RunningServer(backend, stream_port=free_port()).start()
    yield running
    running.close()


def stream_base(server: RunningServer) -> str:
    return f"ws://127.0.0.1:{server.settings.stream_port}"


async def recv_until(ws: ClientConnection, type: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT
    while True:
        frame = orjson.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if frame["type"] == type:
            return dict(frame)


def test_a_misskey_stream_hears_a_local_note(listening: RunningServer) -> None:
    me, author = mk_user(listening), mk_user(listening)

    async def scenario() -> None:
        url = f"{stream_base(listening)}/streaming?i={me.token}"
        async with connect_async(url) as ws:
            id = uuid.uuid4().hex
            frame = {"channel": "localTimeline", "id": id, "pong": True}
            await ws.send(orjson.dumps({"type": "connect", "body": frame}).decode())
            assert (await recv_until(ws, "connected"))["body"] == {"id": id}
            note = author.mk("notes/create", {"text": "over the listener"})["createdNote"]
            got = await recv_until(ws, "channel")
            assert got["body"]["id"] == id
            assert got["body"]["type"] == "note"
            assert got["body"]["body"]["id"] == note["id"]
            assert got["body"]["body"]["text"] == "over the listener"

    asyncio.run(scenario())


def test_a_bad_misskey_token_is_an_http_401(listening: RunningServer) -> None:
    async def scenario() -> None:
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with connect_async(f"{stream_base(listening)}/streaming?i=not-a-token"):
                pass
        response = refused.value.response
        assert response.status_code == 401
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]

    asyncio.run(scenario())


def test_a_mastodon_notification_stream_hears_a_follow(listening: RunningServer) -> None:
    alice, bob = register(listening), register(listening)
    url = f"{stream_base(listening)}/api/v1/streaming?stream=user:notification"
    with connect(url, additional_headers={"Authorization": f"Bearer {alice.token}"}) as ws:
        ws.send(json.dumps({"type": "subscribe", "stream": "no-such-stream"}))  # settle
        assert json.loads(ws.recv(timeout=WAIT))["status"] == 400
        r = bob.api.post(f"/api/v1/accounts/{alice.id}/follow")
        assert r.status_code == 200, r.text
        deadline = time.monotonic() + WAIT
        while True:
            message = json.loads(ws.recv(timeout=deadline - time.monotonic()))
            if message.get("event") == "notification":
                break
    assert message["stream"] == ["user:notification"]
    payload = json.loads(message["payload"])
    assert payload["type"] == "follow"
    assert payload["account"]["id"] == bob.id


def test_a_mastodon_token_as_subprotocol_is_echoed(listening: RunningServer) -> None:
    alice = register(listening)
    url = f"{stream_base(listening)}/api/v1/streaming?stream=user"
    with connect(url, subprotocols=[alice.token]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == alice.token
        ws.send(json.dumps({"type": "subscribe", "stream": "no-such-stream"}))
        assert json.loads(ws.recv(timeout=WAIT))["status"] == 400
    bad = {"Authorization": "Bearer not-a-token"}
    with pytest.raises(websockets.InvalidStatus) as refused, connect(url, additional_headers=bad):
        pass
    assert refused.value.response.status_code == 401


def test_other_paths_are_404_and_health_is_ok(listening: RunningServer) -> None:
    port = listening.settings.stream_port
    elsewhere = f"ws://127.0.0.1:{port}/api/v1/instance"
    with pytest.raises(websockets.InvalidStatus) as refused, connect(elsewhere):
        pass
    assert refused.value.response.status_code == 404
    r = httpx.get(f"http://127.0.0.1:{port}/api/v1/timelines/public")
    assert r.status_code == 404
    r = httpx.get(f"http://127.0.0.1:{port}/api/v1/streaming/health")
    assert r.status_code == 200
    assert r.text == "OK"
    r = httpx.get(f"http://127.0.0.1:{port}/streaming")  # not an upgrade
    assert r.status_code == 426


def test_bad_frames_close_the_connection_cleanly(listening: RunningServer) -> None:
    url = f"{stream_base(listening)}/api/v1/streaming"
    with connect(url, max_size=None) as ws:
        ws.send("x" * (64 * 1024 + 1))  # too big
        with pytest.raises(websockets.ConnectionClosed) as closed:
            ws.recv(timeout=WAIT)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1009
    with socket.create_connection(("127.0.0.1", listening.settings.stream_port)) as raw:
        raw.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        raw.settimeout(WAIT)
        assert raw.recv(100) == b""  # closed, not hanging


def test_the_instance_points_mastodon_clients_at_the_listener(
    listening: RunningServer, server: RunningServer
) -> None:
    port = listening.settings.stream_port
    v1 = httpx.get(f"{listening.base_url}/api/v1/instance").json()
    assert v1["urls"]["streaming_api"] == f"ws://127.0.0.1:{port}"
    v2 = httpx.get(f"{listening.base_url}/api/v2/instance").json()
    assert v2["configuration"]["urls"]["streaming"] == f"ws://127.0.0.1:{port}"
    plain = httpx.get(f"{server.base_url}/api/v2/instance").json()  # no stream_port
    assert plain["configuration"]["urls"]["streaming"] == f"ws://127.0.0.1:{server.port}"


def test_streaming_url_is_what_the_instance_advertises(backend: str) -> None:
    """Behind a proxy that routes the streaming upgrades (README), the origin is advertised."""
    from tandem.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="streaming_url"):
        load_settings(streaming_url="https://streams.example/x")
    proxied = RunningServer(
        backend, stream_port=free_port(), streaming_url="wss://social.example"
    ).start()
    try:
        v1 = httpx.get(f"{proxied.base_url}/api/v1/instance").json()
        assert v1["urls"]["streaming_api"] == "wss://social.example"
        v2 = httpx.get(f"{proxied.base_url}/api/v2/instance").json()
        assert v2["configuration"]["urls"]["streaming"] == "wss://social.example"
    finally:
        proxied.close()


def test_pings_keep_live_connections_and_drop_silent_ones(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tandem.api import stream_listener

    monkeypatch.setattr(stream_listener, "PING_SECONDS", 0.3)
    quick = RunningServer(backend, stream_port=free_port()).start()
    try:
        port = quick.settings.stream_port
        with connect(f"ws://127.0.0.1:{port}/api/v1/streaming") as live:  # answers pings
            with socket.create_connection(("127.0.0.1", port)) as silent:
                silent.sendall(
                    b"GET /api/v1/streaming HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                    b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    b"Sec-WebSocket-Version: 13\r\n\r\n"
                )
                silent.settimeout(WAIT)
                received = b""
                while True:  # the handshake, then pings, then the end: never answered
                    chunk = silent.recv(4096)
                    if not chunk:
                        break
                    received += chunk
                assert received.startswith(b"HTTP/1.1 101 ")
                assert b"\x89\x00" in received  # an unmasked ping with no payload
            time.sleep(1)  # several sweeps
            live.send(json.dumps({"type": "subscribe", "stream": "no-such-stream"}))
            assert json.loads(live.recv(timeout=WAIT))["status"] == 400
    finally:
        quick.close()
