"""Threads: Mastodon's context and thread mutes, Misskey's children, replies, renotes,
conversation and thread-muting, each filtered by what the viewer may see."""

from __future__ import annotations

from support.api import Api, User
from support.misskey import Misskey, mk_user
from support.schemas import assert_valid
from support.server import RunningServer


def post(user: User, text: str, reply_to: str | None = None, **extra: str) -> dict:
    data = {"status": text, **extra}
    if reply_to:
        data["in_reply_to_id"] = reply_to
    r = user.api.post("/api/v1/statuses", data=data)
    assert r.status_code == 200, r.text
    return r.json()


def ids(items: list[dict]) -> list[str]:
    return [i["id"] for i in items]


def test_context_ancestors_and_descendants(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    root = post(alice.mastodon, "root")
    a = post(bob.mastodon, "a", root["id"])
    a1 = post(alice.mastodon, "a1", a["id"])
    b = post(carol.mastodon, "b", root["id"])
    a2 = post(carol.mastodon, "a2", a["id"])
    a1x = post(bob.mastodon, "a1x", a1["id"])
    private = post(alice.mastodon, "followers only", b["id"], visibility="private")
    under_private = post(alice.mastodon, "under private", private["id"])
    anon = Api(server)
    context = anon.get(f"/api/v1/statuses/{root['id']}/context").json()
    assert_valid("Context", context)
    assert context["ancestors"] == []
    # Depth first, oldest first at each level; the private reply and what hangs under it
    # stay hidden from those who cannot see it.
    assert ids(context["descendants"]) == [a["id"], a1["id"], a1x["id"], a2["id"], b["id"]]
    mid = bob.mastodon.api.get(f"/api/v1/statuses/{a1['id']}/context").json()
    assert ids(mid["ancestors"]) == [root["id"], a["id"]]
    assert ids(mid["descendants"]) == [a1x["id"]]
    own = alice.mastodon.api.get(f"/api/v1/statuses/{root['id']}/context").json()
    assert private["id"] in ids(own["descendants"])
    assert under_private["id"] in ids(own["descendants"])
    # Blocking hides the blocker's replies from the blocked, and the other way round.
    bob.mastodon.api.post(f"/api/v1/accounts/{carol.id}/block")
    seen = bob.mastodon.api.get(f"/api/v1/statuses/{root['id']}/context").json()
    assert ids(seen["descendants"]) == [a["id"], a1["id"], a1x["id"]]
    assert anon.get("/api/v1/statuses/1/context").status_code == 404
    # Misskey: direct replies, newest first; the conversation up, nearest first.
    mk = Misskey(server)
    assert ids(mk("notes/children", {"noteId": root["id"]})) == [b["id"], a["id"]]
    assert ids(mk("notes/replies", {"noteId": a["id"]})) == [a2["id"], a1["id"]]
    assert ids(mk("notes/replies", {"noteId": a["id"], "limit": 1})) == [a2["id"]]
    assert ids(mk("notes/replies", {"noteId": a["id"], "untilId": a2["id"]})) == [a1["id"]]
    assert ids(mk("notes/conversation", {"noteId": a1x["id"]})) == [
        a1["id"],
        a["id"],
        root["id"],
    ]
    assert ids(mk("notes/conversation", {"noteId": a1x["id"], "offset": 1, "limit": 1})) == [
        a["id"]
    ]
    mk.error("notes/children", {"noteId": "1"}, 400, "NO_SUCH_NOTE")


def test_renotes_and_reblogged_by(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    note = alice.mk("notes/create", {"text": "share me"})["createdNote"]
    by_bob = bob.mk("notes/create", {"renoteId": note["id"]})["createdNote"]
    by_carol = carol.mk("notes/create", {"renoteId": note["id"]})["createdNote"]
    mk = Misskey(server)
    renotes = mk("notes/renotes", {"noteId": note["id"]})
    assert ids(renotes) == [by_carol["id"], by_bob["id"]]
    assert renotes[0]["renote"]["id"] == note["id"]
    assert ids(mk("notes/renotes", {"noteId": note["id"], "userId": bob.id})) == [by_bob["id"]]
    assert ids(mk("notes/renotes", {"noteId": note["id"], "sinceId": by_bob["id"]})) == [
        by_carol["id"]
    ]


def test_thread_mute_silences_notifications(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    root = post(alice.mastodon, "thread")
    reply = post(alice.mastodon, "more", root["id"])
    muted = alice.mastodon.api.post(f"/api/v1/statuses/{reply['id']}/mute").json()
    assert muted["muted"] is True
    assert alice.mastodon.api.get(f"/api/v1/statuses/{root['id']}").json()["muted"] is True
    assert alice.mk("notes/state", {"noteId": root["id"]})["isMutedThread"] is True
    bob.mastodon.api.post(f"/api/v1/statuses/{root['id']}/favourite")
    post(bob.mastodon, f"@{alice.username} hi", reply["id"])
    bob.mastodon.api.post(f"/api/v1/statuses/{reply['id']}/reblog")
    assert alice.mastodon.api.get("/api/v1/notifications").json() == []
    unmuted = alice.mastodon.api.post(f"/api/v1/statuses/{root['id']}/unmute").json()
    assert unmuted["muted"] is False
    bob.mastodon.api.post(f"/api/v1/statuses/{reply['id']}/favourite")
    types = [n["type"] for n in alice.mastodon.api.get("/api/v1/notifications").json()]
    assert types == ["favourite"]
    # Misskey's thread muting is the same mute.
    alice.mk("notes/thread-muting/create", {"noteId": root["id"]})
    assert alice.mastodon.api.get(f"/api/v1/statuses/{reply['id']}").json()["muted"] is True
    alice.mk("notes/thread-muting/delete", {"noteId": root["id"]})
    assert alice.mk("notes/state", {"noteId": reply["id"]})["isMutedThread"] is False
    alice.mk.error("notes/thread-muting/create", {"noteId": "1"}, 400, "NO_SUCH_NOTE")
