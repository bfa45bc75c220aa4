"""/api/v1/notifications/policy: Mastodon 4.3's v1 booleans over the same stored policy as
/api/v2/notifications/policy (true filters, false accepts; a condition that drops shows as
filtering)."""

from __future__ import annotations

from typing import Any

from support.api import Api, User, register
from support.schemas import assert_valid
from support.server import RunningServer

V1 = "/api/v1/notifications/policy"
V2 = "/api/v2/notifications/policy"


def v1(user: User) -> dict[str, Any]:
    r = user.api.get(V1)
    assert r.status_code == 200, r.text
    assert_valid("V1NotificationPolicy", r.json())
    return dict(r.json())


def v2(user: User) -> dict[str, Any]:
    r = user.api.get(V2)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_defaults_and_summary(server: RunningServer) -> None:
    me, stranger = register(server), register(server)
    assert v1(me) == {
        "filter_not_following": False,
        "filter_not_followers": False,
        "filter_new_accounts": False,
        "filter_private_mentions": True,
        "summary": {"pending_requests_count": 0, "pending_notifications_count": 0},
    }
    stranger.api.post(
        "/api/v1/statuses", data={"status": f"@{me.username} psst", "visibility": "direct"}
    )
    assert v1(me)["summary"] == {"pending_requests_count": 1, "pending_notifications_count": 1}


def test_v1_writes_the_policy_v2_reads(server: RunningServer) -> None:
    me = register(server)
    r = me.api.put(V1, data={"filter_not_following": "true", "filter_private_mentions": "0"})
    assert r.status_code == 200, r.text
    assert_valid("V1NotificationPolicy", r.json())
    assert r.json()["filter_not_following"] is True
    assert r.json()["filter_private_mentions"] is False
    shown = v2(me)
    assert shown["for_not_following"] == "filter"
    assert shown["for_private_mentions"] == "accept"
    assert shown["for_not_followers"] == "accept"  # not sent: unchanged
    assert shown["for_limited_accounts"] == "filter"  # v1 has no such field
    # JSON booleans, and PATCH as well as PUT (Rails' `resource :policy`).
    r = me.api.patch(V1, json={"filter_not_following": False, "filter_new_accounts": True})
    assert r.status_code == 200, r.text
    assert v2(me)["for_not_following"] == "accept"
    assert v2(me)["for_new_accounts"] == "filter"


def test_drop_reads_as_filtering_and_true_makes_it_filter(server: RunningServer) -> None:
    me = register(server)
    me.api.patch(V2, data={"for_not_followers": "drop", "for_new_accounts": "drop"})
    assert v1(me)["filter_not_followers"] is True
    r = me.api.put(V1, json={"filter_not_followers": True, "filter_new_accounts": False})
    assert r.status_code == 200, r.text
    assert v2(me)["for_not_followers"] == "filter"  # Mastodon's setter: true → filter
    assert v2(me)["for_new_accounts"] == "accept"


def test_the_policy_v1_sets_is_the_one_applied(server: RunningServer) -> None:
    me, stranger = register(server), register(server)
    me.api.put(V1, data={"filter_private_mentions": "false"})
    stranger.api.post(
        "/api/v1/statuses", data={"status": f"@{me.username} hello", "visibility": "direct"}
    )
    assert [n["type"] for n in me.api.get("/api/v1/notifications").json()] == ["mention"]
    assert v1(me)["summary"]["pending_requests_count"] == 0


def test_values_that_are_no_boolean_are_refused(server: RunningServer) -> None:
    me = register(server)
    for body in (
        {"data": {"filter_not_following": "maybe"}},
        {"json": {"filter_not_following": "yes please"}},
        {"json": {"filter_not_following": 7}},
        {"json": {"filter_not_following": ["true"]}},
        {"json": {"filter_not_following": {"a": True}}},
        {"json": {"filter_not_following": None}},
        {"json": {"filter_new_accounts": True, "filter_not_following": ""}},
    ):
        r = me.api.put(V1, **body)
        assert r.status_code == 422, (body, r.status_code, r.text)
        assert r.json()["error"].startswith("Validation failed"), r.text
        assert r.json()["details"]["filter_not_following"][0]["error"] == "ERR_INCLUSION"
    # Nothing was changed by the refused calls; unknown names are ignored.
    assert v2(me)["for_not_following"] == "accept"
    assert v2(me)["for_new_accounts"] == "accept"
    r = me.api.put(V1, json={"filter_bots": True, "other": "x"})
    assert r.status_code == 200, r.text


def test_needs_the_notification_scopes(server: RunningServer) -> None:
    me = register(server)
    reader = Api(server, me.token_with("read:notifications"))
    assert reader.get(V1).status_code == 200
    refused = reader.put(V1, data={"filter_not_following": "true"})
    assert refused.status_code == 403
    assert refused.json() == {"error": "This action is outside the authorized scopes"}
    assert Api(server).get(V1).status_code == 401
