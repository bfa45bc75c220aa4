"""Collections of featured accounts (Mastodon 4.6): lifecycle, consent and visibility rules,
offset pagination, the added_to_collection notification with its fallback, bad input."""

from __future__ import annotations

from typing import Any

import pytest

from support.api import Api, User, register
from support.schemas import assert_valid
from support.server import RunningServer


@pytest.fixture
def dora(server: RunningServer) -> User:
    """A discoverable account: one that may be featured."""
    return register(server, display_name="Dora", discoverable=True)


def _create(user: User, **fields: Any) -> dict[str, Any]:
    r = user.api.post("/api/v1/collections", json={"name": "People", **fields})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()["collection"]
    return body


def test_lifecycle_and_shapes(alice: User, dora: User) -> None:
    made = _create(
        alice,
        name="  Good people ",
        description="worth following",
        language="en",
        tag_name="#Fediverse",
        sensitive=True,
        discoverable=True,
        account_ids=[dora.id],
    )
    assert_valid("Collection", made)
    assert made["name"] == "Good people"
    assert made["account_id"] == alice.id
    assert made["tag"]["name"] == "Fediverse"
    assert made["tag"]["url"].endswith("/tags/Fediverse")
    assert (made["sensitive"], made["discoverable"], made["local"]) == (True, True, True)
    assert made["item_count"] == 1
    [item] = made["items"]
    assert_valid("CollectionItem", item)
    assert (item["account_id"], item["state"]) == (dora.id, "accepted")

    shown = alice.api.get(f"/api/v1/collections/{made['id']}").json()
    assert [a["id"] for a in shown["accounts"]] == [alice.id, dora.id]
    assert shown["collection"]["id"] == made["id"]

    r = alice.api.patch(
        f"/api/v1/collections/{made['id']}", json={"name": "Renamed", "tag_name": ""}
    )
    assert r.status_code == 200, r.text
    changed = r.json()["collection"]
    assert (changed["name"], changed["tag"], changed["description"]) == (
        "Renamed",
        None,
        "worth following",
    )
    assert changed["sensitive"] is True  # omitted flags keep their value

    assert alice.api.delete(f"/api/v1/collections/{made['id']}").json() == {}
    assert alice.api.get(f"/api/v1/collections/{made['id']}").status_code == 404
    assert alice.api.delete(f"/api/v1/collections/{made['id']}").status_code == 404


def test_items_add_revoke_delete(alice: User, dora: User) -> None:
    made = _create(alice)
    path = f"/api/v1/collections/{made['id']}/items"
    r = alice.api.post(path, json={"account_id": dora.id})
    assert r.status_code == 200, r.text
    item = r.json()["collection_item"]
    assert (item["account_id"], item["state"]) == (dora.id, "accepted")
    # adding again is already done: the same item
    assert alice.api.post(path, json={"account_id": dora.id}).json()["collection_item"] == item

    # only the featured account revokes; then it no longer shows whom it was
    assert alice.api.post(f"{path}/{item['id']}/revoke").status_code == 403
    assert dora.api.post(f"{path}/{item['id']}/revoke").json() == {}
    assert dora.api.post(f"{path}/{item['id']}/revoke").json() == {}  # again: nothing to do
    [revoked] = alice.api.get(f"/api/v1/collections/{made['id']}").json()["collection"]["items"]
    assert revoked["state"] == "revoked"
    assert "account_id" not in revoked
    r = alice.api.post(path, json={"account_id": dora.id})
    assert r.status_code == 422, r.text
    assert "withdrawn" in r.json()["error"]

    # only the owner removes items
    assert dora.api.delete(f"{path}/{item['id']}").status_code == 403
    assert alice.api.delete(f"{path}/{item['id']}").json() == {}
    assert alice.api.delete(f"{path}/{item['id']}").status_code == 404
    shown = alice.api.get(f"/api/v1/collections/{made['id']}").json()["collection"]
    assert (shown["items"], shown["item_count"]) == ([], 0)


def test_who_can_be_featured(alice: User, bob: User, dora: User) -> None:
    made = _create(alice)
    path = f"/api/v1/collections/{made['id']}/items"
    r = alice.api.post(path, json={"account_id": bob.id})  # not discoverable
    assert r.status_code == 403, r.text
    assert "discoverable" in r.json()["error"]
    r = alice.api.post("/api/v1/collections", json={"name": "x", "account_ids": [bob.id]})
    assert r.status_code == 403, r.text
    assert dora.api.post(f"/api/v1/accounts/{alice.id}/block").status_code == 200
    r = alice.api.post(path, json={"account_id": dora.id})
    assert r.status_code == 403, r.text
    assert "blocks" in r.json()["error"]
    # someone else's collection cannot be changed
    assert bob.api.post(path, json={"account_id": dora.id}).status_code == 403
    assert bob.api.patch(f"/api/v1/collections/{made['id']}", json={"name": "x"}).status_code == 403
    assert bob.api.delete(f"/api/v1/collections/{made['id']}").status_code == 403


def test_visibility_and_offset_pagination(alice: User, bob: User, dora: User) -> None:
    hidden = _create(alice, name="Hidden")
    shown = [_create(alice, name=f"Shown {i}", discoverable=True) for i in range(3)]
    own = alice.api.get(f"/api/v1/accounts/{alice.id}/collections").json()["collections"]
    assert [c["id"] for c in own] == [c["id"] for c in reversed([hidden, *shown])]
    r = bob.api.get(f"/api/v1/accounts/{alice.id}/collections", params={"limit": 2})
    assert [c["id"] for c in r.json()["collections"]] == [shown[2]["id"], shown[1]["id"]]
    assert 'rel="next"' in r.headers["Link"]
    assert "offset=2" in r.headers["Link"]
    assert 'rel="prev"' not in r.headers["Link"]
    r = bob.api.get(f"/api/v1/accounts/{alice.id}/collections", params={"limit": 2, "offset": 2})
    assert [c["id"] for c in r.json()["collections"]] == [shown[0]["id"]]
    assert 'rel="next"' not in r.headers["Link"]
    assert "offset=0" in r.headers["Link"]
    # anonymous readers too; a non-discoverable collection is still readable by its link
    anonymous = Api(bob.server).get(f"/api/v1/collections/{hidden['id']}")
    assert anonymous.status_code == 200, anonymous.text

    # whom the owner blocks sees nothing of it
    assert alice.api.post(f"/api/v1/accounts/{bob.id}/block").status_code == 200
    r = bob.api.get(f"/api/v1/accounts/{alice.id}/collections")
    assert r.json() == {"collections": []}
    assert bob.api.get(f"/api/v1/collections/{shown[0]['id']}").status_code == 403


def test_in_collections_only_for_oneself(alice: User, bob: User, dora: User) -> None:
    made = _create(alice, account_ids=[dora.id])
    mine = dora.api.get(f"/api/v1/accounts/{dora.id}/in_collections").json()
    assert [c["id"] for c in mine["collections"]] == [made["id"]]
    assert bob.api.get(f"/api/v1/accounts/{dora.id}/in_collections").status_code == 403
    assert Api(bob.server).get(f"/api/v1/accounts/{dora.id}/in_collections").status_code == 401
    item = made["items"][0]
    dora.api.post(f"/api/v1/collections/{made['id']}/items/{item['id']}/revoke")
    mine = dora.api.get(f"/api/v1/accounts/{dora.id}/in_collections").json()
    assert mine == {"collections": []}


def test_notification_with_fallback(alice: User, dora: User) -> None:
    made = _create(alice, name="Neighbours", account_ids=[dora.id])
    r = dora.api.get(
        "/api/v1/notifications",
        params={"types[]": "added_to_collection", "supported_types[]": "follow"},
    )
    [note] = r.json()
    assert_valid("Notification", note)
    assert note["type"] == "added_to_collection"
    assert note["account"]["id"] == alice.id
    assert note["collection"]["id"] == made["id"]
    assert note["fallback"]["title"] == f"@{alice.username} added you to a collection"
    assert_valid("NotificationFallback", note["fallback"])
    single = dora.api.get(
        f"/api/v1/notifications/{note['id']}",
        params={"supported_types[]": "added_to_collection"},
    ).json()
    assert "fallback" not in single
    assert single["collection"]["id"] == made["id"]
    assert "fallback" not in dora.api.get(f"/api/v1/notifications/{note['id']}").json()
    # the owner featuring themselves is not told; deleting the collection takes it back
    alice.api.delete(f"/api/v1/collections/{made['id']}")
    assert dora.api.get("/api/v1/notifications").json() == []


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"name": ""}, 422, "can't be blank"),
        ({"name": "x" * 41}, 422, "too long"),
        ({"description": "x" * 101}, 422, "too long"),
        ({"language": "klingon"}, 422, "language"),
        ({"tag_name": "not a tag!"}, 422, "hashtag"),
        ({"account_ids": [str(i) for i in range(1, 27)]}, 422, "maximum is 25"),
        ({"account_ids": ["999999"]}, 404, "not found"),
    ],
)
def test_bad_input(alice: User, fields: dict[str, Any], status: int, words: str) -> None:
    r = alice.api.post("/api/v1/collections", json={"name": "ok", **fields})
    assert r.status_code == status, r.text
    assert words in r.json()["error"]


def test_bad_item_input_and_limits(alice: User) -> None:
    made = _create(alice)
    path = f"/api/v1/collections/{made['id']}/items"
    assert alice.api.post(path, json={}).status_code == 422
    assert alice.api.post(path, json={"account_id": "nope"}).status_code == 404
    assert (
        alice.api.post("/api/v1/collections/1/items", json={"account_id": "1"}).status_code == 404
    )
    assert alice.api.delete(f"{path}/nope").status_code == 404
    assert alice.api.post(f"{path}/12/revoke").status_code == 404
    for i in range(9):
        _create(alice, name=f"more {i}")
    r = alice.api.post("/api/v1/collections", json={"name": "eleventh"})
    assert r.status_code == 422, r.text
    assert "more than 10" in r.json()["error"]


def test_reblogged_by_lists_only_public_reblogs(alice: User, bob: User) -> None:
    private = alice.api.post("/api/v1/statuses", json={"status": "mine", "visibility": "private"})
    status_id = private.json()["id"]
    assert alice.api.post(f"/api/v1/statuses/{status_id}/reblog").status_code == 200
    assert alice.api.get(f"/api/v1/statuses/{status_id}/reblogged_by").json() == []
    public = alice.api.post("/api/v1/statuses", json={"status": "all"}).json()["id"]
    assert bob.api.post(f"/api/v1/statuses/{public}/reblog").status_code == 200
    found = alice.api.get(f"/api/v1/statuses/{public}/reblogged_by").json()
    assert [a["id"] for a in found] == [bob.id]
