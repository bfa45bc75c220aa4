"""Private messages between the dialects: a Misskey client's specified note (visibleUserIds)
and a Mastodon client's direct status (a mention) are the same thing in tandem's store, so
each side reads the other's in its own way (Mastodon's conversations and `direct` stream,
Misskey's mentions), both ways."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.sync.client import connect

from support.api import User, register
from support.misskey import MkUser, mk_user
from support.server import RunningServer


def _accept_strangers(user: User) -> None:
    """Direct messages from strangers join conversations at once (by default they wait in a
    notification request: tests/test_notification_requests.py)."""
    r = user.api.patch("/api/v2/notifications/policy", data={"for_private_mentions": "accept"})
    assert r.status_code == 200, r.text


@pytest.fixture
def pair(server: RunningServer) -> tuple[User, MkUser]:
    mastodon_side = register(server, display_name="Masto")
    misskey_side = mk_user(server, display_name="Missy")
    _accept_strangers(mastodon_side)
    _accept_strangers(misskey_side.mastodon)
    return mastodon_side, misskey_side


def conversations(user: User) -> list[dict[str, Any]]:
    r = user.api.get("/api/v1/conversations")
    assert r.status_code == 200, r.text
    return list(r.json())


def test_misskey_specified_note_reaches_a_mastodon_user(
    server: RunningServer, pair: tuple[User, MkUser]
) -> None:
    masto, missy = pair
    base = server.base_url.replace("http://", "ws://", 1)
    headers = {"Authorization": f"Bearer {masto.token}"}
    with connect(f"{base}/api/v1/streaming?stream=direct", additional_headers=headers) as ws:
        ws.send(json.dumps({"type": "subscribe", "stream": "nonsense"}))  # settled once answered
        assert json.loads(ws.recv(timeout=5))["status"] == 400
        note = missy.mk(
            "notes/create",
            {"text": "just for you", "visibility": "specified", "visibleUserIds": [masto.id]},
        )["createdNote"]
        message = json.loads(ws.recv(timeout=5))
    assert message["stream"] == ["direct"]
    assert message["event"] == "conversation"
    streamed = json.loads(message["payload"])
    assert streamed["last_status"]["id"] == note["id"]
    assert [a["id"] for a in streamed["accounts"]] == [missy.id]
    assert streamed["unread"] is True

    theirs = conversations(masto)
    assert [c["last_status"]["id"] for c in theirs] == [note["id"]]
    assert theirs[0]["last_status"]["visibility"] == "direct"
    assert [a["id"] for a in theirs[0]["accounts"]] == [missy.id]
    r = masto.api.get(f"/api/v1/statuses/{note['id']}")
    assert r.status_code == 200, r.text
    # The author's own conversation (read through the Mastodon API) names the recipient.
    mine = conversations(missy.mastodon)
    assert [c["last_status"]["id"] for c in mine] == [note["id"]]
    assert [a["id"] for a in mine[0]["accounts"]] == [masto.id]


def test_mastodon_direct_status_reaches_a_misskey_user(
    server: RunningServer, pair: tuple[User, MkUser]
) -> None:
    masto, missy = pair
    r = masto.api.post(
        "/api/v1/statuses", json={"status": f"@{missy.username} psst", "visibility": "direct"}
    )
    assert r.status_code == 200, r.text
    status = r.json()
    shown = missy.mk("notes/show", {"noteId": status["id"]})
    assert shown["visibility"] == "specified"
    assert missy.id in shown["visibleUserIds"]
    # Misskey clients learn of it as a mention (tandem has no notes/mentions yet).
    found = missy.mk("i/notifications", {"includeTypes": ["mention"]})
    assert [n["note"]["id"] for n in found] == [status["id"]]
    # The Misskey side answers with a specified note: one conversation on both sides.
    reply = missy.mk(
        "notes/create",
        {
            "text": "got it",
            "visibility": "specified",
            "visibleUserIds": [masto.id],
            "replyId": status["id"],
        },
    )["createdNote"]
    mine = conversations(masto)
    assert len(mine) == 1
    assert mine[0]["last_status"]["id"] == reply["id"]
    assert mine[0]["unread"] is True
    theirs = conversations(missy.mastodon)
    assert len(theirs) == 1
    assert theirs[0]["last_status"]["id"] == reply["id"]
    # Nobody else sees either.
    stranger = register(server)
    for note_id in (status["id"], reply["id"]):
        assert stranger.api.get(f"/api/v1/statuses/{note_id}").status_code == 404
