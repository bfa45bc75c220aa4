"""What real clients (masto.js, megalodon, misskey-js, Mastodon.py) tripped on, as they call it."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest

from support.api import Api, User, register
from support.cli import tandem
from support.misskey import Misskey, MkUser, mk_user
from support.schemas import assert_valid
from support.server import RunningServer


@pytest.fixture
def mika(server: RunningServer) -> MkUser:
    return mk_user(server, display_name="Mika")


# 1. PUT where Mastodon routes an update with both verbs.


def test_put_profile_updates_like_patch(alice: User) -> None:
    r = alice.api.put("/api/v1/profile", json={"display_name": "Put Alice", "note": "via PUT"})
    assert r.status_code == 200, r.text
    assert r.json()["display_name"] == "Put Alice"
    r = alice.api.patch("/api/v1/profile", json={"display_name": "Patch Alice"})
    assert r.status_code == 200, r.text
    me = alice.api.get("/api/v1/accounts/verify_credentials").json()
    assert me["display_name"] == "Patch Alice"
    assert me["source"]["note"] == "via PUT"


def test_put_update_credentials_and_lists(alice: User) -> None:
    r = alice.api.put("/api/v1/accounts/update_credentials", data={"display_name": "A. Put"})
    assert r.status_code == 200, r.text
    assert r.json()["display_name"] == "A. Put"
    created = alice.api.post("/api/v1/lists", json={"title": "friends"}).json()
    for method, title in (("PUT", "pals"), ("PATCH", "mates")):
        r = alice.api.request(method, f"/api/v1/lists/{created['id']}", json={"title": title})
        assert r.status_code == 200, r.text
        assert r.json()["title"] == title


def test_put_profile_needs_write_scope(alice: User) -> None:
    token = alice.token_with("read")
    r = alice.api.put("/api/v1/profile", json={"display_name": "x"}, token=token)
    assert r.status_code == 403, r.text


# 2. The raw accessToken of auth/session/userkey is accepted as `i`, as the hashed form is.


def _userkey(user: MkUser, permissions: list[str]) -> tuple[str, str]:
    anon = Misskey(user.server)
    app = anon("app/create", {"name": "megalodon", "description": "d", "permission": permissions})
    session = anon("auth/session/generate", {"appSecret": app["secret"]})
    user.mk("auth/accept", {"token": session["token"]})
    key = anon("auth/session/userkey", {"appSecret": app["secret"], "token": session["token"]})
    assert key["user"]["id"] == user.id
    return str(key["accessToken"]), str(app["secret"])


def test_raw_and_hashed_userkey_tokens_both_work(mika: MkUser) -> None:
    raw, secret = _userkey(mika, ["read:account", "write:account"])
    hashed = hashlib.sha256((raw + secret).encode()).hexdigest()
    for token in (raw, hashed):
        assert Misskey(mika.server, token)("i")["id"] == mika.id
        r = Misskey(mika.server).raw("i", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
    # The same token either way: its permissions hold for both forms.
    Misskey(mika.server, raw).error("i/favorites", {}, 403, "PERMISSION_DENIED")
    Misskey(mika.server, hashed).error("i/favorites", {}, 403, "PERMISSION_DENIED")


@pytest.mark.parametrize(
    "forge",
    [
        lambda raw: raw[:-1] + ("0" if raw[-1] != "0" else "1"),  # right id, wrong secret
        lambda raw: "1" + raw,  # another id
        lambda raw: "9" * 19 + raw[raw.index(".") :],  # past a BIGINT
        lambda raw: raw.upper(),
    ],
)
def test_a_forged_raw_token_fails(mika: MkUser, forge: Any) -> None:
    raw, _secret = _userkey(mika, ["read:account"])
    Misskey(mika.server, forge(raw)).error("i", {}, 401, "AUTHENTICATION_FAILED")


def test_a_revoked_userkey_token_fails_in_both_forms(mika: MkUser) -> None:
    raw, secret = _userkey(mika, ["read:account"])
    hashed = hashlib.sha256((raw + secret).encode()).hexdigest()
    apps = mika.mk("i/apps")
    mine = [a for a in apps if a["name"] == "megalodon"]
    for app in mine:
        mika.mk("i/revoke-token", {"tokenId": app["id"]})
    for token in (raw, hashed):
        Misskey(mika.server, token).error("i", {}, 401, "AUTHENTICATION_FAILED")


# 3. Unknown body keys are ignored; known keys of the wrong type are still named.


def test_megalodon_posts_mastodon_style_fields_to_i_update(mika: MkUser) -> None:
    body = {"name": "Mika K.", "display_name": "ignored", "note": "ignored", "locked": True}
    updated = mika.mk("i/update", body)
    assert updated["name"] == "Mika K."
    assert "display_name" not in updated
    error = mika.mk.error("i/update", {"bogus": 1, "isLocked": "yes"}, 400, "INVALID_PARAM")
    assert error["info"]["param"] == "isLocked"


def test_unknown_keys_inside_a_declared_object_are_ignored(mika: MkUser) -> None:
    r = mika.mk.raw("i/update", {"fields": [{"name": "a", "value": "b", "verified_at": None}]})
    assert r.status_code == 200, r.text
    assert r.json()["fields"] == [{"name": "a", "value": "b"}]


# 4. Registry scopes with `-` and `.`, as the seed's own example writes them.


def test_the_seed_registry_example_works(mika: MkUser) -> None:
    mika.mk("i/registry/set", {"key": "theme", "value": "dark", "scope": ["my-app"]})
    assert mika.mk("i/registry/get", {"key": "theme", "scope": ["my-app"]}) == "dark"
    mika.mk("i/registry/set", {"key": "k", "value": 1, "scope": ["client.v2", "a_b-c"]})
    assert mika.mk("i/registry/get-all", {"scope": ["client.v2", "a_b-c"]}) == {"k": 1}
    keys = mika.mk("i/registry/keys", {"scope": ["my-app"]})
    assert keys == ["theme"]
    for bad in (["my app"], ["a/b"], [""], ["é"]):
        error = mika.mk.error("i/registry/get", {"key": "x", "scope": bad}, 400, "INVALID_PARAM")
        assert error["info"]["param"].startswith("scope"), error


# 5. The instance's contact account: the first owner (else admin) unless a setting names one.


def _contacts(server: RunningServer) -> tuple[Any, Any]:
    v1 = Api(server).get("/api/v1/instance").json()["contact_account"]
    v2 = Api(server).get("/api/v2/instance").json()["contact"]["account"]
    return v1, v2


def test_contact_account_defaults_to_the_first_owner(make_server: Any) -> None:
    server = make_server(require_email_confirmation=False)
    assert _contacts(server) == (None, None)  # nobody to name yet
    admin = register(server)
    tandem(server, "admin", "set-role", admin.username, "admin")
    v1, v2 = _contacts(server)
    assert v1["username"] == v2["username"] == admin.username
    owner = register(server)
    tandem(server, "admin", "set-role", owner.username, "owner")
    v1, v2 = _contacts(server)
    assert v1["id"] == v2["id"] == owner.id  # an owner before any admin
    assert_valid("Account", v1)


def test_a_setting_names_the_contact_account(make_server: Any) -> None:
    server = make_server(require_email_confirmation=False, contact_username="Deskhelp")
    owner = register(server)
    tandem(server, "admin", "set-role", owner.username, "owner")
    assert _contacts(server)[0]["id"] == owner.id  # the named account does not exist yet
    desk = register(server, "deskhelp")
    v1, v2 = _contacts(server)
    assert v1["id"] == v2["id"] == desk.id
    meta = httpx.post(f"{server.base_url}/api/meta", json={}).json()
    assert meta["maintainerName"] == desk.username  # the same contact in the Misskey dialect
    tandem(server, "admin", "suspend", desk.username)
    assert _contacts(server)[0]["id"] == owner.id  # never a suspended account


# 6. A GET's JSON or form body holds parameters too (the query string wins).


def test_familiar_followers_with_ids_in_a_json_body(alice: User, bob: User, carol: User) -> None:
    assert alice.api.post(f"/api/v1/accounts/{carol.id}/follow").status_code == 200
    assert carol.api.post(f"/api/v1/accounts/{bob.id}/follow").status_code == 200
    expected = [{"id": bob.id, "accounts": [carol.id]}]

    def ids(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"id": f["id"], "accounts": [a["id"] for a in f["accounts"]]} for f in found]

    r = alice.api.request("GET", "/api/v1/accounts/familiar_followers", json={"id": [bob.id]})
    assert r.status_code == 200, r.text
    assert ids(r.json()) == expected
    r = alice.api.request("GET", "/api/v1/accounts/familiar_followers", data={"id[]": bob.id})
    assert ids(r.json()) == expected
    # The query string wins over the body.
    r = alice.api.request(
        "GET", f"/api/v1/accounts/familiar_followers?id[]={carol.id}", json={"id": [bob.id]}
    )
    assert [f["id"] for f in r.json()] == [carol.id]
    # As Mastodon.py calls it.
    found = alice.mastodon().account_familiar_followers(bob.id)
    assert [[str(a["id"]) for a in f["accounts"]] for f in found] == [[carol.id]]


def test_a_get_body_is_bounded_and_checked(alice: User) -> None:
    r = alice.api.request(
        "GET",
        "/api/v1/accounts/relationships",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400, r.text
    r = alice.api.request(
        "GET",
        "/api/v1/accounts/relationships",
        content=b"a" * (40 * 1024 * 1024),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413, r.status_code


# 7. Entities as masto.js types them.


def test_credential_account_source_carries_the_role(alice: User) -> None:
    me = alice.api.get("/api/v1/accounts/verify_credentials").json()
    assert me["source"]["role"] == me["role"]
    assert me["role"]["permissions"] == "65536"
    assert_valid("CredentialAccount", me)
    shown = alice.api.get(f"/api/v1/accounts/{alice.id}").json()
    assert "source" not in shown
    assert "moved" not in shown  # only for a moved account
    assert "limited" not in shown  # only for a silenced one
    assert_valid("Account", shown)


def test_i_revoke_token_takes_the_raw_userkey_token(mika: MkUser) -> None:
    raw, secret = _userkey(mika, ["read:account"])
    hashed = hashlib.sha256((raw + secret).encode()).hexdigest()
    assert Misskey(mika.server, raw)("i")["id"] == mika.id
    forged = raw[:-1] + ("0" if raw[-1] != "0" else "1")
    mika.mk("i/revoke-token", {"token": forged})  # names no token: nothing happens
    assert Misskey(mika.server, raw)("i")["id"] == mika.id
    mika.mk("i/revoke-token", {"token": raw})
    for token in (raw, hashed):
        Misskey(mika.server, token).error("i", {}, 401, "AUTHENTICATION_FAILED")
