"""Misskey timelines over HTTP (notes/timeline, local, hybrid, global, user lists,
users/notes, notes/search-by-tag), word mutes, and posts crossing between the dialects."""

from __future__ import annotations

from typing import Any

from support.misskey import Misskey, MkUser, mk_user
from support.server import RunningServer
from test_timelines import wait_for


def note_ids(found: list[dict[str, Any]]) -> list[str]:
    return [n["id"] for n in found]


def create(user: MkUser, text: str, **extra: Any) -> str:
    return str(user.mk("notes/create", {"text": text, **extra})["createdNote"]["id"])


def test_posts_cross_between_dialects(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    bob.mk("following/create", {"userId": alice.id})
    from_misskey = create(alice, "posted through Misskey")
    home = bob.mastodon.api.get("/api/v1/timelines/home").json()
    assert [s["id"] for s in home] == [from_misskey]
    r = alice.mastodon.api.post("/api/v1/statuses", data={"status": "posted through Mastodon"})
    from_mastodon = r.json()["id"]
    assert note_ids(bob.mk("notes/timeline", {})) == [from_mastodon, from_misskey]


def test_home_timeline_options_and_paging(server: RunningServer) -> None:
    alice, bob, carol, dave = (mk_user(server) for _ in range(4))
    bob.mk("following/create", {"userId": alice.id})
    bob.mk("following/create", {"userId": carol.id})
    first = create(alice, "one")
    second = create(carol, "two")
    # Renotes of what bob's home does not show (one of what it shows near its top folds).
    unseen = create(dave, "not followed")
    renote = str(carol.mk("notes/create", {"renoteId": unseen})["createdNote"]["id"])
    assert note_ids(bob.mk("notes/timeline", {})) == [renote, second, first]
    shown = bob.mk("notes/timeline", {})
    assert shown[0]["renoteId"] == unseen
    assert note_ids(bob.mk("notes/timeline", {"withRenotes": False})) == [second, first]
    assert bob.mk("notes/timeline", {"withFiles": True}) == []
    assert note_ids(bob.mk("notes/timeline", {"limit": 1, "untilId": second})) == [first]
    # sinceId alone: the oldest ones just after the cursor, oldest first (as Misskey does).
    assert note_ids(bob.mk("notes/timeline", {"sinceId": first})) == [second, renote]
    my_renote = str(bob.mk("notes/create", {"renoteId": create(dave, "more")})["createdNote"]["id"])
    assert my_renote in note_ids(bob.mk("notes/timeline", {}))
    assert my_renote not in note_ids(bob.mk("notes/timeline", {"includeMyRenotes": False}))
    Misskey(server).error("notes/timeline", {}, 401, "CREDENTIAL_REQUIRED")


def test_local_global_and_hybrid(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    bob.mk("following/create", {"userId": alice.id})
    public = create(carol, "for everyone")
    followers = create(alice, "for followers", visibility="followers")
    home_only = create(carol, "not on the local timeline", visibility="home")
    reply = create(carol, "a reply", replyId=create(bob, "bob asks"))
    anon = Misskey(server)
    local = note_ids(anon("notes/local-timeline", {"limit": 100}))
    assert public in local
    assert not {followers, home_only, reply} & set(local)
    with_replies = note_ids(anon("notes/local-timeline", {"withReplies": True, "limit": 100}))
    assert reply in with_replies
    anon.error(
        "notes/local-timeline",
        {"withReplies": True, "withFiles": True},
        400,
        "BOTH_WITH_REPLIES_AND_WITH_FILES",
    )
    assert public in note_ids(anon("notes/global-timeline", {"limit": 100}))
    hybrid = note_ids(bob.mk("notes/hybrid-timeline", {"limit": 100}))
    assert followers in hybrid
    assert public in hybrid
    assert home_only not in hybrid
    assert followers not in note_ids(carol.mk("notes/hybrid-timeline", {"limit": 100}))


def test_user_list_timeline(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    listed = bob.mk("users/lists/create", {"name": "friends"})
    bob.mk("users/lists/push", {"listId": listed["id"], "userId": alice.id})
    in_list = create(alice, "listed")
    create(carol, "not listed")
    found = bob.mk("notes/user-list-timeline", {"listId": listed["id"]})
    assert note_ids(found) == [in_list]
    carol.mk.error("notes/user-list-timeline", {"listId": listed["id"]}, 400, "NO_SUCH_LIST")


def test_users_notes(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    plain = create(alice, "plain")
    other = create(bob, "bob's")
    reply = create(alice, "answering bob", replyId=other)
    renote = str(alice.mk("notes/create", {"renoteId": other})["createdNote"]["id"])
    anon = Misskey(server)
    assert note_ids(anon("users/notes", {"userId": alice.id})) == [renote, plain]
    with_replies = anon("users/notes", {"userId": alice.id, "withReplies": True})
    assert note_ids(with_replies) == [renote, reply, plain]
    assert note_ids(anon("users/notes", {"userId": alice.id, "withRenotes": False})) == [plain]
    anon.error(
        "users/notes",
        {"userId": alice.id, "withReplies": True, "withFiles": True},
        400,
        "BOTH_WITH_REPLIES_AND_WITH_FILES",
    )
    anon.error("users/notes", {"userId": "9zzzzzzzzz"}, 400, "NO_SUCH_USER")


def test_search_by_tag(server: RunningServer) -> None:
    alice = mk_user(server)
    cats = create(alice, "#kittens here")
    both = create(alice, "#kittens and #puppies")
    anon = Misskey(server)
    assert note_ids(anon("notes/search-by-tag", {"tag": "kittens"})) == [both, cats]
    query = {"query": [["kittens", "puppies"]]}
    assert note_ids(anon("notes/search-by-tag", query)) == [both]
    either = {"query": [["puppies"], ["kittens"]]}
    assert note_ids(anon("notes/search-by-tag", either)) == [both, cats]


def test_word_mutes_and_user_mutes(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    bob.mk("following/create", {"userId": alice.id})
    spoiler = create(alice, "the ending is a SECRET")
    fine = create(alice, "nothing to hide")
    bob.mk("i/update", {"mutedWords": [["secret"]]})
    assert note_ids(bob.mk("notes/timeline", {})) == [fine]
    assert spoiler not in note_ids(bob.mk("notes/local-timeline", {"limit": 100}))
    bob.mk("i/update", {"mutedWords": [], "hardMutedWords": ["/nothing/i"]})
    assert note_ids(bob.mk("notes/timeline", {})) == [spoiler]
    bob.mk("i/update", {"hardMutedWords": []})
    bob.mk("mute/create", {"userId": alice.id})
    assert bob.mk("notes/timeline", {}) == []
    assert not {spoiler, fine} & set(note_ids(bob.mk("notes/local-timeline", {"limit": 100})))
    bob.mk("mute/delete", {"userId": alice.id})
    later = create(alice, "after the mute")
    wait_for(lambda: later in note_ids(bob.mk("notes/timeline", {})))
