"""Mastodon timelines over HTTP: home (materialised on write), public, tag, list and link.

Who sees what: follows, mutes, blocks, show_reblogs, replies, visibility, exclusive lists and
list replies policies; deletions disappear. Follow merges and unfollow purges run as jobs,
so those checks wait for the job (the worker polls every 50 ms in tests).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import pytest

from support.api import Api, User, register
from support.server import RunningServer
from tandem.core import home_feeds


def wait_for(check: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def ids(statuses: list[Any]) -> list[str]:
    return [str(s["id"]) for s in statuses]


def home_ids(user: User, **params: Any) -> list[str]:
    r = user.api.get("/api/v1/timelines/home", params=params)
    assert r.status_code == 200, r.text
    return ids(r.json())


def post(user: User, text: str, **extra: Any) -> dict[str, Any]:
    r = user.api.post("/api/v1/statuses", data={"status": text, **extra})
    assert r.status_code == 200, r.text
    return dict(r.json())


def follow(user: User, other: User, **extra: Any) -> None:
    r = user.api.post(f"/api/v1/accounts/{other.id}/follow", data=extra)
    assert r.status_code == 200, r.text


def test_home_shows_follows_and_own_posts_newest_first(server: RunningServer) -> None:
    alice, bob, carol = register(server), register(server), register(server)
    follow(bob, alice)
    first = post(alice, "first")
    mine = post(bob, "my own")
    second = post(alice, "second")
    post(carol, "nobody follows carol")
    assert home_ids(bob) == [second["id"], mine["id"], first["id"]]
    assert home_ids(alice) == [second["id"], first["id"]]
    # Keyset paging, with Link headers like the other lists.
    r = bob.api.get("/api/v1/timelines/home", params={"limit": 2})
    assert ids(r.json()) == [second["id"], mine["id"]]
    assert 'rel="next"' in r.headers["link"]
    assert f"max_id={mine['id']}" in r.headers["link"]
    assert home_ids(bob, max_id=mine["id"]) == [first["id"]]
    assert home_ids(bob, since_id=first["id"]) == [second["id"], mine["id"]]
    assert home_ids(bob, min_id=first["id"], limit=1) == [mine["id"]]
    # Deleting removes it from every feed.
    assert alice.api.delete(f"/api/v1/statuses/{second['id']}").status_code == 200
    assert home_ids(bob) == [mine["id"], first["id"]]
    assert Api(server).get("/api/v1/timelines/home").status_code == 401


def test_follow_merges_and_unfollow_purges(server: RunningServer) -> None:
    alice, bob = register(server), register(server)
    old = post(alice, "before the follow")
    follow(bob, alice)
    wait_for(lambda: old["id"] in home_ids(bob))
    assert bob.api.post(f"/api/v1/accounts/{alice.id}/unfollow").status_code == 200
    wait_for(lambda: old["id"] not in home_ids(bob))


def test_mutes_and_blocks_hide_at_once(server: RunningServer) -> None:
    alice, bob, carol = register(server), register(server), register(server)
    follow(bob, carol)
    # (A reblog of a status bob's home shows near its top would fold: carol reblogs one of
    # alice's from before bob follows her.)
    earlier = post(alice, "before bob follows alice")
    boost = carol.api.post(f"/api/v1/statuses/{earlier['id']}/reblog").json()
    follow(bob, alice)
    by_alice = post(alice, "alice speaks")
    by_carol = post(carol, "carol speaks")
    assert {by_alice["id"], by_carol["id"], boost["id"]} <= set(home_ids(bob))
    # A mute hides what was delivered before it, reblogs of the muted account included.
    assert bob.api.post(f"/api/v1/accounts/{alice.id}/mute").status_code == 200
    shown = home_ids(bob)
    assert by_alice["id"] not in shown
    assert boost["id"] not in shown
    assert by_carol["id"] in shown
    post(alice, "while muted")
    assert len(home_ids(bob)) == 1
    assert bob.api.post(f"/api/v1/accounts/{alice.id}/unmute").status_code == 200
    after = post(alice, "after the mute")  # (what the mute purged stays gone, as on Mastodon)
    assert after["id"] in home_ids(bob)
    assert bob.api.post(f"/api/v1/accounts/{carol.id}/block").status_code == 200
    assert by_carol["id"] not in home_ids(bob)


def test_show_reblogs_false_and_reblogs(server: RunningServer) -> None:
    alice, bob, carol, dave = (register(server) for _ in range(4))
    follow(bob, carol, reblogs="false")
    follow(dave, carol)
    original = post(alice, "worth sharing")
    boost = carol.api.post(f"/api/v1/statuses/{original['id']}/reblog").json()
    assert boost["id"] not in home_ids(bob)
    assert boost["id"] in home_ids(dave)
    assert boost["id"] in home_ids(carol)
    r = dave.api.get("/api/v1/timelines/home").json()
    assert r[0]["reblog"]["id"] == original["id"]
    # Undoing the reblog removes it.
    assert carol.api.post(f"/api/v1/statuses/{original['id']}/unreblog").status_code == 200
    assert boost["id"] not in home_ids(dave)


def test_replies_reach_home_only_when_both_sides_are_followed(server: RunningServer) -> None:
    alice, bob, carol, dave = (register(server) for _ in range(4))
    follow(bob, alice)
    follow(carol, alice)
    follow(carol, dave)
    follow(dave, alice)
    to_dave = post(dave, "a question")
    reply = post(alice, f"@{dave.username} an answer", in_reply_to_id=to_dave["id"])
    thread = post(alice, "more", in_reply_to_id=reply["id"])  # a self reply
    assert reply["id"] not in home_ids(bob)
    assert reply["id"] in home_ids(carol)
    assert reply["id"] in home_ids(dave)  # the replied-to follower sees it
    assert thread["id"] in home_ids(bob)


def test_visibility(server: RunningServer) -> None:
    alice, bob, carol = register(server), register(server), register(server)
    follow(bob, alice)
    follow(carol, alice)
    private = post(alice, "followers only", visibility="private")
    direct = post(alice, f"@{bob.username} just you", visibility="direct")
    unlisted = post(alice, "quietly", visibility="unlisted")
    public = post(alice, "loudly")
    assert {private["id"], direct["id"], unlisted["id"]} <= set(home_ids(bob))
    assert private["id"] in home_ids(carol)
    assert direct["id"] not in home_ids(carol)
    everyone = ids(Api(server).get("/api/v1/timelines/public", params={"limit": 40}).json())
    assert public["id"] in everyone
    assert not {private["id"], direct["id"], unlisted["id"]} & set(everyone)


def test_public_local_remote_media_and_anonymous(server: RunningServer) -> None:
    alice = register(server)
    shown = post(alice, "public and local")
    anon = Api(server)
    assert shown["id"] in ids(anon.get("/api/v1/timelines/public", params={"local": "1"}).json())
    assert anon.get("/api/v1/timelines/public", params={"remote": "true"}).json() == []
    only_media = anon.get("/api/v1/timelines/public", params={"only_media": "true"}).json()
    assert shown["id"] not in ids(only_media)
    r = alice.api.get("/api/v1/timelines/public", params={"limit": 1, "local": "true"})
    assert ids(r.json()) == [shown["id"]]
    assert "local=true" in r.headers["link"]


def test_tag_timeline_any_all_none(server: RunningServer) -> None:
    alice = register(server)
    # Tags of their own: other modules post to the same server (and tag #cats too).
    cat, dog = f"cats{secrets.token_hex(3)}", f"dogs{secrets.token_hex(3)}"
    cats = post(alice, f"#{cat.capitalize()} only")
    both = post(alice, f"#{cat} and #{dog}")
    dogs = post(alice, f"#{dog} only")
    anon = Api(server)

    def tagged(name: str, **params: Any) -> list[str]:
        r = anon.get(f"/api/v1/timelines/tag/{name}", params=params)
        assert r.status_code == 200, r.text
        return ids(r.json())

    assert tagged(cat) == [both["id"], cats["id"]]
    assert tagged(cat.upper(), **{"any[]": dog}) == [dogs["id"], both["id"], cats["id"]]
    assert tagged(cat, **{"all[]": dog}) == [both["id"]]
    assert tagged(cat, **{"none[]": dog}) == [cats["id"]]
    assert tagged("nothing_here") == []


def test_lists_exclusive_and_replies_policy(server: RunningServer) -> None:
    alice, bob, carol, dave = (register(server) for _ in range(4))
    for other in (alice, carol, dave):
        follow(bob, other)
    r = bob.api.post("/api/v1/lists", data={"title": "close", "exclusive": "true"})
    listed = r.json()
    assert listed["exclusive"] is True
    assert (
        bob.api.post(f"/api/v1/lists/{listed['id']}/accounts", data={"account_ids[]": alice.id})
    ).status_code == 200
    in_list = post(alice, "for the list")
    assert in_list["id"] not in home_ids(bob)  # exclusive: only in the list
    path = f"/api/v1/timelines/list/{listed['id']}"
    assert ids(bob.api.get(path).json()) == [in_list["id"]]
    assert carol.api.get(path).status_code == 404
    # Replies policy "list" (the default): replies to members only.
    question = post(dave, "dave asks")
    to_dave = post(alice, f"@{dave.username} yes", in_reply_to_id=question["id"])
    assert to_dave["id"] not in ids(bob.api.get(path).json())
    r = bob.api.put(f"/api/v1/lists/{listed['id']}", data={"replies_policy": "followed"})
    assert r.status_code == 200, r.text
    assert to_dave["id"] in ids(bob.api.get(path).json())
    bob.api.put(f"/api/v1/lists/{listed['id']}", data={"replies_policy": "none"})
    assert to_dave["id"] not in ids(bob.api.get(path).json())
    # A list's owner sees a member's followers-only posts.
    private = post(alice, "followers only", visibility="private")
    assert private["id"] in ids(bob.api.get(path).json())


def test_link_timeline_without_a_preview_card_is_not_found(server: RunningServer) -> None:
    """Mastodon answers 404 for a URL without a trending preview card; none has one here."""
    alice = register(server)
    r = alice.api.get("/api/v1/timelines/link", params={"url": "https://example.com/"})
    assert r.status_code == 404
    assert "preview card" in r.json()["error"]
    assert alice.api.get("/api/v1/timelines/link").status_code == 422


def test_fan_out_of_a_popular_account_runs_in_a_job(
    server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the threshold the posting request writes only the author's own entry and queues
    the fan-out (the test server runs in this process: lowering the threshold makes any
    account popular)."""
    alice, bob, carol = register(server), register(server), register(server)
    follow(bob, alice)
    follow(carol, alice, reblogs="false")
    monkeypatch.setattr(home_feeds, "INLINE_FOLLOWERS", 0)
    made = post(alice, "from a job")
    assert made["id"] in home_ids(alice)
    wait_for(lambda: made["id"] in home_ids(bob))
    # (A reblog of a status bob does not have: one of `made`, at the top of his home, folds.)
    elsewhere = post(register(server), "elsewhere")
    boost = alice.api.post(f"/api/v1/statuses/{elsewhere['id']}/reblog").json()
    wait_for(lambda: boost["id"] in home_ids(bob))
    assert boost["id"] not in home_ids(carol)  # the job keeps the same rules
