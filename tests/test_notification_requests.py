"""The notification policy filters: held-back notifications, notification requests (accept,
dismiss, one by one and in bulk) and `drop`, through both dialects."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from support.api import User, register
from support.misskey import Misskey, sign_in
from support.receiver import Receiver
from support.schemas import assert_valid
from support.server import RunningServer


def notification_ids(user: User, **params: Any) -> list[str]:
    r = user.api.get("/api/v1/notifications", params=params)
    assert r.status_code == 200, r.text
    for item in r.json():
        assert_valid("Notification", item)
    return [n["id"] for n in r.json()]


def types_of(user: User, **params: Any) -> list[str]:
    r = user.api.get("/api/v1/notifications", params=params)
    assert r.status_code == 200, r.text
    return [n["type"] for n in r.json()]


def requests_of(user: User) -> list[dict[str, Any]]:
    r = user.api.get("/api/v1/notifications/requests")
    assert r.status_code == 200, r.text
    for item in r.json():
        assert_valid("NotificationRequest", item)
    return list(r.json())


def policy(user: User, **changes: str) -> dict[str, Any]:
    r = (
        user.api.patch("/api/v2/notifications/policy", data=changes)
        if changes
        else user.api.get("/api/v2/notifications/policy")
    )
    assert r.status_code == 200, r.text
    assert_valid("NotificationPolicy", r.json())
    return dict(r.json())


def dm(sender: User, recipient: User, text: str = "hello", **extra: str) -> dict[str, Any]:
    r = sender.api.post(
        "/api/v1/statuses",
        data={"status": f"@{recipient.username} {text}", "visibility": "direct", **extra},
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_a_strangers_private_mention_waits_in_a_request(server: RunningServer) -> None:
    me, stranger = register(server), register(server)
    first = dm(stranger, me, "one")
    last = dm(stranger, me, "two")
    # Held back from both dialects' lists and counts (the default policy filters them).
    assert notification_ids(me) == []
    grouped = me.api.get("/api/v2/notifications").json()
    assert grouped["notification_groups"] == []
    assert me.api.get("/api/v1/notifications/unread_count").json() == {"count": 0}
    assert me.api.get("/api/v2/notifications/unread_count").json() == {"count": 0}
    mk = Misskey(server, sign_in(server, me.username))
    assert mk("i/notifications", {}) == []
    assert mk("i", {})["hasUnreadNotification"] is False
    # …but shown when asked for, or in the list of that sender's.
    assert types_of(me, include_filtered="true") == ["mention", "mention"]
    assert types_of(me, account_id=stranger.id) == ["mention", "mention"]
    found = requests_of(me)
    assert len(found) == 1
    request = found[0]
    assert request["account"]["id"] == stranger.id
    assert request["notifications_count"] == "2"
    assert request["last_status"]["id"] == last["id"] != first["id"]
    one = me.api.get(f"/api/v1/notifications/requests/{request['id']}")
    assert one.status_code == 200, one.text
    assert one.json() == request
    assert policy(me)["summary"] == {"pending_requests_count": 1, "pending_notifications_count": 2}
    # Nobody else sees it; a public mention from the same stranger is not held back.
    other = register(server)
    assert requests_of(other) == []
    assert other.api.get(f"/api/v1/notifications/requests/{request['id']}").status_code == 404
    stranger.api.post("/api/v1/statuses", data={"status": f"@{me.username} in public"})
    assert types_of(me) == ["mention"]


def test_accepting_shows_them_and_lets_the_sender_through(server: RunningServer) -> None:
    me, stranger = register(server), register(server)
    dm(stranger, me)
    request = requests_of(me)[0]
    r = me.api.post(f"/api/v1/notifications/requests/{request['id']}/accept")
    assert r.status_code == 200, r.text
    assert r.json() == {}
    assert me.api.get("/api/v1/notifications/requests/merged").json() == {"merged": True}
    assert types_of(me) == ["mention"]
    assert me.api.get("/api/v1/notifications/unread_count").json() == {"count": 1}
    assert requests_of(me) == []
    assert policy(me)["summary"] == {"pending_requests_count": 0, "pending_notifications_count": 0}
    dm(stranger, me, "again")  # an accepted sender passes from now on
    assert types_of(me) == ["mention", "mention"]
    assert requests_of(me) == []
    # Accepting it again: the request is gone.
    again = me.api.post(f"/api/v1/notifications/requests/{request['id']}/accept")
    assert again.status_code == 404
    assert "error" in again.json()


def test_dismissing_drops_the_request_and_its_notifications(server: RunningServer) -> None:
    me, one, two = register(server), register(server), register(server)
    dm(one, me)
    dm(two, me)
    ids = [r["id"] for r in requests_of(me)]
    assert len(ids) == 2
    r = me.api.post("/api/v1/notifications/requests/dismiss", data={"id[]": ids})
    assert r.status_code == 200, r.text
    assert r.json() == {}
    assert requests_of(me) == []
    assert types_of(me, include_filtered="true") == []
    # Bulk calls skip what is not one's own; one by one it is not found.
    assert me.api.post("/api/v1/notifications/requests/accept", data={"id[]": ids}).json() == {}
    assert me.api.post(f"/api/v1/notifications/requests/{ids[0]}/dismiss").status_code == 404
    assert me.api.get("/api/v1/notifications/requests/nope").status_code == 404
    dm(one, me, "still here")  # a later mention opens a new request
    assert [r["account"]["id"] for r in requests_of(me)] == [one.id]


def test_bulk_accept(server: RunningServer) -> None:
    me, one, two = register(server), register(server), register(server)
    dm(one, me)
    dm(two, me)
    ids = [r["id"] for r in requests_of(me)]
    r = me.api.post("/api/v1/notifications/requests/accept", json={"id": ids})
    assert r.status_code == 200, r.text
    assert requests_of(me) == []
    assert types_of(me) == ["mention", "mention"]


def test_answering_ones_own_private_mention_passes(server: RunningServer) -> None:
    me, friend = register(server), register(server)
    mine = dm(me, friend, "are you there?")
    dm(friend, me, "yes", in_reply_to_id=mine["id"])
    assert types_of(me) == ["mention"]
    assert requests_of(me) == []


def test_following_the_sender_lets_everything_through(server: RunningServer) -> None:
    me, friend = register(server), register(server)
    me.api.post(f"/api/v1/accounts/{friend.id}/follow")
    policy(me, for_not_following="drop", for_new_accounts="filter")
    dm(friend, me)
    assert types_of(me) == ["mention"]


def test_filter_and_drop_other_types(server: RunningServer) -> None:
    me, stranger = register(server), register(server)
    status = me.api.post("/api/v1/statuses", data={"status": "like me"}).json()
    changed = policy(me, for_not_following="filter", for_private_mentions="accept")
    assert changed["for_not_following"] == "filter"
    stranger.api.post(f"/api/v1/statuses/{status['id']}/favourite")
    # Filtered, but only mentions and quotes open a request (as Mastodon).
    assert types_of(me) == []
    assert types_of(me, include_filtered="true") == ["favourite"]
    assert requests_of(me) == []
    dm(stranger, me)
    assert types_of(me) == []
    # The request counts the mentions and quotes it holds (Mastodon's), not the favourite.
    assert [r["notifications_count"] for r in requests_of(me)] == ["1"]
    assert policy(me)["summary"] == {"pending_requests_count": 1, "pending_notifications_count": 1}
    # Dropped: not stored at all.
    policy(me, for_not_following="drop")
    third = register(server)
    third.api.post(f"/api/v1/statuses/{status['id']}/favourite")
    third.api.post(f"/api/v1/accounts/{me.id}/follow")
    assert types_of(me, account_id=third.id) == []
    # New accounts (younger than 30 days): every account of the test is one.
    policy(me, for_not_following="accept", for_new_accounts="drop")
    fourth = register(server)
    fourth.api.post("/api/v1/statuses", data={"status": f"@{me.username} hi"})
    assert types_of(me, account_id=fourth.id) == []
    # Accepting everything again: nothing is held back.
    policy(
        me,
        for_not_following="accept",
        for_not_followers="accept",
        for_new_accounts="accept",
        for_private_mentions="accept",
        for_limited_accounts="accept",
    )
    fifth = register(server)
    dm(fifth, me)
    assert types_of(me, account_id=fifth.id) == ["mention"]
    assert types_of(me) == ["mention"]


def test_not_followers(server: RunningServer) -> None:
    """A follower of less than 3 days still counts as a stranger (Mastodon's rule)."""
    me, fan = register(server), register(server)
    fan.api.post(f"/api/v1/accounts/{me.id}/follow")
    policy(me, for_not_followers="filter")
    status = me.api.post("/api/v1/statuses", data={"status": "post"}).json()
    fan.api.post(f"/api/v1/statuses/{status['id']}/reblog")
    assert types_of(me) == ["follow"]  # it came before the policy
    assert types_of(me, include_filtered="true") == ["reblog", "follow"]


def test_bad_policy_values_say_what_to_send(server: RunningServer) -> None:
    me = register(server)
    r = me.api.patch("/api/v2/notifications/policy", data={"for_not_following": "block"})
    assert r.status_code == 422
    assert "for_not_following" in r.text


def summary_of(user: User) -> dict[str, int]:
    return dict(policy(user)["summary"])


def filtered_ids(user: User) -> list[str]:
    return notification_ids(user, include_filtered="true", types=["mention"])


def test_counts_follow_deleted_statuses(server: RunningServer) -> None:
    me, stranger = register(server), register(server)
    first, second = dm(stranger, me, "one"), dm(stranger, me, "two")
    request = requests_of(me)[0]
    assert request["notifications_count"] == "2"
    assert stranger.api.delete(f"/api/v1/statuses/{second['id']}").status_code == 200
    # Counted again, and the last status is gone from it.
    (after,) = requests_of(me)
    assert after["id"] == request["id"]
    assert after["notifications_count"] == "1"
    assert after["last_status"] is None
    assert summary_of(me) == {"pending_requests_count": 1, "pending_notifications_count": 1}
    assert stranger.api.delete(f"/api/v1/statuses/{first['id']}").status_code == 200
    # Nothing left: the request goes (Mastodon's reconsider_existence!).
    assert requests_of(me) == []
    assert summary_of(me) == {"pending_requests_count": 0, "pending_notifications_count": 0}
    assert me.api.get(f"/api/v1/notifications/requests/{request['id']}").status_code == 404
    gone = me.api.post(f"/api/v1/notifications/requests/{request['id']}/accept")
    assert gone.status_code == 404
    # A later mention opens it again, counted from one.
    dm(stranger, me, "three")
    assert [r["notifications_count"] for r in requests_of(me)] == ["1"]


def test_dismissing_held_notifications_counts_again(server: RunningServer) -> None:
    me, stranger, other = register(server), register(server), register(server)
    dm(stranger, me, "one")
    dm(stranger, me, "two")
    dm(other, me, "three")
    newest, oldest = filtered_ids(me)[1:]  # the stranger's, newest first
    r = me.api.post(f"/api/v1/notifications/{newest}/dismiss")
    assert r.status_code == 200, r.text
    counts = {q["account"]["id"]: q["notifications_count"] for q in requests_of(me)}
    assert counts == {stranger.id: "1", other.id: "1"}
    assert summary_of(me) == {"pending_requests_count": 2, "pending_notifications_count": 2}
    # Through the grouped API (a mention is its own group).
    r = me.api.post(f"/api/v2/notifications/ungrouped-{oldest}/dismiss")
    assert r.status_code == 200, r.text
    assert [q["account"]["id"] for q in requests_of(me)] == [other.id]
    assert summary_of(me) == {"pending_requests_count": 1, "pending_notifications_count": 1}
    # Clearing every notification.
    assert me.api.post("/api/v1/notifications/clear").status_code == 200
    assert requests_of(me) == []
    assert summary_of(me) == {"pending_requests_count": 0, "pending_notifications_count": 0}


def test_blocking_the_sender_drops_the_request(server: RunningServer) -> None:
    me, stranger = register(server), register(server)
    dm(stranger, me)
    assert len(requests_of(me)) == 1
    r = me.api.post(f"/api/v1/accounts/{stranger.id}/block")
    assert r.status_code == 200, r.text
    # Mastodon's AfterBlockService: their notifications go, and the request with them.
    assert requests_of(me) == []
    assert summary_of(me) == {"pending_requests_count": 0, "pending_notifications_count": 0}
    assert notification_ids(me, account_id=stranger.id) == []
    me.api.post(f"/api/v1/accounts/{stranger.id}/unblock")
    dm(stranger, me, "again")
    assert [q["notifications_count"] for q in requests_of(me)] == ["1"]


def conversations_of(user: User) -> list[dict[str, Any]]:
    r = user.api.get("/api/v1/conversations")
    assert r.status_code == 200, r.text
    return list(r.json())


def test_a_held_direct_message_joins_no_conversation_until_accepted(
    server: RunningServer,
) -> None:
    me, stranger = register(server), register(server)
    first = dm(stranger, me, "one")
    second = dm(stranger, me, "two", in_reply_to_id=first["id"])
    # Mastodon's NotifyService pushes nothing of a filtered notification: no conversation.
    assert conversations_of(me) == []
    assert [c["last_status"]["id"] for c in conversations_of(stranger)] == [second["id"]]
    request = requests_of(me)[0]
    assert me.api.post(f"/api/v1/notifications/requests/{request['id']}/accept").json() == {}
    # Accepted: the held statuses join the conversation, unread (UnfilterNotificationsWorker).
    (conversation,) = conversations_of(me)
    assert conversation["unread"] is True
    assert conversation["last_status"]["id"] == second["id"]
    assert [a["id"] for a in conversation["accounts"]] == [stranger.id]
    # A dismissed request's messages never join.
    other = register(server)
    dm(other, me, "ignored")
    dismissed = next(q for q in requests_of(me) if q["account"]["id"] == other.id)
    me.api.post(f"/api/v1/notifications/requests/{dismissed['id']}/dismiss")
    assert len(conversations_of(me)) == 1


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


def test_a_held_mention_sends_no_webhook(server: RunningServer, receiver: Receiver) -> None:
    me, stranger = register(server), register(server)
    mk = Misskey(server, sign_in(server, me.username))
    mk(
        "i/webhooks/create",
        {"name": "hook", "url": receiver.url, "secret": "s3cret", "on": ["mention", "reply"]},
    )
    mine = me.api.post("/api/v1/statuses", data={"status": "public"}).json()
    held = dm(stranger, me, "psst")
    held_reply = dm(stranger, me, "psst again", in_reply_to_id=mine["id"])
    assert len(requests_of(me)) == 1
    shown = stranger.api.post(
        "/api/v1/statuses", data={"status": f"@{me.username} out loud"}
    ).json()
    (delivered,) = receiver.wait_for(1)
    assert delivered.body["type"] == "mention"
    assert delivered.body["body"]["note"]["id"] == shown["id"]
    time.sleep(0.5)  # nothing else follows
    sent = {r.body["body"]["note"]["id"] for r in receiver.requests}
    assert sent == {shown["id"]}
    assert held["id"] not in sent
    assert held_reply["id"] not in sent


def test_held_notifications_are_never_unread(server: RunningServer) -> None:
    me, stranger, friend = register(server), register(server), register(server)
    mk = Misskey(server, sign_in(server, me.username))
    dm(stranger, me)
    policy(me, for_not_following="filter")
    mine = me.api.post("/api/v1/statuses", data={"status": "like me"}).json()
    stranger.api.post(f"/api/v1/statuses/{mine['id']}/favourite")
    shown = mk("i", {})
    assert shown["unreadNotificationsCount"] == 0
    assert shown["hasUnreadNotification"] is False
    assert mk("i/notifications", {"markAsRead": False}) == []
    assert me.api.get("/api/v1/notifications/unread_count").json() == {"count": 0}
    assert me.api.get("/api/v2/notifications/unread_count").json() == {"count": 0}
    # One notification shown: only it is unread.
    me.api.post(f"/api/v1/accounts/{friend.id}/follow")
    friend.api.post(f"/api/v1/statuses/{mine['id']}/favourite")
    assert mk("i", {})["unreadNotificationsCount"] == 1
    assert me.api.get("/api/v1/notifications/unread_count").json() == {"count": 1}
    assert [n["type"] for n in mk("i/notifications", {"markAsRead": False})] == ["reaction"]
    # Accepted, the held mention shows and is unread; the favourite stays held until then too.
    request = requests_of(me)[0]
    me.api.post(f"/api/v1/notifications/requests/{request['id']}/accept")
    assert mk("i", {})["unreadNotificationsCount"] == 3
    assert me.api.get("/api/v1/notifications/unread_count").json() == {"count": 3}
