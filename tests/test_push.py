"""Web Push: Misskey's sw/* and Mastodon's /api/v1/push/subscription, and real deliveries to
a local push service that checks the VAPID signature and decrypts each message."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from support.api import User, register
from support.misskey import Misskey, MkUser, app_token, mk_user
from support.push_service import Browser, PushService, check_vapid
from support.server import RunningServer

SPEC = Path(__file__).resolve().parents[2] / "shared/spec/reference/mastodon-openapi-4.7.0.json"
NO_SUCH_REGISTRATION_ID = " b09d8066-8064-5613-efb6-0e963b21d012"


@pytest.fixture(scope="module")
def service() -> Iterator[PushService]:
    running = PushService()
    yield running
    running.close()


def _server_key(server: RunningServer) -> str:
    key = Misskey(server)("meta")["swPublickey"]
    assert isinstance(key, str)
    assert key
    return key


def _sw_register(user: MkUser, browser: Browser, **extra: Any) -> dict[str, Any]:
    body = {"endpoint": browser.endpoint, "auth": browser.auth, "publickey": browser.p256dh}
    return dict(user.mk("sw/register", {**body, **extra}))


def _subscribe(user: User, browser: Browser, **data: Any) -> dict[str, Any]:
    body = {
        "subscription": {
            "endpoint": browser.endpoint,
            "keys": {"p256dh": browser.p256dh, "auth": browser.auth},
        },
        "data": {"alerts": {"follow": True, "mention": True}, **data},
    }
    r = user.api.post("/api/v1/push/subscription", json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


# Misskey sw/*


def test_sw_register_show_update_unregister(server: RunningServer, service: PushService) -> None:
    user = mk_user(server)
    browser = service.browser()
    first = _sw_register(user, browser)
    assert first == {
        "state": "subscribed",
        "key": _server_key(server),
        "userId": user.id,
        "endpoint": browser.endpoint,
        "sendReadMessage": False,
    }
    again = _sw_register(user, browser, sendReadMessage=True)
    assert again["state"] == "already-subscribed"
    assert again["sendReadMessage"] is False  # the stored value, as Misskey
    shown = user.mk("sw/show-registration", {"endpoint": browser.endpoint})
    assert shown == {"userId": user.id, "endpoint": browser.endpoint, "sendReadMessage": False}
    r = user.mk.raw("sw/show-registration", {"endpoint": "https://push.example/none"})
    assert r.status_code == 204
    assert r.content == b""
    updated = user.mk(
        "sw/update-registration", {"endpoint": browser.endpoint, "sendReadMessage": True}
    )
    assert updated == {"userId": user.id, "endpoint": browser.endpoint, "sendReadMessage": True}
    error = user.mk.error(
        "sw/update-registration",
        {"endpoint": "https://push.example/none"},
        400,
        "NO_SUCH_REGISTRATION",
    )
    assert error["id"] == NO_SUCH_REGISTRATION_ID
    assert user.mk("sw/unregister", {"endpoint": browser.endpoint}) is None
    r = user.mk.raw("sw/show-registration", {"endpoint": browser.endpoint})
    assert r.status_code == 204


def test_sw_is_secure_and_validates(server: RunningServer, service: PushService) -> None:
    user = mk_user(server)
    browser = service.browser()
    body = {"endpoint": browser.endpoint, "auth": browser.auth, "publickey": browser.p256dh}
    third_party = Misskey(server, app_token(user, ["read:account", "write:account"]))
    for name in ("sw/register", "sw/show-registration", "sw/update-registration"):
        third_party.error(name, body, 400, "ACCESS_DENIED")
        Misskey(server).error(name, body, 400, "ACCESS_DENIED")
    user.mk.error("sw/register", {"endpoint": browser.endpoint}, 400, "INVALID_PARAM")
    for bad in (
        {"endpoint": "not a url"},
        {"endpoint": "ftp://push.example/x"},
        {"endpoint": "http://push.example/x"},  # plain http only to loopback (tests)
        {"publickey": "dGVzdA"},
        {"auth": "c2hvcnQ"},
    ):
        user.mk.error("sw/register", {**body, **bad}, 400, "INVALID_PARAM")
    user.mk.error("sw/register", {**body, "sendReadMessage": "yes"}, 400, "INVALID_PARAM")


def test_sw_unregister_without_credential_removes_everyone(
    server: RunningServer, service: PushService
) -> None:
    a, b = mk_user(server), mk_user(server)
    shared = service.browser()
    _sw_register(a, shared)
    _sw_register(b, shared)
    # With a user: only that user's row goes.
    a.mk("sw/unregister", {"endpoint": shared.endpoint})
    assert a.mk.raw("sw/show-registration", {"endpoint": shared.endpoint}).status_code == 204
    assert b.mk("sw/show-registration", {"endpoint": shared.endpoint})["userId"] == b.id
    _sw_register(a, shared)
    r = Misskey(server).raw("sw/unregister", {"endpoint": shared.endpoint})
    assert r.status_code == 204
    for user in (a, b):
        assert user.mk.raw("sw/show-registration", {"endpoint": shared.endpoint}).status_code == 204
    Misskey(server).error("sw/unregister", {}, 400, "INVALID_PARAM")


# Mastodon /api/v1/push/subscription


def test_mastodon_subscription_crud(server: RunningServer, service: PushService) -> None:
    user = register(server)
    api = user.api
    missing = api.get("/api/v1/push/subscription")
    assert missing.status_code == 404
    assert missing.json() == {"error": "Record not found"}
    browser = service.browser()
    made = _subscribe(user, browser, policy="followed")
    instance = api.get("/api/v2/instance").json()
    assert made["server_key"] == instance["configuration"]["vapid"]["public_key"]
    assert made["server_key"] == _server_key(server)
    assert made["endpoint"] == browser.endpoint
    assert made["policy"] == "followed"
    assert made["alerts"]["follow"] is True
    assert made["alerts"]["mention"] is True
    assert made["alerts"]["favourite"] is False
    assert made["alerts"]["admin.sign_up"] is False
    assert made["standard"] is False
    if SPEC.exists():  # Mastodon's published entity schema
        schemas = json.loads(SPEC.read_text())["components"]["schemas"]
        jsonschema.validate(made, schemas["WebPushSubscription"])
    assert api.get("/api/v1/push/subscription").json() == made
    # PUT replaces the data part as a whole (nested-bracket form keys, as Mastodon.py sends).
    changed = api.put(
        "/api/v1/push/subscription",
        data={"data[alerts][favourite]": "true", "data[alerts][admin.sign_up]": "1"},
    ).json()
    assert changed["id"] == made["id"]
    assert changed["policy"] == "all"
    on = {k for k, v in changed["alerts"].items() if v}
    assert on == {"favourite", "admin.sign_up"}
    # A new POST (form body) replaces the token's subscription.
    other = service.browser()
    replaced = api.post(
        "/api/v1/push/subscription",
        data={
            "subscription[endpoint]": other.endpoint,
            "subscription[keys][p256dh]": other.p256dh,
            "subscription[keys][auth]": other.auth,
            "subscription[standard]": "true",
            "data[alerts][reblog]": "true",
            "data[alerts][mention]": "false",
        },
    ).json()
    assert replaced["id"] != made["id"]
    assert replaced["standard"] is True
    assert replaced["alerts"]["reblog"] is True
    assert replaced["alerts"]["mention"] is False
    assert api.get("/api/v1/push/subscription").json()["endpoint"] == other.endpoint
    # Another token of the same user has a subscription of its own (none yet).
    second = User(**{**user.__dict__, "token": user.token_with("push")})
    assert second.api.get("/api/v1/push/subscription").status_code == 404
    r = api.delete("/api/v1/push/subscription")
    assert r.status_code == 200
    assert r.json() == {}
    assert api.get("/api/v1/push/subscription").status_code == 404
    assert api.put("/api/v1/push/subscription", json={}).status_code == 404


def test_mastodon_subscription_errors(server: RunningServer, service: PushService) -> None:
    user = register(server)
    api = user.api
    browser = service.browser()
    r = api.post("/api/v1/push/subscription", json={"data": {"policy": "all"}})
    assert r.status_code == 400
    assert "subscription" in r.json()["error"]
    good = {"endpoint": browser.endpoint, "keys": {"p256dh": browser.p256dh, "auth": browser.auth}}
    for bad in (
        {"keys": {"p256dh": "nope", "auth": browser.auth}},
        {"keys": {"p256dh": browser.p256dh, "auth": "c2hvcnQ"}},
        {"keys": {}},
        {"endpoint": "javascript:alert(1)"},
        {"endpoint": ""},
    ):
        r = api.post("/api/v1/push/subscription", json={"subscription": {**good, **bad}})
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["error"].startswith("Validation failed"), r.text
    r = api.post(
        "/api/v1/push/subscription", json={"subscription": good, "data": {"policy": "some"}}
    )
    assert r.status_code == 422
    r = api.post("/api/v1/push/subscription", json={"subscription": "x"})
    assert r.status_code == 400
    without_push = user.token_with("read write follow")
    r = api.get("/api/v1/push/subscription", headers={"Authorization": f"Bearer {without_push}"})
    assert r.status_code == 403
    r = api.get("/api/v1/push/subscription", headers={"Authorization": ""})
    assert r.status_code == 401


# Deliveries


def test_misskey_follow_push_is_signed_and_decrypts(
    server: RunningServer, service: PushService
) -> None:
    alice, bob = mk_user(server), mk_user(server)
    browser = service.browser()
    _sw_register(alice, browser)
    bob.mk("following/create", {"userId": alice.id})
    (delivery,) = service.wait_for(browser)
    claims = check_vapid(delivery, _server_key(server), service.origin)
    assert claims["sub"] == server.base_url
    assert int(delivery.headers["ttl"]) > 0
    assert delivery.headers["urgency"] == "normal"
    message = browser.decrypt(delivery)
    assert set(message) == {"type", "body", "userId", "dateTime"}
    assert message["type"] == "notification"
    assert message["userId"] == alice.id
    assert abs(message["dateTime"] / 1000 - time.time()) < 60
    listed = alice.mk("i/notifications", {"markAsRead": False})
    assert message["body"] == listed[0]
    assert message["body"]["type"] == "follow"
    assert message["body"]["userId"] == bob.id


def test_mastodon_follow_push_is_signed_and_decrypts(
    server: RunningServer, service: PushService
) -> None:
    alice, bob = register(server), register(server)
    browser = service.browser()
    _subscribe(alice, browser)
    r = bob.api.post(f"/api/v1/accounts/{alice.id}/follow")
    assert r.status_code == 200, r.text
    (delivery,) = service.wait_for(browser)
    check_vapid(delivery, _server_key(server), service.origin)
    message = browser.decrypt(delivery)
    notification = alice.api.get("/api/v1/notifications").json()[0]
    assert message == {
        "access_token": alice.token,
        "preferred_locale": "en",
        "notification_id": notification["id"],
        "notification_type": "follow",
        "icon": notification["account"]["avatar_static"],
        "title": f"{bob.username} is now following you",
        "body": "",
    }


def test_mastodon_alerts_and_policy(server: RunningServer, service: PushService) -> None:
    alice, friend, stranger = register(server), register(server), register(server)
    alice.api.post(f"/api/v1/accounts/{friend.id}/follow")
    browser = service.browser()
    _subscribe(alice, browser, alerts={"mention": True, "follow": False}, policy="followed")
    stranger.api.post(f"/api/v1/accounts/{alice.id}/follow")  # follow alerts are off
    stranger.api.post("/api/v1/statuses", json={"status": f"@{alice.username} hi"})  # policy
    friend.api.post("/api/v1/statuses", json={"status": f"@{alice.username} hello friend"})
    (message,) = service.messages(browser)
    time.sleep(0.5)  # anything queued before the friend's mention has been sent by now
    assert len(service.to(browser)) == 1
    assert message["notification_type"] == "mention"
    assert message["body"] == f"@{alice.username} hello friend"


def test_gone_subscriptions_are_dropped(server: RunningServer, service: PushService) -> None:
    mastodon_user, misskey_user, bob = register(server), mk_user(server), mk_user(server)
    gone_m, gone_k = service.browser(status=410), service.browser(status=404)
    _subscribe(mastodon_user, gone_m)
    _sw_register(misskey_user, gone_k)
    bob.mk("following/create", {"userId": mastodon_user.id})
    bob.mk("following/create", {"userId": misskey_user.id})
    service.wait_for(gone_m)
    service.wait_for(gone_k)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        m = mastodon_user.api.get("/api/v1/push/subscription").status_code
        k = misskey_user.mk.raw("sw/show-registration", {"endpoint": gone_k.endpoint}).status_code
        if (m, k) == (404, 204):
            break
        time.sleep(0.05)
    assert (m, k) == (404, 204)


def test_misskey_read_message_and_unread_rule(server: RunningServer, service: PushService) -> None:
    alice, bob = mk_user(server), mk_user(server)
    reader, quiet = service.browser(), service.browser()
    _sw_register(alice, reader, sendReadMessage=True)
    _sw_register(alice, quiet)
    bob.mk("following/create", {"userId": alice.id})
    alice.mk("notifications/mark-all-as-read")  # read before the 2 s: no notification push
    (message,) = service.messages(reader)
    assert message["type"] == "readAllNotifications"
    assert "body" not in message
    assert message["userId"] == alice.id
    time.sleep(2.5)
    assert [reader.decrypt(d)["type"] for d in service.to(reader)] == ["readAllNotifications"]
    assert service.to(quiet) == []


def test_misskey_new_chat_message_push(server: RunningServer, service: PushService) -> None:
    alice, bob = mk_user(server), mk_user(server)
    alice.mk("i/update", {"chatScope": "everyone"})
    browser = service.browser()
    _sw_register(alice, browser)
    sent = bob.mk("chat/messages/create-to-user", {"toUserId": alice.id, "text": "psst"})
    (message,) = service.messages(browser, timeout=20)
    assert message["type"] == "newChatMessage"
    assert message["userId"] == alice.id
    body = message["body"]
    assert body["id"] == sent["id"]
    assert body["text"] == "psst"
    assert body["fromUserId"] == bob.id
    assert body["fromUser"]["id"] == bob.id
    assert body["toUserId"] == alice.id


def test_revoked_token_takes_its_subscription(server: RunningServer, service: PushService) -> None:
    alice, bob = register(server), register(server)
    other_token = alice.token_with("push")
    revoked, kept = service.browser(), service.browser()
    _subscribe(User(**{**alice.__dict__, "token": other_token}), revoked)
    _subscribe(alice, kept)
    r = alice.api.post(
        "/oauth/revoke",
        data={
            "client_id": alice.app.client_id,
            "client_secret": alice.app.client_secret,
            "token": other_token,
        },
    )
    assert r.status_code == 200, r.text
    bob.api.post(f"/api/v1/accounts/{alice.id}/follow")
    service.wait_for(kept)
    time.sleep(0.3)
    assert service.to(revoked) == []


def test_misskey_mention_push_summarises_the_note(
    server: RunningServer, service: PushService
) -> None:
    alice, bob = mk_user(server), mk_user(server)
    browser = service.browser()
    _sw_register(alice, browser)
    bob.mk("notes/create", {"text": f"@{alice.username} secret", "cw": "spoiler"})
    (message,) = service.messages(browser)
    body = message["body"]
    assert body["type"] == "mention"
    assert body["user"]["id"] == bob.id
    note = body["note"]
    assert note["text"] == "spoiler"  # the cw stands for the text
    assert "cw" not in note
    assert "user" not in note
    assert note["userId"] == bob.id
