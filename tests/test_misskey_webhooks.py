"""i/webhooks/*: CRUD, and real deliveries to a local HTTP server with retries."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from support.misskey import MkUser, mk_user
from support.receiver import Receiver
from support.server import RunningServer


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


def _hook(user: MkUser, url: str, on: list[str], secret: str = "s3cret") -> dict[str, Any]:
    return dict(
        user.mk("i/webhooks/create", {"name": "hook", "url": url, "secret": secret, "on": on})
    )


def _wait_for_status(
    user: MkUser, hook_id: str, status: int, timeout: float = 15
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = user.mk("i/webhooks/show", {"webhookId": hook_id})
        if shown["latestStatus"] == status:
            return dict(shown)
        time.sleep(0.05)
    raise AssertionError(f"latestStatus never became {status}")


def test_crud_and_errors(server: RunningServer) -> None:
    user = mk_user(server)
    hook = _hook(user, "https://hooks.example/in", ["follow", "note"])
    assert hook["name"] == "hook"
    assert hook["on"] == ["follow", "note"]
    assert hook["secret"] == "s3cret"
    assert hook["active"] is True
    assert hook["latestSentAt"] is None
    assert hook["latestStatus"] is None
    assert user.mk("i/webhooks/list") == [hook]
    user.mk(
        "i/webhooks/update",
        {"webhookId": hook["id"], "name": "renamed", "on": ["mention"], "active": False},
    )
    shown = user.mk("i/webhooks/show", {"webhookId": hook["id"]})
    assert shown["name"] == "renamed"
    assert shown["on"] == ["mention"]
    assert shown["active"] is False
    assert shown["url"] == "https://hooks.example/in"
    user.mk("i/webhooks/update", {"webhookId": hook["id"], "secret": None})
    assert user.mk("i/webhooks/show", {"webhookId": hook["id"]})["secret"] == ""
    error = user.mk.error(
        "i/webhooks/create", {"name": "x", "url": "ftp://x", "on": []}, 400, "INVALID_PARAM"
    )
    assert error["info"]["param"] == "url"
    error = user.mk.error(
        "i/webhooks/create",
        {"name": "x", "url": "https://a.example", "on": ["poke"]},
        400,
        "INVALID_PARAM",
    )
    assert error["info"]["param"] == "on[0]"
    _hook(user, "https://hooks.example/2", ["note"])
    _hook(user, "https://hooks.example/3", ["note"])
    user.mk.error(
        "i/webhooks/create",
        {"name": "x", "url": "https://a.example", "on": []},
        400,
        "TOO_MANY_WEBHOOKS",
    )
    other = mk_user(server)
    for name in ("i/webhooks/show", "i/webhooks/delete", "i/webhooks/update"):
        other.mk.error(name, {"webhookId": hook["id"]}, 400, "NO_SUCH_WEBHOOK")
    other.mk.error(
        "i/webhooks/test", {"webhookId": hook["id"], "type": "note"}, 400, "NO_SUCH_WEBHOOK"
    )
    user.mk("i/webhooks/delete", {"webhookId": hook["id"]})
    user.mk.error("i/webhooks/show", {"webhookId": hook["id"]}, 400, "NO_SUCH_WEBHOOK")


def test_events_are_delivered_in_misskey_shape(server: RunningServer, receiver: Receiver) -> None:
    alice, bob = mk_user(server), mk_user(server)
    hook = _hook(alice, receiver.url + "/hook", ["followed", "follow", "note", "mention", "reply"])
    bob.mk("following/create", {"userId": alice.id})
    followed = receiver.wait_for(1)[0]
    assert followed.path == "/hook"
    assert followed.headers["x-misskey-hook-secret"] == "s3cret"
    assert followed.headers["x-misskey-hook-id"] == hook["id"]
    assert followed.headers["x-misskey-host"] == server.settings.domain
    assert followed.headers["user-agent"].startswith("Misskey-Hooks")
    assert followed.headers["content-type"] == "application/json"
    body = followed.body
    assert body["server"] == server.base_url
    assert body["hookId"] == hook["id"]
    assert body["userId"] == alice.id
    assert body["type"] == "followed"
    assert isinstance(body["createdAt"], int)
    assert body["eventId"]
    assert body["body"]["user"]["id"] == bob.id
    note = alice.mk("notes/create", {"text": "posted"})["createdNote"]
    received = receiver.wait_for(2)[1].body
    assert received["type"] == "note"
    assert received["body"]["note"]["id"] == note["id"]
    assert received["body"]["note"]["text"] == "posted"
    # Mastodon actions fire the same hooks.
    bob.mastodon.api.post("/api/v1/statuses", data={"status": f"hi @{alice.username}"})
    assert receiver.wait_for(3)[2].body["type"] == "mention"
    shown = _wait_for_status(alice, hook["id"], 200)
    assert shown["latestSentAt"] is not None
    # An inactive hook sends nothing.
    alice.mk("i/webhooks/update", {"webhookId": hook["id"], "active": False})
    alice.mk("notes/create", {"text": "quiet"})
    time.sleep(0.5)
    assert len(receiver.requests) == 3


def test_server_errors_are_retried_client_errors_are_not(make_server: Any) -> None:
    server = make_server(job_retry_base_seconds=0.1)
    user = mk_user(server)
    flaky = Receiver([500, 503, 200])
    gone = Receiver([404])
    try:
        retried = _hook(user, flaky.url, ["note"])
        final = _hook(user, gone.url, ["note"])
        user.mk("notes/create", {"text": "deliver me"})
        attempts = flaky.wait_for(3)
        assert len({a.body["eventId"] for a in attempts}) == 1  # the same event, again
        _wait_for_status(user, retried["id"], 200)
        gone.wait_for(1)
        _wait_for_status(user, final["id"], 404)
        time.sleep(0.5)
        assert len(gone.requests) == 1
    finally:
        flaky.close()
        gone.close()


def test_test_deliveries(server: RunningServer, receiver: Receiver) -> None:
    user = mk_user(server)
    hook = _hook(user, receiver.url + "/real", ["note", "follow"], secret="real-secret")
    user.mk("i/webhooks/test", {"webhookId": hook["id"], "type": "note"})
    first = receiver.wait_for(1)[0]
    assert first.path == "/real"
    assert first.body["type"] == "note"
    assert first.body["body"]["note"]["user"]["id"] == user.id
    assert first.headers["x-misskey-hook-secret"] == "real-secret"
    user.mk(
        "i/webhooks/test",
        {
            "webhookId": hook["id"],
            "type": "follow",
            "override": {"url": receiver.url + "/other", "secret": "other-secret"},
        },
    )
    second = receiver.wait_for(2)[1]
    assert second.path == "/other"
    assert second.headers["x-misskey-hook-secret"] == "other-secret"
    assert second.body["body"]["user"]["id"] == user.id
