"""Notifications of every type through both dialects: what creates them, how each dialect
names and shapes them, its type filters, and the unread count read from the marker."""

from __future__ import annotations

from typing import Any

from support.api import register
from support.misskey import MkUser, mk_user
from support.schemas import assert_valid
from support.server import RunningServer


def post(user: MkUser, **data: Any) -> dict[str, Any]:
    r = user.mastodon.api.post("/api/v1/statuses", data=data)
    assert r.status_code == 200, r.text
    return dict(r.json())


def masto(user: MkUser, **params: Any) -> list[dict[str, Any]]:
    r = user.mastodon.api.get("/api/v1/notifications", params=params)
    assert r.status_code == 200, r.text
    return list(r.json())


def test_every_type_in_both_dialects(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    bob.mastodon.api.post(f"/api/v1/accounts/{alice.id}/follow")  # follow
    post(bob, status=f"hi @{alice.username}")  # mention
    mine = post(alice, status="original")
    post(bob, status=f"@{alice.username} answer", in_reply_to_id=mine["id"])  # reply
    bob.mastodon.api.post(f"/api/v1/statuses/{mine['id']}/reblog")  # reblog
    bob.mastodon.api.post(f"/api/v1/statuses/{mine['id']}/favourite")  # favourite
    carol.mk("notes/reactions/create", {"noteId": mine["id"], "reaction": "🎉"})  # reaction
    alice.mastodon.api.post(f"/api/v1/accounts/{bob.id}/follow", data={"notify": "true"})
    news = post(bob, status="news for subscribers")  # status
    locked = register(server, locked=True)
    alice.mastodon.api.post(f"/api/v1/accounts/{locked.id}/follow")
    requests = locked.api.get("/api/v1/notifications").json()
    assert [n["type"] for n in requests] == ["follow_request"]
    assert_valid("Notification", requests[0])
    r = locked.api.post(f"/api/v1/follow_requests/{alice.id}/authorize")
    assert r.status_code == 200, r.text

    shown = masto(alice)
    assert [n["type"] for n in shown] == [
        "status",
        "favourite",
        "favourite",
        "reblog",
        "mention",
        "mention",
        "follow",
    ]  # followRequestAccepted is Misskey's alone
    for n in shown:
        assert_valid("Notification", n)
    assert shown[0]["status"]["id"] == news["id"]
    assert shown[1]["account"]["id"] == carol.id
    assert shown[3]["status"]["id"] == mine["id"]  # the reblogged status, as Mastodon
    assert shown[6]["account"]["id"] == bob.id
    assert "status" not in shown[6]
    # favourites and reblogs carry a group key (grouped notifications); mentions do not.
    assert shown[1]["group_key"] == shown[2]["group_key"] != f"ungrouped-{shown[1]['id']}"
    assert shown[4]["group_key"] == f"ungrouped-{shown[4]['id']}"

    listed = alice.mk("i/notifications", {"markAsRead": False})
    assert [n["type"] for n in listed] == [
        "followRequestAccepted",
        "note",
        "reaction",
        "reaction",
        "renote",
        "reply",
        "mention",
        "follow",
    ]
    accepted, note, party, heart, renote, reply = listed[:6]
    assert accepted["userId"] == locked.id
    assert accepted["message"] is None
    assert note["note"]["id"] == news["id"]
    assert note["userId"] == bob.id
    assert party["reaction"] == "🎉"
    assert party["user"]["id"] == carol.id
    assert heart["reaction"] == "\u2764"
    assert heart["note"]["id"] == mine["id"]
    assert renote["note"]["renoteId"] == mine["id"]
    assert reply["note"]["replyId"] == mine["id"]
    for n in listed:
        assert {"id", "createdAt", "type"} <= set(n)
        if n["type"] != "followRequestAccepted":
            assert {"user", "userId"} <= set(n)


def test_type_filters(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    bob.mastodon.api.post(f"/api/v1/accounts/{alice.id}/follow")
    carol.mastodon.api.post(f"/api/v1/accounts/{alice.id}/follow")
    mine = post(alice, status="thread start")
    post(bob, status=f"@{alice.username} a reply", in_reply_to_id=mine["id"])
    post(carol, status=f"just a mention of @{alice.username}")

    assert [n["type"] for n in masto(alice, **{"types[]": ["follow"]})] == ["follow", "follow"]
    only = masto(alice, **{"types[]": ["mention"], "account_id": carol.id})
    assert [n["account"]["id"] for n in only] == [carol.id]
    assert [n["type"] for n in masto(alice, **{"exclude_types[]": ["mention"]})] == [
        "follow",
        "follow",
    ]
    assert masto(alice, **{"types[]": ["no_such_type"]}) == []
    assert masto(alice, account_id="not-an-id") == []

    def kinds(body: dict[str, Any]) -> list[str]:
        return [n["type"] for n in alice.mk("i/notifications", {"markAsRead": False, **body})]

    assert kinds({"includeTypes": ["reply"]}) == ["reply"]
    assert kinds({"includeTypes": ["mention"]}) == ["mention"]
    assert kinds({"includeTypes": ["mention", "reply"]}) == ["mention", "reply"]
    assert kinds({"excludeTypes": ["reply", "follow"]}) == ["mention"]
    assert kinds({"excludeTypes": ["mention"]}) == ["reply", "follow", "follow"]
    assert kinds({"includeTypes": ["reply"], "excludeTypes": ["reply"]}) == []
    assert kinds({"includeTypes": ["note", "pollEnded"]}) == []


def test_status_notifications_follow_mastodon_rules(server: RunningServer) -> None:
    author, fan, quiet, blocker = mk_user(server), mk_user(server), mk_user(server), mk_user(server)
    fan.mastodon.api.post(f"/api/v1/accounts/{author.id}/follow", data={"notify": "true"})
    quiet.mastodon.api.post(f"/api/v1/accounts/{author.id}/follow")
    blocker.mastodon.api.post(f"/api/v1/accounts/{author.id}/follow", data={"notify": "true"})
    blocker.mastodon.api.post(f"/api/v1/accounts/{author.id}/block")
    other = post(quiet, status="someone else's")
    first = post(author, status="public post")
    post(author, status="followers only", visibility="private")
    post(author, status=f"@{quiet.username} direct", visibility="direct")
    post(author, status="reply to someone else", in_reply_to_id=other["id"])
    post(author, status="continuing my thread", in_reply_to_id=first["id"])
    reblog = author.mastodon.api.post(f"/api/v1/statuses/{other['id']}/reblog").json()
    assert reblog["reblog"]["id"] == other["id"]
    got = [n["status"]["content"] for n in masto(fan, **{"types[]": ["status"]})]
    assert got == ["<p>continuing my thread</p>", "<p>followers only</p>", "<p>public post</p>"]
    assert masto(quiet, **{"types[]": ["status"]}) == []
    assert masto(blocker) == []
    # Turning notify off stops them.
    fan.mastodon.api.post(f"/api/v1/accounts/{author.id}/follow", data={"notify": "false"})
    post(author, status="after notify off")
    assert len(masto(fan, **{"types[]": ["status"]})) == 3


def test_unread_count_reads_the_marker(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    bob.mastodon.api.post(f"/api/v1/accounts/{alice.id}/follow")
    carol.mastodon.api.post(f"/api/v1/accounts/{alice.id}/follow")
    post(bob, status=f"@{alice.username} hello")
    count = alice.mastodon.api.get("/api/v1/notifications/unread_count").json()
    assert count == {"count": 3}
    limited = alice.mastodon.api.get("/api/v1/notifications/unread_count", params={"limit": 2})
    assert limited.json() == {"count": 2}
    follows = alice.mastodon.api.get(
        "/api/v1/notifications/unread_count", params={"types[]": "follow"}
    )
    assert follows.json() == {"count": 2}
    listed = masto(alice)
    r = alice.mastodon.api.post(
        "/api/v1/markers", data={"notifications[last_read_id]": listed[1]["id"]}
    )
    assert r.status_code == 200, r.text
    assert alice.mastodon.api.get("/api/v1/notifications/unread_count").json() == {"count": 1}
    # The marker marks them read for Misskey clients too.
    assert alice.mk("i")["unreadNotificationsCount"] == 1


def test_misskey_grouped_notifications(server: RunningServer) -> None:
    alice, bob, carol, dave = (mk_user(server) for _ in range(4))
    note = alice.mk("notes/create", {"text": "react to me"})["createdNote"]
    bob.mk("notes/reactions/create", {"noteId": note["id"], "reaction": "👍"})
    carol.mk("notes/reactions/create", {"noteId": note["id"], "reaction": "🎉"})
    dave.mk("notes/create", {"renoteId": note["id"]})
    bob.mk("notes/create", {"renoteId": note["id"]})
    groups = alice.mk("i/notifications-grouped", {"markAsRead": False})
    assert [g["type"] for g in groups] == ["renote:grouped", "reaction:grouped"]
    renotes, reactions = groups
    assert [u["id"] for u in renotes["users"]] == [bob.id, dave.id]
    assert renotes["note"]["renoteId"] == note["id"]  # the newest renote, as Misskey
    assert "user" not in renotes
    assert [(r["user"]["id"], r["reaction"]) for r in reactions["reactions"]] == [
        (carol.id, "🎉"),
        (bob.id, "👍"),
    ]
    single = alice.mk("i/notifications-grouped", {"limit": 1, "markAsRead": False})
    assert [g["type"] for g in single] == ["renote"]
    r = alice.mastodon.api.post(f"/api/v1/notifications/{10**15}/dismiss")
    assert r.status_code == 404
