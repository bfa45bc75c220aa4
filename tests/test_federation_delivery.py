"""Outgoing deliveries against a stub server on loopback: one POST per shared inbox however
many followers share it, signed deliveries, retries after failures, a paused server (the
circuit breaker) tried again later, and no retry after a permanent refusal."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from support.api import User, register
from support.federation import wait_for
from support.server import RunningServer, ServerProcess
from support.sql import execute
from tandem.core.actor_keys import new_key_pair
from tandem.federation.signatures import sign_request


class StubServer:
    """Actors `/users/<name>` with personal inboxes and one shared `/inbox`; POSTs are
    recorded, and answered with `answers` (a queue of statuses) then 202."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        self.posts: list[tuple[str, dict[str, str], dict[str, Any]]] = []  # accepted ones
        self.attempts: list[tuple[str, int, dict[str, Any]]] = []  # every POST, its answer
        self.answers: dict[str, list[int]] = {}
        self.lock = threading.RLock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = stub.pages.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/activity+json")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with stub.lock:
                    queue = stub.answers.get(self.path, [])
                    status = queue.pop(0) if queue else 202
                    stub.attempts.append((self.path, status, body))
                    if status == 202:
                        stub.posts.append((self.path, dict(self.headers.items()), body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def actor(self, name: str, shared: bool = True) -> tuple[str, str]:
        """Publish an actor (with the shared inbox, or only its own); (its id, its private
        key)."""
        private_pem, public_pem = new_key_pair()
        uri = f"{self.url}/users/{name}"
        document = {
            "id": uri,
            "type": "Person",
            "preferredUsername": name,
            "inbox": f"{uri}/inbox",
            "publicKey": {"id": f"{uri}#key", "owner": uri, "publicKeyPem": public_pem},
        }
        if shared:
            document["endpoints"] = {"sharedInbox": f"{self.url}/inbox"}
        self.pages[f"/users/{name}"] = json.dumps(document).encode()
        return uri, private_pem

    def received(self, kind: str, path: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [
                body
                for p, _, body in self.posts
                if body.get("type") == kind and (path is None or p == path)
            ]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def stub() -> Iterator[StubServer]:
    server = StubServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def tandem(backend: str) -> Iterator[RunningServer]:
    running = RunningServer(
        backend,
        delivery_retry_base_seconds=0.2,
        delivery_breaker_threshold=2,
        delivery_breaker_pause_seconds=0.5,
    ).start()
    yield running
    running.close()


def _actor_uri(server: RunningServer, user: User) -> str:
    r = httpx.get(
        f"{server.base_url}/.well-known/webfinger",
        params={"resource": f"acct:{user.username}@{server.settings.domain}"},
    )
    return str(next(link["href"] for link in r.json()["links"] if link["rel"] == "self"))


def remote_follow(
    server: RunningServer, stub: StubServer, name: str, target: str, shared: bool = True
) -> str:
    """A stub actor follows `target` (a signed Follow to the shared inbox)."""
    uri, private_pem = stub.actor(name, shared)
    activity = {"id": f"{uri}#follow", "type": "Follow", "actor": uri, "object": target}
    body = json.dumps(activity).encode()
    url = f"{server.base_url}/inbox"
    headers = sign_request(
        method="POST",
        url=url,
        key_id=f"{uri}#key",
        private_key_pem=private_pem,
        body=body,
        now=datetime.now(UTC),
        headers={"Content-Type": "application/activity+json"},
    )
    r = httpx.post(url, content=body, headers=headers)
    assert r.status_code == 202, r.text
    return uri


def test_one_delivery_per_shared_inbox_signed(tandem: RunningServer, stub: StubServer) -> None:
    author = register(tandem)
    target = _actor_uri(tandem, author)
    followers = [
        remote_follow(tandem, stub, f"shared{i}_{author.username}", target) for i in range(3)
    ]
    wait_for(
        lambda: author.api.get(f"/api/v1/accounts/{author.id}").json()["followers_count"] == 3,
        "three remote followers",
    )
    posted = author.api.post("/api/v1/statuses", json={"status": "to everyone"}).json()

    def creates() -> list[dict[str, Any]]:
        return [c for c in stub.received("Create") if c["object"]["content"] == posted["content"]]

    wait_for(creates, "the Create")
    time.sleep(0.5)  # (any duplicate would have arrived by now)
    with stub.lock:
        to_shared = [p for p, _, b in stub.posts if b.get("type") == "Create" and b == creates()[0]]
        headers = next(h for p, h, b in stub.posts if b == creates()[0])
    assert to_shared == ["/inbox"]  # once, to the shared inbox, for three followers
    assert len(followers) == 3
    signature = headers.get("Signature", "")
    assert 'algorithm="rsa-sha256"' in signature
    assert 'headers="(request-target) host date digest"' in signature
    assert headers["Digest"].startswith("SHA-256=")
    # Accepts went to each follower's own inbox.
    for uri in followers:
        assert stub.received("Accept", path=uri.removeprefix(stub.url) + "/inbox")


def test_failed_deliveries_are_retried_through_the_breaker(
    tandem: RunningServer, stub: StubServer
) -> None:
    author = register(tandem)
    name = f"flaky_{author.username}"
    remote_follow(tandem, stub, name, _actor_uri(tandem, author))
    wait_for(lambda: stub.received("Accept", path=f"/users/{name}/inbox"), "the Accept")
    # The shared inbox fails four times: the server is paused after two, then tried again.
    stub.answers["/inbox"] = [503, 503, 500, 503]
    posted = author.api.post("/api/v1/statuses", json={"status": "eventually"}).json()

    def arrived() -> list[dict[str, Any]]:
        return [c for c in stub.received("Create") if c["object"]["content"] == posted["content"]]

    wait_for(arrived, "the Create after retries", timeout=60)
    with stub.lock:
        tries = [s for p, s, b in stub.attempts if p == "/inbox" and b == arrived()[0]]
    assert tries == [503, 503, 500, 503, 202]  # four refusals, then the delivery


def test_permanent_refusal_is_not_retried(tandem: RunningServer, stub: StubServer) -> None:
    author = register(tandem)
    name = f"gone_{author.username}"
    uri = remote_follow(tandem, stub, name, _actor_uri(tandem, author))
    path = f"/users/{name}/inbox"
    wait_for(lambda: stub.received("Accept", path=path), "the Accept")
    follower_here = author.api.get(f"/api/v1/accounts/{author.id}/followers").json()[0]["id"]
    stub.answers[path] = [410]
    # A Block goes to the personal inbox: refused for good, it is not tried again.
    assert author.api.post(f"/api/v1/accounts/{follower_here}/block").status_code == 200
    wait_for(
        lambda: any(p == path and b.get("type") == "Block" for p, _, b in stub.attempts),
        "the Block",
    )
    time.sleep(1.5)  # several retry delays
    with stub.lock:
        blocks = [s for p, s, b in stub.attempts if p == path and b.get("type") == "Block"]
    assert blocks == [410]
    assert uri


def test_many_inboxes_each_get_one_delivery(tandem: RunningServer, stub: StubServer) -> None:
    """More inboxes than delivery lanes (8): the worker claims them a few at a time and marks
    them done together; each inbox gets the post once and no delivery job is left over."""
    author = register(tandem)
    target = _actor_uri(tandem, author)
    names = [f"own{i}_{author.username}" for i in range(13)]
    for name in names:
        remote_follow(tandem, stub, name, target, shared=False)
    wait_for(
        lambda: author.api.get(f"/api/v1/accounts/{author.id}").json()["followers_count"] == 13,
        "thirteen remote followers",
    )
    text = f"to each inbox of {author.username}"  # (the stub serves both backends' runs)
    posted = author.api.post("/api/v1/statuses", json={"status": text}).json()

    def paths() -> list[str]:
        with stub.lock:
            return [
                p
                for p, _, b in stub.posts
                if b.get("type") == "Create" and b["object"]["content"] == posted["content"]
            ]

    wait_for(lambda: len(paths()) >= 13, "thirteen Creates")

    def left() -> list[tuple[object, ...]]:
        return execute(
            tandem,
            "SELECT state, COUNT(*) FROM jobs WHERE kind = 'ap_deliver' "
            "AND state IN ('queued', 'running') GROUP BY state",
        )

    wait_for(lambda: not left(), "every delivery marked done")
    assert sorted(paths()) == sorted(f"/users/{name}/inbox" for name in names)


def test_deliveries_in_a_process_of_their_own(backend: str, stub: StubServer) -> None:
    """`delivery_process`: `tandem serve` starts `tandem deliveries` beside its worker, which
    sends the deliveries (its own log line says so); the worker runs the rest of the queue
    (the Accept of a follow is queued by the inbox job there); and the process stops with the
    server."""
    server = ServerProcess(backend, delivery_process=True).start()
    try:
        author = register(server)
        name = f"proc_{author.username}"
        remote_follow(server, stub, name, _actor_uri(server, author), shared=False)
        wait_for(lambda: stub.received("Accept", path=f"/users/{name}/inbox"), "the Accept")
        text = f"from the delivery process {author.username}"
        author.api.post("/api/v1/statuses", json={"status": text})
        wait_for(
            lambda: [c for c in stub.received("Create") if text in c["object"]["content"]],
            "the Create",
        )
        log = (server.data_dir / "server.log").read_text()
        found = re.search(r"\[(\d+)\] INFO tandem.jobs: deliveries run in this process", log)
        assert found is not None, log[-2000:]
        pid = int(found.group(1))
    finally:
        server.stop()

    def gone() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    wait_for(gone, "the delivery process to stop with the server")
