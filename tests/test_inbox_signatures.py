"""The inbox refuses what is not signed by the activity's actor: a tampered body, a wrong
key, an expired date, a replayed request; and it picks up a key the actor rotated. The remote
actor is a static site on loopback serving its actor document (the test holds its key)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from support.api import register
from support.server import RunningServer
from support.site import Site
from tandem.core.actor_keys import new_key_pair
from tandem.federation.signatures import sign_request, sign_request_rfc9421


class RemoteActor:
    """An actor document on a loopback site, with a key pair the test signs with."""

    def __init__(self, site: Site, name: str) -> None:
        self.site = site
        self.uri = f"{site.url}/users/{name}"
        self.name = name
        self.key_id = f"{self.uri}#main-key"
        self.rotate()

    def rotate(self) -> None:
        self.private_pem, public_pem = new_key_pair()
        doc = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.uri,
            "type": "Person",
            "preferredUsername": self.name,
            "inbox": f"{self.uri}/inbox",
            "publicKey": {"id": self.key_id, "owner": self.uri, "publicKeyPem": public_pem},
        }
        self.site.pages[f"/users/{self.name}"] = (
            "application/activity+json",
            json.dumps(doc).encode(),
        )


@pytest.fixture(scope="module")
def remote() -> Iterator[Site]:
    site = Site()
    yield site
    site.close()


def _follow(actor: RemoteActor, target_uri: str) -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor.uri}#follow-{time.monotonic_ns()}",
        "type": "Follow",
        "actor": actor.uri,
        "object": target_uri,
    }


def _post(
    server: RunningServer,
    actor: RemoteActor,
    activity: dict[str, Any],
    *,
    body: bytes | None = None,
    now: datetime | None = None,
    private_pem: str | None = None,
    rfc9421: bool = False,
) -> tuple[httpx.Response, dict[str, str], bytes]:
    url = f"{server.base_url}/inbox"
    raw = json.dumps(activity).encode()
    sign = sign_request_rfc9421 if rfc9421 else sign_request
    headers = sign(
        method="POST",
        url=url,
        key_id=actor.key_id,
        private_key_pem=private_pem or actor.private_pem,
        body=raw,
        now=now or datetime.now(UTC),
        headers={"Content-Type": "application/activity+json"},
    )
    sent = body if body is not None else raw
    return httpx.post(url, content=sent, headers=headers, timeout=30), headers, sent


def _target(server: RunningServer) -> str:
    user = register(server)
    r = httpx.get(
        f"{server.base_url}/.well-known/webfinger",
        params={"resource": f"acct:{user.username}@{server.settings.domain}"},
    )
    return next(link["href"] for link in r.json()["links"] if link["rel"] == "self")


@pytest.mark.parametrize("rfc9421", [False, True], ids=["cavage", "rfc9421"])
def test_signed_activity_is_accepted(server: RunningServer, remote: Site, rfc9421: bool) -> None:
    actor = RemoteActor(remote, f"ok{int(rfc9421)}{time.monotonic_ns()}")
    r, _, _ = _post(server, actor, _follow(actor, _target(server)), rfc9421=rfc9421)
    assert r.status_code == 202, r.text


def test_unsigned_and_tampered_requests_are_refused(server: RunningServer, remote: Site) -> None:
    actor = RemoteActor(remote, f"tamper{time.monotonic_ns()}")
    activity = _follow(actor, _target(server))
    unsigned = httpx.post(
        f"{server.base_url}/inbox",
        content=json.dumps(activity),
        headers={"Content-Type": "application/activity+json"},
    )
    assert unsigned.status_code == 401
    assert "not signed" in unsigned.json()["error"]
    tampered = json.dumps({**activity, "object": "https://elsewhere.example/users/x"}).encode()
    r, _, _ = _post(server, actor, activity, body=tampered)
    assert r.status_code == 401, r.text
    assert "digest" in r.json()["error"].lower()


def test_wrong_key_and_other_actor_are_refused(server: RunningServer, remote: Site) -> None:
    actor = RemoteActor(remote, f"wrong{time.monotonic_ns()}")
    other_private, _ = new_key_pair()
    r, _, _ = _post(server, actor, _follow(actor, _target(server)), private_pem=other_private)
    assert r.status_code == 401, r.text
    # Signed by one actor, claiming to be another: refused.
    impostor = RemoteActor(remote, f"impostor{time.monotonic_ns()}")
    activity = {**_follow(actor, _target(server)), "actor": impostor.uri}
    r, _, _ = _post(server, actor, activity)
    assert r.status_code == 401, r.text
    assert "actor" in r.json()["error"]


def test_expired_and_future_dates_are_refused(server: RunningServer, remote: Site) -> None:
    actor = RemoteActor(remote, f"late{time.monotonic_ns()}")
    target = _target(server)
    for skew in (timedelta(hours=-3), timedelta(hours=3)):
        r, _, _ = _post(server, actor, _follow(actor, target), now=datetime.now(UTC) + skew)
        assert r.status_code == 401, r.text


def test_replayed_request_is_refused(server: RunningServer, remote: Site) -> None:
    actor = RemoteActor(remote, f"replay{time.monotonic_ns()}")
    r, headers, body = _post(server, actor, _follow(actor, _target(server)))
    assert r.status_code == 202, r.text
    again = httpx.post(f"{server.base_url}/inbox", content=body, headers=headers)
    assert again.status_code == 401
    assert "replay" in again.json()["error"]


def test_rotated_key_is_picked_up(server: RunningServer, remote: Site) -> None:
    actor = RemoteActor(remote, f"rotate{time.monotonic_ns()}")
    target = _target(server)
    r, _, _ = _post(server, actor, _follow(actor, target))
    assert r.status_code == 202, r.text  # the key is now stored
    actor.rotate()  # the actor publishes a new key; the stored one no longer verifies
    r, _, _ = _post(server, actor, _follow(actor, target))
    assert r.status_code == 202, r.text
    # The old key is gone: a request signed with it is refused.
    stale_private, _ = new_key_pair()
    r, _, _ = _post(server, actor, _follow(actor, target), private_pem=stale_private)
    assert r.status_code == 401


def test_oversized_and_malformed_bodies(server: RunningServer) -> None:
    big = httpx.post(
        f"{server.base_url}/inbox",
        content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/activity+json"},
    )
    assert big.status_code == 413
    for body in (b"not json", b"[]", b'{"type": "Follow"}'):
        r = httpx.post(
            f"{server.base_url}/inbox",
            content=body,
            headers={"Content-Type": "application/activity+json"},
        )
        assert r.status_code == 400, (body, r.text)
