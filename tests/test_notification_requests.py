"""The notification policy filters: held-back notifications, notification requests (accept,
dismiss, one by one and in bulk) and `drop`, through both dialects."""

from __future__ import annotations

from typing import Any

from support.api import User, register
from support.misskey import Misskey, sign_in
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
    assert [r["notifications_count"] for r in requests_of(me)] == ["2"]
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
