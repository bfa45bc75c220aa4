"""Reading accounts: get, index, lookup, search, statuses, followers/following, tags, lists."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from support.api import Api, User, register
from support.cli import tandem
from support.server import RunningServer


def links(response: httpx.Response) -> dict[str, str]:
    found = {}
    for part in response.headers.get("link", "").split(", "):
        if part:
            url, rel = part.split("; ")
            found[rel.removeprefix('rel="').rstrip('"')] = url.strip("<>")
    return found


def test_get_account_public_and_not_found(server: RunningServer, alice: User) -> None:
    r = Api(server).get(f"/api/v1/accounts/{alice.id}")
    assert r.status_code == 200
    assert r.json()["id"] == alice.id
    assert "public" in r.headers["cache-control"]
    assert "max-age=15" in r.headers["cache-control"]
    assert (
        alice.api.get(f"/api/v1/accounts/{alice.id}").headers["cache-control"]
        == "private, no-store"
    )
    r = Api(server).get("/api/v1/accounts/123123")
    assert (r.status_code, r.json()) == (404, {"error": "Record not found"})
    assert Api(server).get("/api/v1/accounts/not-a-number").status_code == 404
    # An unknown token on a public endpoint is ignored.
    assert Api(server, "garbage").get(f"/api/v1/accounts/{alice.id}").status_code == 200


def test_index_skips_unknown_and_caps_at_40(server: RunningServer, alice: User, bob: User) -> None:
    r = Api(server).get(
        "/api/v1/accounts", params=[("id[]", alice.id), ("id[]", bob.id), ("id[]", "123123")]
    )
    assert sorted(a["id"] for a in r.json()) == sorted([alice.id, bob.id])
    r = Api(server).get("/api/v1/accounts", params=[("id[]", str(i)) for i in range(1, 42)])
    assert r.status_code == 422


def test_lookup(server: RunningServer, alice: User) -> None:
    for acct in (
        alice.username,
        f"@{alice.username}",
        f"{alice.username}@{server.settings.domain}",
        alice.username.upper(),
    ):
        r = Api(server).get("/api/v1/accounts/lookup", params={"acct": acct})
        assert r.status_code == 200, acct
        assert r.json()["id"] == alice.id
    r = Api(server).get("/api/v1/accounts/lookup", params={"acct": "nobody_here"})
    assert (r.status_code, r.json()) == (404, {"error": "Record not found"})
    assert (
        Api(server).get("/api/v1/accounts/lookup", params={"acct": "x@remote.example"}).status_code
        == 404
    )


def test_search(server: RunningServer, alice: User) -> None:
    target = register(server, display_name="Zebra Crossing")
    other = register(server, display_name="Zebra Stripes")
    r = alice.api.get("/api/v1/accounts/search", params={"q": "zebra"})
    names = [a["username"] for a in r.json()]
    assert {target.username, other.username} <= set(names)
    r = alice.api.get("/api/v1/accounts/search", params={"q": f"@{target.username}"})
    assert r.json()[0]["username"] == target.username  # exact match first
    alice.api.post(f"/api/v1/accounts/{other.id}/follow")
    r = alice.api.get("/api/v1/accounts/search", params={"q": "zebra", "following": "true"})
    assert [a["username"] for a in r.json()] == [other.username]
    r = alice.api.get("/api/v1/accounts/search", params={"q": "zebra", "limit": 1, "offset": 1})
    assert len(r.json()) == 1
    assert alice.api.get("/api/v1/accounts/search", params={"q": ""}).json() == []
    # Search needs a user.
    assert Api(server).get("/api/v1/accounts/search", params={"q": "zebra"}).status_code == 401


def test_statuses_filters_and_links(server: RunningServer, alice: User, bob: User) -> None:
    own = alice.api.post("/api/v1/statuses", data={"status": "one #cats"}).json()
    reply_self = alice.api.post(
        "/api/v1/statuses", data={"status": "two", "in_reply_to_id": own["id"]}
    ).json()
    bobs = bob.api.post("/api/v1/statuses", data={"status": "bob"}).json()
    reply_other = alice.api.post(
        "/api/v1/statuses", data={"status": "three", "in_reply_to_id": bobs["id"]}
    ).json()
    reblog = alice.api.post(f"/api/v1/statuses/{bobs['id']}/reblog").json()
    private = alice.api.post(
        "/api/v1/statuses", data={"status": "secret", "visibility": "private"}
    ).json()
    path = f"/api/v1/accounts/{alice.id}/statuses"

    def ids(**params: str) -> list[str]:
        r = Api(server).get(path, params=params)
        assert r.status_code == 200
        return [s["id"] for s in r.json()]

    assert ids() == [reblog["id"], reply_other["id"], reply_self["id"], own["id"]]
    assert ids(exclude_replies="true") == [reblog["id"], reply_self["id"], own["id"]]
    assert ids(exclude_reblogs="true") == [reply_other["id"], reply_self["id"], own["id"]]
    assert ids(tagged="cats") == [own["id"]]
    assert ids(only_media="true") == []
    # Alice sees her private post; a follower does too; others do not.
    mine = [s["id"] for s in alice.api.get(path).json()]
    assert private["id"] in mine
    bob.api.post(f"/api/v1/accounts/{alice.id}/follow")
    assert private["id"] in [s["id"] for s in bob.api.get(path).json()]

    r = Api(server).get(path, params={"limit": 1})
    found = links(r)
    first = r.json()[0]["id"]
    assert found["next"] == f"{server.base_url}{path}?limit=1&max_id={first}"
    assert found["prev"] == f"{server.base_url}{path}?limit=1&min_id={first}"
    r = Api(server).get(path, params={"limit": 2, "min_id": reply_self["id"]})
    assert [s["id"] for s in r.json()] == [reblog["id"], reply_other["id"]]
    r = Api(server).get(path, params={"pinned": "true"})
    assert r.json() == []
    alice.api.post(f"/api/v1/statuses/{own['id']}/pin")
    r = Api(server).get(path, params={"pinned": "true"})
    assert [s["id"] for s in r.json()] == [own["id"]]
    assert "pinned=true" in links(r)["prev"]


def test_followers_following_paging_and_visibility(server: RunningServer) -> None:
    owner = register(server)
    fans = [register(server) for _ in range(3)]
    for fan in fans:
        fan.api.post(f"/api/v1/accounts/{owner.id}/follow")
    path = f"/api/v1/accounts/{owner.id}/followers"
    r = Api(server).get(path, params={"limit": 2})
    assert [a["id"] for a in r.json()] == [fans[2].id, fans[1].id]
    nxt = links(r)["next"]
    assert parse_qs(urlsplit(nxt).query).keys() == {"limit", "max_id"}
    r2 = httpx.get(nxt)
    assert [a["id"] for a in r2.json()] == [fans[0].id]
    assert "next" not in links(r2)
    assert "prev" in links(r2)
    r = Api(server).get(f"/api/v1/accounts/{fans[0].id}/following")
    assert [a["id"] for a in r.json()] == [owner.id]

    # A viewer does not see accounts they blocked in other people's lists.
    viewer = register(server)
    viewer.api.post(f"/api/v1/accounts/{fans[1].id}/block")
    seen = [a["id"] for a in viewer.api.get(path).json()]
    assert fans[1].id not in seen
    assert fans[0].id in seen
    # The owner blocks the viewer: the lists are empty for them.
    owner.api.post(f"/api/v1/accounts/{viewer.id}/block")
    assert viewer.api.get(path).json() == []
    # hide_collections: empty for others, complete for the owner.
    owner.api.patch("/api/v1/accounts/update_credentials", data={"hide_collections": "true"})
    assert Api(server).get(path).json() == []
    assert len(owner.api.get(path).json()) == 3


def test_owner_still_sees_muted_followers(server: RunningServer) -> None:
    owner = register(server)
    fan = register(server)
    fan.api.post(f"/api/v1/accounts/{owner.id}/follow")
    owner.api.post(f"/api/v1/accounts/{fan.id}/mute")
    assert [a["id"] for a in owner.api.get(f"/api/v1/accounts/{owner.id}/followers").json()] == [
        fan.id
    ]


def test_suspended_account(server: RunningServer, alice: User) -> None:
    gone = register(server, display_name="Soon Gone", note="bio")
    alice.api.post(f"/api/v1/accounts/{gone.id}/follow")
    tandem(server, "admin", "suspend", gone.username)
    body = Api(server).get(f"/api/v1/accounts/{gone.id}").json()
    assert body["suspended"] is True
    assert body["display_name"] == ""
    assert body["note"] == ""
    assert body["fields"] == []
    assert body["avatar"].endswith("/avatars/original/missing.png")
    assert Api(server).get(f"/api/v1/accounts/{gone.id}/statuses").json() == []
    rels = alice.api.get("/api/v1/accounts/relationships", params={"id[]": gone.id}).json()
    assert rels == []
    rels = alice.api.get(
        "/api/v1/accounts/relationships", params={"id[]": gone.id, "with_suspended": "true"}
    ).json()
    assert [r["id"] for r in rels] == [gone.id]


def test_featured_tags(server: RunningServer, alice: User) -> None:
    alice.api.post("/api/v1/statuses", data={"status": "about #Gardening"})
    r = alice.api.post("/api/v1/featured_tags", data={"name": "Gardening"})
    assert r.status_code == 200, r.text
    tag = r.json()
    assert tag["name"] == "Gardening"
    assert tag["statuses_count"] == "1"
    assert tag["url"] == f"{server.base_url}/@{alice.username}/tagged/Gardening"
    assert tag["last_status_at"] is not None
    assert len(tag["last_status_at"]) == 10
    r = Api(server).get(f"/api/v1/accounts/{alice.id}/featured_tags")
    assert [t["name"] for t in r.json()] == ["Gardening"]
    assert alice.api.post("/api/v1/featured_tags", data={"name": "gardening"}).status_code == 422
    assert alice.api.post("/api/v1/featured_tags", data={"name": "#"}).status_code == 422
    assert alice.api.get("/api/v1/profile").json()["featured_tags"][0]["name"] == "Gardening"
    assert alice.api.delete(f"/api/v1/featured_tags/{tag['id']}").status_code == 200
    assert alice.api.delete(f"/api/v1/featured_tags/{tag['id']}").status_code == 404


def test_featured_tag_limit(server: RunningServer, alice: User) -> None:
    for i in range(10):
        assert alice.api.post("/api/v1/featured_tags", data={"name": f"tag{i}x"}).status_code == 200
    r = alice.api.post("/api/v1/featured_tags", data={"name": "onemore"})
    assert r.status_code == 422
    assert "10" in r.json()["error"]


def test_lists_containing_account(server: RunningServer, alice: User, bob: User) -> None:
    alice.api.post(f"/api/v1/accounts/{bob.id}/follow")
    made = alice.api.post("/api/v1/lists", data={"title": "Friends"}).json()
    assert made == {
        "id": made["id"],
        "title": "Friends",
        "replies_policy": "list",
        "exclusive": False,
    }
    assert (
        alice.api.post(
            f"/api/v1/lists/{made['id']}/accounts", data={"account_ids[]": bob.id}
        ).status_code
        == 200
    )
    r = alice.api.get(f"/api/v1/accounts/{bob.id}/lists")
    assert [x["title"] for x in r.json()] == ["Friends"]
    assert bob.api.get(f"/api/v1/accounts/{alice.id}/lists").json() == []
    assert alice.api.get("/api/v1/accounts/123123/lists").status_code == 404


def test_identity_proofs(server: RunningServer, alice: User) -> None:
    r = alice.api.get(f"/api/v1/accounts/{alice.id}/identity_proofs")
    assert r.status_code == 200
    assert r.json() == []
    assert r.headers["deprecation"] == "@1648598400"
    r = Api(server).get(f"/api/v1/accounts/{alice.id}/identity_proofs")
    assert (r.status_code, r.json()) == (
        422,
        {"error": "This method requires an authenticated user"},
    )
