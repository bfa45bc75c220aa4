"""Announcements in the Mastodon dialect (/api/v1/announcements, dismiss, reactions) over the
rows Misskey's moderators write, and the stream events of both dialects. The module has a
server of its own (its announcements would show on every other test's users)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from websockets.asyncio.client import connect

from support.api import Api
from support.cli import tandem
from support.images import png
from support.misskey import MkUser, mk_user
from support.schemas import errors
from support.server import RunningServer
from test_mastodon_streaming import socket
from test_misskey_streaming import open_channel, wait_for, ws_url

RECOGNIZED = "Validation failed: Name is not a recognized emoji"


@dataclass
class World:
    server: RunningServer
    moderator: MkUser
    emoji: str

    def create(self, **fields: Any) -> dict[str, Any]:
        body = {"title": "Hello", "text": "Some news", "imageUrl": None, **fields}
        return dict(self.moderator.mk("admin/announcements/create", body))


@pytest.fixture(scope="module")
def world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    running = RunningServer(backend).start()
    moderator = mk_user(running)
    tandem(running, "admin", "set-role", moderator.username, "admin")
    image = tmp_path_factory.mktemp("emoji") / "e.png"
    image.write_bytes(png(32, 32))
    emoji = f"party{time.monotonic_ns() % 10**6}"
    tandem(running, "emoji", "add", emoji, str(image))
    yield World(running, moderator, emoji)
    running.close()


def listed(api: Api, query: str = "") -> dict[str, dict[str, Any]]:
    r = api.get(f"/api/v1/announcements{query}")
    assert r.status_code == 200, r.text
    return {a["id"]: a for a in r.json()}


def test_the_list_is_mastodons_entity_and_needs_a_user(world: World) -> None:
    bob = mk_user(world.server)
    made = world.create(
        title="Party", text=f"Hello @{bob.username} #cats :{world.emoji}: https://example.com/x"
    )
    alice = mk_user(world.server).mastodon
    shown = listed(alice.api)[made["id"]]
    assert errors("Announcement", shown) == []
    assert shown["content"].startswith("<p><strong>Party</strong></p><p>Hello ")
    assert f"/@{bob.username}" in shown["content"]
    assert [m["username"] for m in shown["mentions"]] == [bob.username]
    assert shown["tags"][0]["name"] == "cats"
    assert [e["shortcode"] for e in shown["emojis"]] == [world.emoji]
    assert shown["read"] is False
    assert shown["reactions"] == []
    assert shown["starts_at"] is None
    assert shown["all_day"] is False
    r = Api(world.server).get("/api/v1/announcements")
    assert r.status_code == 422, r.text
    assert r.json() == {"error": "This method requires an authenticated user"}


def test_dismiss_is_a_misskey_read(world: World) -> None:
    made = world.create(title="Read me")
    user = mk_user(world.server)
    api = user.mastodon.api
    assert api.post(f"/api/v1/announcements/{made['id']}/dismiss").json() == {}
    assert api.post(f"/api/v1/announcements/{made['id']}/dismiss").status_code == 200  # again
    assert listed(api)[made["id"]]["read"] is True  # still listed, as Mastodon does
    assert made["id"] not in listed(api, "?with_dismissed=false")
    assert user.mk("announcements/show", {"announcementId": made["id"]})["isRead"] is True
    assert made["id"] not in [a["id"] for a in user.mk("i")["unreadAnnouncements"]]
    r = api.post("/api/v1/announcements/99999/dismiss")
    assert r.status_code == 404
    assert r.json() == {"error": "Record not found"}
    assert api.post("/api/v1/announcements/nope/dismiss").status_code == 404


def test_only_active_published_ones_for_the_user_are_listed(world: World) -> None:
    bob, carol = mk_user(world.server), mk_user(world.server)
    mine = world.create(title="Bob's", userId=bob.id)
    off = world.create(title="Off")
    world.moderator.mk("admin/announcements/update", {"id": off["id"], "isActive": False})
    past = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    ended = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    done = tandem(
        world.server, "admin", "announcement", "create", "Over", "Gone",
        "--starts-at", past, "--ends-at", ended,
    )  # fmt: skip
    over = done.stdout.split()[1]
    draft = tandem(world.server, "admin", "announcement", "create", "Draft", "x", "--unpublished")
    draft_id = draft.stdout.split()[1]
    for_bob, for_carol = listed(bob.mastodon.api), listed(carol.mastodon.api)
    assert mine["id"] in for_bob
    assert mine["id"] not in for_carol
    for gone in (off["id"], over, draft_id):
        assert gone not in for_bob
    r = carol.mastodon.api.post(f"/api/v1/announcements/{mine['id']}/dismiss")
    assert r.status_code == 404
    r = carol.mastodon.api.post(f"/api/v1/announcements/{draft_id}/dismiss")
    assert r.status_code == 404
    for gone in (off["id"], over):  # inactive: as unpublished to Mastodon
        assert carol.mastodon.api.post(f"/api/v1/announcements/{gone}/dismiss").status_code == 404
        r = carol.mastodon.api.put(f"/api/v1/announcements/{gone}/reactions/👍")
        assert r.status_code == 404
    # Misskey lists the ended one among the inactive ones.
    inactive = [a["id"] for a in carol.mk("announcements", {"isActive": False, "limit": 100})]
    assert over in inactive


def test_reactions(world: World) -> None:
    made = world.create(title="React")
    alice, bob = mk_user(world.server).mastodon, mk_user(world.server).mastodon
    base = f"/api/v1/announcements/{made['id']}/reactions"
    assert alice.api.put(f"{base}/👍").json() == {}
    assert alice.api.put(f"{base}/👍").status_code == 200  # a repeated PUT changes nothing
    assert bob.api.put(f"{base}/👍").status_code == 200
    assert bob.api.put(f"{base}/{world.emoji}").status_code == 200
    shown = listed(alice.api)[made["id"]]
    assert errors("Announcement", shown) == []
    thumbs, custom = shown["reactions"]
    assert (thumbs["name"], thumbs["count"], thumbs["me"], thumbs["url"]) == ("👍", 2, True, None)
    assert (custom["name"], custom["count"], custom["me"]) == (world.emoji, 1, False)
    assert custom["url"].endswith(".png")
    r = alice.api.put(f"{base}/notanemoji")
    assert r.status_code == 422
    assert r.json()["error"] == RECOGNIZED
    assert alice.api.put("/api/v1/announcements/99999/reactions/👍").status_code == 404
    assert alice.api.delete(f"{base}/👍").status_code == 200
    assert alice.api.delete(f"{base}/👍").status_code == 404  # none left to remove
    assert listed(alice.api)[made["id"]]["reactions"][0]["count"] == 1
    for emoji in "😀😁😂🤣😃😄":  # up to 8 distinct reactions
        assert bob.api.put(f"{base}/{emoji}").status_code == 200
    r = bob.api.put(f"{base}/😅")
    assert r.status_code == 422
    assert r.json()["error"] == "Validation failed: Limit of different reactions reached"
    assert alice.api.put(f"{base}/😀").status_code == 200  # an existing one is still fine


def test_misskey_streams_hear_of_announcements(world: World) -> None:
    bob = mk_user(world.server)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        async with (
            connect(ws_url(world.server)) as anon,
            connect(ws_url(world.server, bob.token)) as ws,
        ):
            main = await open_channel(ws, "main")
            await open_channel(anon, "localTimeline")  # (acknowledged: the connection is up)
            made = await asyncio.to_thread(world.create, title="Everyone")
            broadcast = await wait_for(anon, lambda f: f["type"] == "announcementCreated")
            targeted = await asyncio.to_thread(world.create, title="Bob only", userId=bob.id)
            mine = await wait_for(
                ws,
                lambda f: (
                    f["type"] == "channel"
                    and f["body"]["id"] == main
                    and f["body"]["type"] == "announcementCreated"
                ),
            )
            unread = (await asyncio.to_thread(bob.mk, "i"))["unreadAnnouncements"]
            for item in unread:
                await asyncio.to_thread(
                    bob.mk, "i/read-announcement", {"announcementId": item["id"]}
                )
            read_all = await wait_for(
                ws, lambda f: f["type"] == "channel" and f["body"]["type"] == "readAllAnnouncements"
            )
            assert made["id"] == broadcast["body"]["announcement"]["id"]
            assert targeted["id"] == mine["body"]["body"]["announcement"]["id"]
            assert read_all["body"]["body"] is None
            return broadcast, mine

    broadcast, mine = asyncio.run(scenario())
    assert "isRead" not in broadcast["body"]["announcement"]  # an anonymous connection
    shown = mine["body"]["body"]["announcement"]
    assert shown["forYou"] is True
    assert shown["isRead"] is False


def test_mastodon_user_stream_hears_announcements(world: World) -> None:
    user = mk_user(world.server).mastodon
    with socket(world.server, user.token, stream="user") as ws:
        ws.settle()
        made = world.create(title="Live")
        created = json.loads(ws.event("announcement")["payload"])
        assert created["id"] == made["id"]
        assert errors("Announcement", created) == []
        user.api.put(f"/api/v1/announcements/{made['id']}/reactions/🎉")
        reaction = json.loads(ws.event("announcement.reaction")["payload"])
        assert reaction == {"name": "🎉", "count": 1, "announcement_id": made["id"]}
        world.moderator.mk("admin/announcements/delete", {"id": made["id"]})
        assert ws.event("announcement.delete")["payload"] == made["id"]
    with socket(world.server, user.token, stream="user:notification") as ws:
        ws.settle()
        world.create(title="Not here")
        ws.nothing()
