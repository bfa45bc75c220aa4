"""Grouped notifications (Mastodon 4.3+ /api/v2/notifications), the notification policy and
notification requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from support.api import User, register
from support.schemas import assert_valid
from support.server import RunningServer

# Statements per notifications page, whatever it holds (measured on both databases): the
# notifications (or groups, their counts and samples), reblogs shown, accounts, the statuses
# with their bundle, and the viewer's filters.
MOST = {"/api/v1/notifications": 14, "/api/v2/notifications": 16}


def grouped(user: User, **params: Any) -> dict[str, Any]:
    r = user.api.get("/api/v2/notifications", params=params)
    assert r.status_code == 200, r.text
    assert_valid("GroupedNotificationsResults", r.json())
    return dict(r.json())


def favourited(server: RunningServer) -> tuple[User, list[User], dict[str, Any]]:
    """An owner whose status three fans favourite, after two of them follow and one mentions."""
    owner = register(server)
    fans = [register(server) for _ in range(3)]
    status = owner.api.post("/api/v1/statuses", data={"status": "like me"}).json()
    fans[0].api.post(f"/api/v1/accounts/{owner.id}/follow")
    fans[1].api.post(f"/api/v1/accounts/{owner.id}/follow")
    fans[2].api.post("/api/v1/statuses", data={"status": f"hey @{owner.username}"})
    for fan in fans:
        fan.api.post(f"/api/v1/statuses/{status['id']}/favourite")
    return owner, fans, status


def test_groups(server: RunningServer) -> None:
    owner, fans, status = favourited(server)
    found = grouped(owner)
    groups = found["notification_groups"]
    assert [(g["type"], g["notifications_count"]) for g in groups] == [
        ("favourite", 3),
        ("mention", 1),
        ("follow", 2),
    ]
    favs, mention, follows = groups
    assert favs["sample_account_ids"] == [fans[2].id, fans[1].id, fans[0].id]
    assert favs["status_id"] == status["id"]
    assert favs["group_key"].startswith(f"favourite-{status['id']}-")
    assert mention["group_key"] == f"ungrouped-{mention['most_recent_notification_id']}"
    assert follows["group_key"].startswith("follow-")
    assert "status_id" not in follows
    assert {a["id"] for a in found["accounts"]} == {f.id for f in fans}
    assert {s["id"] for s in found["statuses"]} == {status["id"], mention["status_id"]}
    assert int(favs["page_max_id"]) == favs["most_recent_notification_id"]
    # grouped_types narrows what groups; types/exclude_types filter.
    ungrouped = grouped(owner, **{"grouped_types[]": ["follow"]})["notification_groups"]
    assert [g["type"] for g in ungrouped] == ["favourite"] * 3 + ["mention", "follow"]
    only = grouped(owner, **{"types[]": ["follow"]})["notification_groups"]
    assert [(g["type"], g["notifications_count"]) for g in only] == [("follow", 2)]
    without = grouped(owner, **{"exclude_types[]": ["favourite", "mention"]})
    assert [g["type"] for g in without["notification_groups"]] == ["follow"]


def test_paging_by_groups(server: RunningServer) -> None:
    owner, _, _ = favourited(server)
    r = owner.api.get("/api/v2/notifications", params={"limit": 2})
    first = r.json()["notification_groups"]
    assert [g["type"] for g in first] == ["favourite", "mention"]
    assert 'rel="next"' in r.headers["Link"]
    after = owner.api.get(
        "/api/v2/notifications", params={"limit": 2, "max_id": first[-1]["page_min_id"]}
    ).json()["notification_groups"]
    assert [(g["type"], g["notifications_count"]) for g in after] == [("follow", 2)]
    newer = grouped(owner, min_id=after[0]["page_max_id"])["notification_groups"]
    assert [g["type"] for g in newer] == ["mention", "favourite"]


def test_one_group_its_accounts_and_dismiss(server: RunningServer) -> None:
    owner, fans, _ = favourited(server)
    favs = grouped(owner)["notification_groups"][0]
    key = favs["group_key"]
    r = owner.api.get(f"/api/v2/notifications/{key}")
    assert r.status_code == 200, r.text
    assert_valid("GroupedNotificationsResults", r.json())
    assert r.json()["notification_groups"][0]["notifications_count"] == 3
    accounts = owner.api.get(f"/api/v2/notifications/{key}/accounts").json()
    assert [a["id"] for a in accounts] == [fans[2].id, fans[1].id, fans[0].id]
    count = owner.api.get("/api/v2/notifications/unread_count").json()
    assert count == {"count": 3}
    assert owner.api.post(f"/api/v2/notifications/{key}/dismiss").json() == {}
    assert owner.api.post(f"/api/v2/notifications/{key}/dismiss").status_code == 200
    assert owner.api.get(f"/api/v2/notifications/{key}").status_code == 404
    assert owner.api.get(f"/api/v2/notifications/{key}/accounts").status_code == 404
    assert owner.api.get("/api/v2/notifications/ungrouped-1").status_code == 404
    assert owner.api.get("/api/v2/notifications/unread_count").json() == {"count": 2}
    assert owner.api.get("/api/v1/notifications/unread_count").json() == {"count": 3}
    other = register(server)
    assert other.api.get(f"/api/v2/notifications/{key}").status_code == 404


def test_policy_and_requests(server: RunningServer) -> None:
    user = register(server)
    policy = user.api.get("/api/v2/notifications/policy").json()
    assert_valid("NotificationPolicy", policy)
    assert policy["for_not_following"] == "accept"
    assert policy["summary"] == {"pending_requests_count": 0, "pending_notifications_count": 0}
    changed = user.api.patch(
        "/api/v2/notifications/policy",
        data={"for_not_following": "filter", "for_new_accounts": "drop"},
    ).json()
    assert (changed["for_not_following"], changed["for_new_accounts"]) == ("filter", "drop")
    again = user.api.patch("/api/v2/notifications/policy", data={"for_not_followers": "filter"})
    assert again.json()["for_not_following"] == "filter"
    assert user.api.get("/api/v2/notifications/policy").json() == again.json()
    bad = user.api.patch("/api/v2/notifications/policy", data={"for_new_accounts": "maybe"})
    assert bad.status_code == 422
    assert "for_new_accounts" in bad.json()["details"]
    assert user.api.get("/api/v1/notifications/requests").json() == []
    assert user.api.get("/api/v1/notifications/requests/merged").json() == {"merged": True}
    assert user.api.post("/api/v1/notifications/requests/123/accept").status_code == 404
    assert user.api.post("/api/v1/notifications/requests/dismiss").json() == {}


@pytest.fixture(scope="module")
def counting(backend: str) -> Iterator[RunningServer]:
    server = RunningServer(backend, report_statement_count=True).start()
    try:
        yield server
    finally:
        server.close()


def _statements(user: User, path: str) -> int:
    user.api.get(path)  # warm the caches; count the second
    r = user.api.get(path)
    assert r.status_code == 200, r.text
    return int(r.headers["X-Statement-Count"])


def _owner_with(server: RunningServer, fans: int, posts: int) -> User:
    owner = register(server)
    statuses = [
        owner.api.post("/api/v1/statuses", data={"status": f"post {i}"}).json()
        for i in range(posts)
    ]
    for _ in range(fans):
        fan = register(server)
        fan.api.post(f"/api/v1/accounts/{owner.id}/follow")
        fan.api.post("/api/v1/statuses", data={"status": f"@{owner.username} hi"})
        for status in statuses:
            fan.api.post(f"/api/v1/statuses/{status['id']}/favourite")
    return owner


def test_statements_do_not_grow_with_the_page(counting: RunningServer) -> None:
    few, many = _owner_with(counting, 1, 1), _owner_with(counting, 6, 4)
    for path in ("/api/v1/notifications", "/api/v2/notifications"):
        small, large = _statements(few, path), _statements(many, path)
        assert small == large, f"{path}: {small} statements for a few, {large} for many"
        assert large <= MOST[path], f"{path}: {large} statements"
