"""Quote posts on the one core: Mastodon 4.5 quotes (`quoted_status_id`, Quote/ShallowQuote,
quote_approval, quotes_count, the quotes list, revoking, interaction policy, `quote` and
`quoted_update` notifications) and Misskey quote renotes (a renote with content), each seen
from the other dialect."""

from __future__ import annotations

from typing import Any

import httpx

from support import schemas
from support.api import Api
from support.misskey import MkUser, mk_user
from support.server import RunningServer
from support.ts_schemas import errors as ts_errors


def _post(user: MkUser, **data: str) -> dict[str, Any]:
    r = user.mastodon.api.post("/api/v1/statuses", data=data)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    schemas.assert_valid("Status", body)
    return body


def _quote(user: MkUser, quoted_id: str, **data: str) -> httpx.Response:
    return user.mastodon.api.post(
        "/api/v1/statuses", data={"status": "look at this", "quoted_status_id": quoted_id, **data}
    )


def _show(user: MkUser | None, status_id: str, server: RunningServer) -> dict[str, Any]:
    api = user.mastodon.api if user else Api(server)
    r = api.get(f"/api/v1/statuses/{status_id}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    schemas.assert_valid("Status", body)
    return body


def _refused(r: httpx.Response, words: str) -> None:
    assert r.status_code == 422, r.text
    assert words in r.json()["error"], r.text


def _note(user: MkUser, note_id: str) -> dict[str, Any]:
    note: dict[str, Any] = user.mk("notes/show", {"noteId": note_id})
    assert not ts_errors("Note", note), ts_errors("Note", note)
    return note


def _follow(user: MkUser, other: MkUser) -> None:
    r = user.mastodon.api.post(f"/api/v1/accounts/{other.id}/follow")
    assert r.status_code == 200, r.text


def test_quotes_across_dialects(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    original = _post(alice, status="the original")
    assert original["quote"] is None
    assert original["quote_approval"] == {
        "automatic": ["public"],
        "manual": [],
        "current_user": "automatic",
    }
    # Mastodon quote, seen from Misskey.
    r = _quote(bob, original["id"])
    assert r.status_code == 200, r.text
    quote = r.json()
    schemas.assert_valid("Status", quote)
    assert quote["quote"]["state"] == "accepted"
    assert quote["quote"]["quoted_status"]["id"] == original["id"]
    assert quote["quote"]["quoted_status"]["quotes_count"] == 1
    note = _note(alice, quote["id"])
    assert note["text"] == "look at this"
    assert note["renoteId"] == original["id"]
    assert note["renote"]["id"] == original["id"]
    # Misskey quote (a renote with text), seen from Mastodon (anonymously too).
    made = carol.mk("notes/create", {"text": "mine too", "renoteId": original["id"]})
    mk_quote = made["createdNote"]
    assert not ts_errors("Note", mk_quote)
    assert mk_quote["renote"]["id"] == original["id"]
    seen = _show(None, mk_quote["id"], server)
    assert seen["quote"]["state"] == "accepted"
    assert seen["quote"]["quoted_status"]["id"] == original["id"]
    # A reblog of a quote shows the quote inside its reblogged status (loaded with the page).
    reblog = carol.mastodon.api.post(f"/api/v1/statuses/{quote['id']}/reblog").json()
    shown = _show(carol, reblog["id"], server)
    assert shown["quote"] is None
    assert shown["reblog"]["quote"]["quoted_status"]["id"] == original["id"]
    timeline = Api(server).get(f"/api/v1/accounts/{carol.id}/statuses").json()
    assert [s["reblog"]["quote"]["state"] for s in timeline if s["reblog"]] == ["accepted"]
    assert carol.mastodon.api.post(f"/api/v1/statuses/{quote['id']}/unreblog").status_code == 200
    # A pure renote stays a reblog, not a quote.
    renote = carol.mk("notes/create", {"renoteId": original["id"]})["createdNote"]
    assert _show(carol, renote["id"], server)["quote"] is None
    assert _show(alice, original["id"], server)["quotes_count"] == 2
    # A quote of a quote shows the inner quote shallowly.
    r = _quote(alice, quote["id"])
    assert r.status_code == 200, r.text
    inner = r.json()["quote"]["quoted_status"]["quote"]
    assert inner == {"state": "accepted", "quoted_status_id": original["id"]}
    schemas.assert_valid("Status", r.json())
    # Notifications: `quote` in both dialects, carrying the quoting status.
    listed = alice.mastodon.api.get("/api/v1/notifications", params={"types[]": "quote"}).json()
    assert {n["status"]["id"] for n in listed} == {quote["id"], mk_quote["id"]}
    for n in listed:
        schemas.assert_valid("Notification", n)
        assert n["type"] == "quote"
    mk_listed = [n for n in alice.mk("i/notifications", {"limit": 50}) if n["type"] == "quote"]
    assert {n["note"]["id"] for n in mk_listed} == {quote["id"], mk_quote["id"]}
    for n in mk_listed:
        assert not ts_errors("Notification", n), ts_errors("Notification", n)
    # Misskey's notes/renotes lists quotes with the renotes.
    renotes = alice.mk("notes/renotes", {"noteId": original["id"]})
    assert {n["id"] for n in renotes} == {quote["id"], mk_quote["id"], renote["id"]}


def test_quote_policies(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    followers = _post(alice, status="followers may quote", quote_approval_policy="followers")
    assert followers["quote_approval"]["automatic"] == ["followers"]
    assert _show(bob, followers["id"], server)["quote_approval"]["current_user"] == "denied"
    _refused(_quote(bob, followers["id"]), "does not allow")
    bob.mk.error("notes/create", {"text": "q", "renoteId": followers["id"]}, 400, "CANNOT_QUOTE")
    _follow(bob, alice)
    assert _show(bob, followers["id"], server)["quote_approval"]["current_user"] == "automatic"
    assert _quote(bob, followers["id"]).status_code == 200
    nobody = _post(alice, status="nobody may quote", quote_approval_policy="nobody")
    assert nobody["quote_approval"] == {
        "automatic": [],
        "manual": [],
        "current_user": "automatic",  # its author may
    }
    _refused(_quote(bob, nobody["id"]), "does not allow")
    assert _quote(alice, nobody["id"]).status_code == 200  # a self-quote
    bad = alice.mastodon.api.post(
        "/api/v1/statuses", data={"status": "x", "quote_approval_policy": "everyone"}
    )
    assert bad.status_code == 422, bad.text
    # The account's default, then the status's own policy changed afterwards.
    r = alice.mastodon.api.patch(
        "/api/v1/accounts/update_credentials", data={"source[quote_policy]": "nobody"}
    )
    assert r.status_code == 200, r.text
    default = _post(alice, status="by default")
    assert default["quote_approval"]["automatic"] == []
    _refused(_quote(bob, default["id"]), "does not allow")
    r = bob.mastodon.api.put(
        f"/api/v1/statuses/{default['id']}/interaction_policy",
        data={"quote_approval_policy": "public"},
    )
    assert r.status_code == 404, r.text  # not bob's
    r = alice.mastodon.api.put(
        f"/api/v1/statuses/{default['id']}/interaction_policy",
        data={"quote_approval_policy": "public"},
    )
    assert r.status_code == 200, r.text
    schemas.assert_valid("Status", r.json())
    assert r.json()["quote_approval"]["automatic"] == ["public"]
    assert _quote(bob, default["id"]).status_code == 200


def test_refused_quotes(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    _follow(bob, alice)
    private = _post(alice, status="followers only", visibility="private")
    assert private["quote_approval"]["automatic"] == []
    _refused(_quote(bob, private["id"]), "cannot be quoted")
    bob.mk.error(
        "notes/create",
        {"text": "q", "renoteId": private["id"]},
        400,
        "CANNOT_RENOTE_DUE_TO_VISIBILITY",
    )
    direct = _post(alice, status=f"@{bob.username} psst", visibility="direct")
    _refused(_quote(bob, direct["id"]), "cannot be quoted")
    assert _quote(carol, direct["id"]).status_code == 404  # carol cannot even see it
    own = _quote(alice, private["id"], visibility="private")
    assert own.status_code == 200, own.text  # one's own private status
    # A reblog cannot be quoted: its original can.
    public = _post(alice, status="public")
    reblog = bob.mastodon.api.post(f"/api/v1/statuses/{public['id']}/reblog").json()
    _refused(_quote(carol, reblog["id"]), "boost")
    carol.mk.error(
        "notes/create",
        {"text": "q", "renoteId": reblog["id"]},
        400,
        "CANNOT_RENOTE_TO_A_PURE_RENOTE",
    )
    # Blocks either way.
    carol_post = _post(carol, status="carol's")
    assert bob.mastodon.api.post(f"/api/v1/accounts/{carol.id}/block").status_code == 200
    _refused(_quote(bob, carol_post["id"]), "blocked")
    bob.mk.error(
        "notes/create", {"text": "q", "renoteId": carol_post["id"]}, 400, "YOU_HAVE_BEEN_BLOCKED"
    )
    assert _quote(carol, public["id"]).status_code == 200
    bob_post = _post(bob, status="bob's")
    refused = _quote(carol, bob_post["id"])
    assert refused.status_code in (404, 422), refused.text  # bob blocks carol
    assert _show(alice, public["id"], server)["quotes_count"] == 1


def test_states_revoke_delete_and_edits(server: RunningServer) -> None:
    alice, bob, carol = mk_user(server), mk_user(server), mk_user(server)
    original = _post(alice, status="quote me")
    quote = _quote(bob, original["id"]).json()
    other = _quote(carol, original["id"]).json()
    # The quotes list: the quoted author's only.
    r = alice.mastodon.api.get(f"/api/v1/statuses/{original['id']}/quotes")
    assert r.status_code == 200, r.text
    assert [s["id"] for s in r.json()] == [other["id"], quote["id"]]
    for s in r.json():
        schemas.assert_valid("Status", s)
    page = alice.mastodon.api.get(f"/api/v1/statuses/{original['id']}/quotes", params={"limit": 1})
    assert [s["id"] for s in page.json()] == [other["id"]]
    assert "max_id" in page.headers.get("link", "")
    assert bob.mastodon.api.get(f"/api/v1/statuses/{original['id']}/quotes").status_code == 404
    # A viewer who mutes the quoted author still gets it, marked so.
    assert carol.mastodon.api.post(f"/api/v1/accounts/{alice.id}/mute").status_code == 200
    muted = _show(carol, quote["id"], server)["quote"]
    assert muted["state"] == "muted_account"
    assert muted["quoted_status"]["id"] == original["id"]
    # An edit tells the quoters (`quoted_update`, carrying their quote); Misskey lists none.
    r = alice.mastodon.api.put(f"/api/v1/statuses/{original['id']}", data={"status": "edited"})
    assert r.status_code == 200, r.text
    updates = bob.mastodon.api.get(
        "/api/v1/notifications", params={"types[]": "quoted_update"}
    ).json()
    assert [(n["type"], n["status"]["id"]) for n in updates] == [("quoted_update", quote["id"])]
    schemas.assert_valid("Notification", updates[0])
    assert updates[0]["status"]["quote"]["quoted_status"]["content"] == "<p>edited</p>"
    assert all(n["type"] != "quoted_update" for n in bob.mk("i/notifications", {"limit": 50}))
    # Revoked by the quoted author (nobody else may).
    path = f"/api/v1/statuses/{original['id']}/quotes/{quote['id']}/revoke"
    assert bob.mastodon.api.post(path).status_code == 404
    r = alice.mastodon.api.post(path)
    assert r.status_code == 200, r.text
    assert r.json()["quote"] == {"state": "revoked", "quoted_status": None}
    assert _show(bob, quote["id"], server)["quote"]["state"] == "revoked"
    assert _note(bob, quote["id"]).get("renote") is None
    assert _show(alice, original["id"], server)["quotes_count"] == 1
    listed = alice.mastodon.api.get(f"/api/v1/statuses/{original['id']}/quotes").json()
    assert [s["id"] for s in listed] == [other["id"]]
    # The quoted status deleted: the quote stays, `deleted`.
    assert alice.mastodon.api.delete(f"/api/v1/statuses/{original['id']}").status_code == 200
    gone = _show(carol, other["id"], server)
    assert gone["quote"] == {"state": "deleted", "quoted_status": None}
    note = _note(carol, other["id"])
    assert note["renoteId"] is None
    assert "renote" not in note


def test_quote_of_what_the_viewer_cannot_see(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    private = _post(alice, status="for followers", visibility="private")
    public = _quote(alice, private["id"], visibility="public").json()
    assert public["quote"]["state"] == "accepted"  # its author sees it
    hidden = _show(bob, public["id"], server)["quote"]
    assert hidden == {"state": "unauthorized", "quoted_status": None}
    assert _show(None, public["id"], server)["quote"]["state"] == "unauthorized"
    note = _note(bob, public["id"])
    assert note["renoteId"] == private["id"]
    assert "renote" not in note
    _follow(bob, alice)
    assert _show(bob, public["id"], server)["quote"]["state"] == "accepted"
    # Deleting a quote gives its count back.
    target = _post(alice, status="counted")
    made = _quote(bob, target["id"]).json()
    assert _show(alice, target["id"], server)["quotes_count"] == 1
    assert bob.mastodon.api.delete(f"/api/v1/statuses/{made['id']}").status_code == 200
    assert _show(alice, target["id"], server)["quotes_count"] == 0


def test_scheduled_quote_keeps_its_quote(server: RunningServer) -> None:
    alice, bob = mk_user(server), mk_user(server)
    original = _post(alice, status="to be quoted later")
    r = bob.mastodon.api.post(
        "/api/v1/statuses",
        json={
            "status": "later",
            "scheduled_at": "2099-01-01T00:00:00Z",
            "quoted_status_id": original["id"],
            "quote_approval_policy": "nobody",
        },
    )
    assert r.status_code == 200, r.text
    params = r.json()["params"]
    assert params["quoted_status_id"] == original["id"]
    assert params["quote_approval_policy"] == "nobody"
    schemas.assert_valid("ScheduledStatus", r.json())
