"""Reactions (Misskey) = favourites (Mastodon): both dialects over one table, counters that
cannot drift, who reacted, notifications, and Misskey's normalisation of reactions."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from support.api import Api, User
from support.cli import tandem
from support.images import png
from support.misskey import Misskey, MkUser, mk_user
from support.schemas import assert_valid
from support.server import RunningServer

HEART = "\u2764"


def post(user: User, text: str = "hello", **extra: str) -> dict:
    r = user.api.post("/api/v1/statuses", data={"status": text, **extra})
    assert r.status_code == 200, r.text
    return r.json()


def notifications_of(user: User, kind: str) -> list[dict]:
    r = user.api.get("/api/v1/notifications")
    assert r.status_code == 200, r.text
    return [n for n in r.json() if n["type"] == kind]


def test_favourite_is_the_default_reaction(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    status = post(alice.mastodon)
    api = bob.mastodon.api
    faved = api.post(f"/api/v1/statuses/{status['id']}/favourite").json()
    assert faved["favourited"] is True
    assert faved["favourites_count"] == 1
    assert faved["reactions"] == [
        {"name": HEART, "count": 1, "me": True, "url": None, "static_url": None}
    ]
    assert_valid("Status", faved)
    again = api.post(f"/api/v1/statuses/{status['id']}/favourite").json()
    assert again["favourites_count"] == 1  # idempotent
    note = bob.mk("notes/show", {"noteId": status["id"]})
    assert note["reactions"] == {HEART: 1}
    assert note["reactionCount"] == 1
    assert note["myReaction"] == HEART
    assert note["reactionEmojis"] == {}
    # The author sees it, without `me`; anonymous viewers see the count.
    mine = alice.mastodon.api.get(f"/api/v1/statuses/{status['id']}").json()
    assert mine["favourited"] is False
    assert mine["reactions"][0]["me"] is False
    anonymous = Api(server).get(f"/api/v1/statuses/{status['id']}").json()
    assert anonymous["favourites_count"] == 1
    assert "favourited" not in anonymous
    notified = notifications_of(alice.mastodon, "favourite")
    assert [n["account"]["id"] for n in notified] == [bob.id]
    assert notified[0]["status"]["id"] == status["id"]
    undone = api.post(f"/api/v1/statuses/{status['id']}/unfavourite").json()
    assert undone["favourited"] is False
    assert undone["favourites_count"] == 0
    assert undone["reactions"] == []
    again = api.post(f"/api/v1/statuses/{status['id']}/unfavourite")
    assert again.status_code == 200
    assert again.json()["favourites_count"] == 0


def test_misskey_reactions_normalised_and_replaced(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    note = alice.mk("notes/create", {"text": "react to me"})["createdNote"]
    nid = note["id"]
    bob.mk("notes/reactions/create", {"noteId": nid, "reaction": "👍"})
    bob.mk.error(
        "notes/reactions/create", {"noteId": nid, "reaction": "👍"}, 400, "ALREADY_REACTED"
    )
    # Misskey's legacy name for the same emoji is the same reaction.
    bob.mk.error(
        "notes/reactions/create", {"noteId": nid, "reaction": "like"}, 400, "ALREADY_REACTED"
    )
    # A different reaction replaces the first: the count stays.
    bob.mk("notes/reactions/create", {"noteId": nid, "reaction": "🎉"})
    shown = bob.mk("notes/show", {"noteId": nid})
    assert shown["reactions"] == {"🎉": 1}
    assert shown["reactionCount"] == 1
    assert shown["myReaction"] == "🎉"
    # U+FE0F goes (not inside a ZWJ sequence); unknown custom emoji and text become the like.
    carol.mk("notes/reactions/create", {"noteId": nid, "reaction": "\u2764\ufe0f"})
    assert carol.mk("notes/show", {"noteId": nid})["myReaction"] == HEART
    carol.mk.error(
        "notes/reactions/create", {"noteId": nid, "reaction": ":nosuch:"}, 400, "ALREADY_REACTED"
    )
    carol.mk.error(
        "notes/reactions/create", {"noteId": nid, "reaction": "word"}, 400, "ALREADY_REACTED"
    )
    dave = mk_user(server)
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    dave.mk("notes/reactions/create", {"noteId": nid, "reaction": f"x{family}y"})
    assert dave.mk("notes/show", {"noteId": nid})["myReaction"] == family
    status = bob.mastodon.api.get(f"/api/v1/statuses/{nid}").json()
    assert status["favourites_count"] == 3
    assert status["favourited"] is True
    assert {r["name"]: (r["count"], r["me"]) for r in status["reactions"]} == {
        "🎉": (1, True),
        HEART: (1, False),
        family: (1, False),
    }
    # Who reacted, newest first, with a type filter.
    listed = Misskey(server)("notes/reactions", {"noteId": nid})
    assert [(r["user"]["id"], r["type"]) for r in listed] == [
        (dave.id, family),
        (carol.id, HEART),
        (bob.id, "🎉"),
    ]
    assert set(listed[0]) == {"id", "createdAt", "user", "type"}
    only = Misskey(server)("notes/reactions", {"noteId": nid, "type": HEART, "limit": 5})
    assert [r["user"]["id"] for r in only] == [carol.id]
    older = Misskey(server)("notes/reactions", {"noteId": nid, "untilId": listed[0]["id"]})
    assert [r["user"]["id"] for r in older] == [carol.id, bob.id]
    # Unfavourite (Mastodon) removes whichever reaction the caller has.
    bob.mastodon.api.post(f"/api/v1/statuses/{nid}/unfavourite")
    bob.mk.error("notes/reactions/delete", {"noteId": nid}, 400, "NOT_REACTED")
    carol.mk("notes/reactions/delete", {"noteId": nid})
    assert alice.mk("notes/show", {"noteId": nid})["reactions"] == {family: 1}
    bob.mk.error("notes/reactions/create", {"noteId": "1", "reaction": "👍"}, 400, "NO_SUCH_NOTE")
    bob.mk.error("notes/reactions/create", {"noteId": nid}, 400, "INVALID_PARAM")


def test_reactions_notify_unless_blocked_or_muted(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    note = alice.mk("notes/create", {"text": "n"})["createdNote"]
    bob.mk("notes/reactions/create", {"noteId": note["id"], "reaction": "😆"})
    notified = notifications_of(alice.mastodon, "favourite")
    assert [n["account"]["id"] for n in notified] == [bob.id]
    alice.mastodon.api.post(f"/api/v1/accounts/{carol.id}/mute")
    carol.mk("notes/reactions/create", {"noteId": note["id"], "reaction": "😆"})
    assert len(notifications_of(alice.mastodon, "favourite")) == 1
    # Reacting to one's own note notifies nobody.
    alice.mk("notes/reactions/create", {"noteId": note["id"], "reaction": "😆"})
    assert len(notifications_of(alice.mastodon, "favourite")) == 1
    # A blocked user cannot react: Misskey says so, Mastodon does not see the status.
    dave = mk_user(server)
    alice.mastodon.api.post(f"/api/v1/accounts/{dave.id}/block")
    dave.mk.error(
        "notes/reactions/create",
        {"noteId": note["id"], "reaction": "😆"},
        400,
        "YOU_HAVE_BEEN_BLOCKED",
    )
    r = dave.mastodon.api.post(f"/api/v1/statuses/{note['id']}/favourite")
    assert r.status_code == 404
    assert alice.mk("notes/show", {"noteId": note["id"]})["reactionCount"] == 3


def test_favourites_list_and_who(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    statuses = [post(alice.mastodon, f"s{i}") for i in range(3)]
    for s in statuses:
        bob.mastodon.api.post(f"/api/v1/statuses/{s['id']}/favourite")
    r = bob.mastodon.api.get("/api/v1/favourites?limit=2")
    assert [s["id"] for s in r.json()] == [statuses[2]["id"], statuses[1]["id"]]
    assert 'rel="next"' in r.headers["Link"]
    next_url = r.headers["Link"].split(";")[0].strip("<>")
    rest = bob.mastodon.api.get(next_url.removeprefix(server.base_url)).json()
    assert [s["id"] for s in rest] == [statuses[0]["id"]]
    assert all(s["favourited"] for s in rest)
    target = statuses[0]["id"]
    carol.mastodon.api.post(f"/api/v1/statuses/{target}/favourite")
    who = Api(server).get(f"/api/v1/statuses/{target}/favourited_by").json()
    assert [a["id"] for a in who] == [carol.id, bob.id]
    for account in who:
        assert_valid("Account", account)
    page = Api(server).get(f"/api/v1/statuses/{target}/favourited_by?limit=1")
    assert [a["id"] for a in page.json()] == [carol.id]
    assert 'rel="next"' in page.headers["Link"]
    bob.mastodon.api.post(f"/api/v1/statuses/{target}/reblog")
    carol.mastodon.api.post(f"/api/v1/statuses/{target}/reblog")
    reblogged = Api(server).get(f"/api/v1/statuses/{target}/reblogged_by").json()
    assert [a["id"] for a in reblogged] == [carol.id, bob.id]
    assert Api(server).get("/api/v1/statuses/1/favourited_by").status_code == 404
    # A private status's favourites are not shown to those who cannot see it.
    hidden = post(alice.mastodon, "followers only", visibility="private")
    assert Api(server).get(f"/api/v1/statuses/{hidden['id']}/favourited_by").status_code == 404
    assert bob.mastodon.api.post(f"/api/v1/statuses/{hidden['id']}/favourite").status_code == 404


def test_notes_state(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    note = alice.mk("notes/create", {"text": "state"})["createdNote"]
    assert bob.mk("notes/state", {"noteId": note["id"]}) == {
        "isFavorited": False,
        "isMutedThread": False,
    }
    bob.mk("notes/favorites/create", {"noteId": note["id"]})
    bob.mk("notes/thread-muting/create", {"noteId": note["id"]})
    assert bob.mk("notes/state", {"noteId": note["id"]}) == {
        "isFavorited": True,
        "isMutedThread": True,
    }
    bob.mk.error("notes/state", {"noteId": "1"}, 400, "NO_SUCH_NOTE")


def _favourite(user: MkUser, status_id: str) -> int:
    return user.mastodon.api.post(f"/api/v1/statuses/{status_id}/favourite").status_code


def test_concurrent_reactions_keep_counts(server: RunningServer) -> None:
    alice = mk_user(server)
    people = [mk_user(server) for _ in range(4)]
    status = post(alice.mastodon)
    jobs = [p for p in people for _ in range(3)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(lambda p: _favourite(p, status["id"]), jobs))
    assert codes == [200] * len(jobs)
    shown = alice.mastodon.api.get(f"/api/v1/statuses/{status['id']}").json()
    assert shown["favourites_count"] == len(people)
    assert shown["reactions"][0]["count"] == len(people)

    def undo(p: MkUser) -> int:
        return p.mastodon.api.post(f"/api/v1/statuses/{status['id']}/unfavourite").status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert set(pool.map(undo, jobs)) == {200}
    shown = alice.mastodon.api.get(f"/api/v1/statuses/{status['id']}").json()
    assert shown["favourites_count"] == 0


def test_custom_emoji_reactions(server: RunningServer, tmp_path: Path) -> None:
    image = tmp_path / "blob.png"
    image.write_bytes(png())
    tandem(server, "emoji", "add", "blobreact", str(image))
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    note = alice.mk("notes/create", {"text": "custom"})["createdNote"]
    bob.mk("notes/reactions/create", {"noteId": note["id"], "reaction": ":blobreact:"})
    # The `@.` form names the same local emoji.
    carol.mk("notes/reactions/create", {"noteId": note["id"], "reaction": ":blobreact@.:"})
    shown = bob.mk("notes/show", {"noteId": note["id"]})
    assert shown["reactions"] == {":blobreact@.:": 2}
    assert shown["myReaction"] == ":blobreact@.:"
    only = Misskey(server)("notes/reactions", {"noteId": note["id"], "type": ":blobreact@.:"})
    assert {r["user"]["id"] for r in only} == {bob.id, carol.id}
    status = bob.mastodon.api.get(f"/api/v1/statuses/{note['id']}").json()
    assert_valid("Status", status)
    [reaction] = status["reactions"]
    assert reaction["name"] == "blobreact"
    assert reaction["count"] == 2
    assert reaction["me"] is True
    assert reaction["url"].startswith(server.base_url)
    assert Api(server).get(reaction["url"].removeprefix(server.base_url)).status_code == 200
    notified = notifications_of(alice.mastodon, "favourite")
    assert {n["account"]["id"] for n in notified} == {bob.id, carol.id}
