"""One core: follow, block, mute and rename through one dialect, seen through the other.

Mastodon calls go through Mastodon.py (the real client); Misskey calls are plain HTTP.
"""

from __future__ import annotations

import time

from support.misskey import MkUser, mk_user
from support.server import RunningServer


def _relation(user: MkUser, other: MkUser) -> dict[str, bool]:
    return dict(user.mk("users/relation", {"userId": other.id}))


def test_misskey_changes_seen_through_mastodon(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    masto_alice = alice.mastodon.mastodon()
    masto_bob = bob.mastodon.mastodon()

    alice.mk("following/create", {"userId": bob.id})
    rel = masto_alice.account_relationships(bob.id)[0]
    assert rel["following"] is True
    assert masto_bob.account_relationships(alice.id)[0]["followed_by"] is True
    assert [a["id"] for a in masto_bob.account_followers(bob.id)] == [alice.id]

    alice.mk("following/delete", {"userId": bob.id})
    assert masto_alice.account_relationships(bob.id)[0]["following"] is False

    alice.mk("mute/create", {"userId": bob.id, "expiresAt": int(time.time() * 1000) + 3_600_000})
    rel = masto_alice.account_relationships(bob.id)[0]
    assert rel["muting"] is True
    mutes = masto_alice.mutes()
    assert [a["id"] for a in mutes] == [bob.id]
    assert mutes[0]["mute_expires_at"] is not None
    alice.mk("mute/delete", {"userId": bob.id})
    assert masto_alice.account_relationships(bob.id)[0]["muting"] is False

    bob.mk("following/create", {"userId": alice.id})
    alice.mk("blocking/create", {"userId": bob.id})
    rel = masto_alice.account_relationships(bob.id)[0]
    assert rel["blocking"] is True
    assert rel["followed_by"] is False  # a block ends the follow
    assert [a["id"] for a in masto_alice.blocks()] == [bob.id]
    alice.mk("blocking/delete", {"userId": bob.id})
    assert masto_alice.account_relationships(bob.id)[0]["blocking"] is False

    alice.mk("i/update", {"name": "Alice via Misskey", "description": "Hi from Misskey"})
    shown = masto_bob.account(alice.id)
    assert shown["display_name"] == "Alice via Misskey"
    assert shown["note"] == "<p>Hi from Misskey</p>"
    assert masto_alice.account_verify_credentials()["source"]["note"] == "Hi from Misskey"


def test_mastodon_changes_seen_through_misskey(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    masto_alice = alice.mastodon.mastodon()

    masto_alice.account_follow(bob.id)
    assert _relation(alice, bob)["isFollowing"] is True
    assert _relation(bob, alice)["isFollowed"] is True
    following = alice.mk("users/following", {"userId": alice.id})
    assert [f["followeeId"] for f in following] == [bob.id]
    assert bob.mk("users/show", {"userId": alice.id})["isFollowing"] is False
    assert alice.mk("users/show", {"userId": bob.id})["isFollowing"] is True

    masto_alice.account_unfollow(bob.id)
    assert _relation(alice, bob)["isFollowing"] is False

    masto_alice.account_mute(bob.id, duration=3600)
    assert _relation(alice, bob)["isMuted"] is True
    muted = alice.mk("mute/list")
    assert muted[0]["muteeId"] == bob.id
    assert muted[0]["expiresAt"] is not None
    masto_alice.account_unmute(bob.id)
    assert _relation(alice, bob)["isMuted"] is False

    masto_alice.account_block(bob.id)
    assert _relation(alice, bob)["isBlocking"] is True
    assert _relation(bob, alice)["isBlocked"] is True
    assert [b["blockeeId"] for b in alice.mk("blocking/list")] == [bob.id]
    masto_alice.account_unblock(bob.id)
    assert _relation(alice, bob)["isBlocking"] is False

    alice.mk("users/update-memo", {"userId": bob.id, "memo": "met at the park"})
    assert masto_alice.account_relationships(bob.id)[0]["note"] == "met at the park"
    masto_alice.account_note_set(bob.id, "changed")
    assert alice.mk("users/show", {"userId": bob.id})["memo"] == "changed"
    alice.mk("users/update-memo", {"userId": bob.id, "memo": None})
    assert masto_alice.account_relationships(bob.id)[0]["note"] == ""
    error = alice.mk.error(
        "users/update-memo", {"userId": bob.id, "memo": "x" * 2001}, 400, "INVALID_PARAM"
    )
    assert error["info"]["param"] == "memo"

    masto_alice.account_update_credentials(display_name="Alice via Mastodon", note="Hello")
    shown = bob.mk("users/show", {"userId": alice.id})
    assert shown["name"] == "Alice via Mastodon"
    assert shown["description"] == "Hello"
    assert alice.mk("i")["name"] == "Alice via Mastodon"


def test_follow_requests_across_dialects(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    alice.mk("i/update", {"isLocked": True})
    bob.mk("following/create", {"userId": alice.id})
    assert _relation(bob, alice)["hasPendingFollowRequestFromYou"] is True
    masto_alice = alice.mastodon.mastodon()
    assert [a["id"] for a in masto_alice.follow_requests()] == [bob.id]
    requests = alice.mk("following/requests/list")
    assert requests[0]["follower"]["id"] == bob.id
    assert requests[0]["followee"]["id"] == alice.id
    alice.mk("following/requests/accept", {"userId": bob.id})
    assert masto_alice.account_relationships(bob.id)[0]["followed_by"] is True
    masto_carol = carol.mastodon.mastodon()
    assert masto_carol.account_follow(alice.id)["requested"] is True
    alice.mk("following/requests/reject", {"userId": carol.id})
    assert masto_carol.account_relationships(alice.id)[0]["requested"] is False
    alice.mk.error("following/requests/accept", {"userId": carol.id}, 400, "NO_FOLLOW_REQUEST")
    carol.mk("following/create", {"userId": alice.id})
    carol.mk("following/requests/cancel", {"userId": alice.id})
    assert _relation(carol, alice)["hasPendingFollowRequestFromYou"] is False
    # A Misskey follower can be removed, then is no longer following.
    alice.mk("following/invalidate", {"userId": bob.id})
    assert _relation(bob, alice)["isFollowing"] is False


def test_social_errors(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    mk = alice.mk
    mk.error("following/create", {"userId": alice.id}, 400, "FOLLOWEE_IS_YOURSELF")
    mk.error("following/create", {"userId": "1"}, 400, "NO_SUCH_USER")
    mk("following/create", {"userId": bob.id})
    mk.error("following/create", {"userId": bob.id}, 400, "ALREADY_FOLLOWING")
    mk("following/delete", {"userId": bob.id})
    mk.error("following/delete", {"userId": bob.id}, 400, "NOT_FOLLOWING")
    mk.error("following/delete", {"userId": alice.id}, 400, "FOLLOWEE_IS_YOURSELF")
    mk.error("blocking/create", {"userId": alice.id}, 400, "BLOCKEE_IS_YOURSELF")
    mk("blocking/create", {"userId": bob.id})
    mk.error("blocking/create", {"userId": bob.id}, 400, "ALREADY_BLOCKING")
    mk.error("following/create", {"userId": bob.id}, 400, "BLOCKING")
    bob.mk.error("following/create", {"userId": alice.id}, 400, "BLOCKED")
    mk("blocking/delete", {"userId": bob.id})
    mk.error("blocking/delete", {"userId": bob.id}, 400, "NOT_BLOCKING")
    mk.error("mute/create", {"userId": alice.id}, 400, "MUTEE_IS_YOURSELF")
    past = int(time.time() * 1000) - 1000
    error = mk.error("mute/create", {"userId": bob.id, "expiresAt": past}, 400, "INVALID_PARAM")
    assert error["info"]["param"] == "expiresAt"
    mk("mute/create", {"userId": bob.id})
    mk.error("mute/create", {"userId": bob.id}, 400, "ALREADY_MUTING")
    mk("mute/delete", {"userId": bob.id})
    mk.error("mute/delete", {"userId": bob.id}, 400, "NOT_MUTING")
    mk.error("users/show", {"userId": "1"}, 400, "NO_SUCH_USER")
    mk.error("users/show", {}, 400, "INVALID_PARAM")
    by_name = mk("users/show", {"username": bob.username})
    assert by_name["id"] == bob.id
    several = mk("users/show", {"userIds": [bob.id, alice.id]})
    assert [u["id"] for u in several] == [bob.id, alice.id]
    assert mk("users/relation", {"userId": [bob.id]})[0]["id"] == bob.id
    mk.error("users/relation", {"userId": 5}, 400, "INVALID_PARAM")


def test_collection_visibility_is_shared(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    bob.mk("following/create", {"userId": alice.id})
    alice.mk("i/update", {"followersVisibility": "followers"})
    assert [f["followerId"] for f in bob.mk("users/followers", {"userId": alice.id})] == [bob.id]
    assert carol.mk("users/followers", {"userId": alice.id}) == []
    masto_carol = carol.mastodon.mastodon()
    assert masto_carol.account_followers(alice.id) == []
    assert carol.mk("users/show", {"userId": alice.id})["followersCount"] == 0
    assert bob.mk("users/show", {"userId": alice.id})["followersCount"] == 1


def test_careful_bot_and_auto_accept_followed(server: RunningServer) -> None:
    alice, bot, human, friend = (mk_user(server) for _ in range(4))
    bot.mk("i/update", {"isBot": True})
    alice.mk("i/update", {"carefulBot": True})
    bot.mk("following/create", {"userId": alice.id})
    assert _relation(bot, alice)["hasPendingFollowRequestFromYou"] is True
    human.mk("following/create", {"userId": alice.id})
    assert _relation(human, alice)["isFollowing"] is True
    alice.mk("i/update", {"isLocked": True, "autoAcceptFollowed": True})
    alice.mk("following/create", {"userId": friend.id})
    friend.mk("following/create", {"userId": alice.id})
    assert _relation(friend, alice)["isFollowing"] is True  # alice follows friend: let in
    stranger = mk_user(server)
    masto = stranger.mastodon.mastodon()
    assert masto.account_follow(alice.id)["requested"] is True
