"""Every Misskey endpoint: credential, permission (kind), secure-only and parameter checks."""

from __future__ import annotations

import pytest

from support.cli import tandem
from support.misskey import Misskey, MkUser, app_token, mk_user
from support.server import RunningServer
from tandem.api.misskey.endpoint import REGISTRY
from tandem.api.misskey.routes import ENDPOINT_MODULES
from tandem.api.misskey.schema import P
from tandem.core.permissions import PERMISSIONS

assert ENDPOINT_MODULES  # importing the routes registers every endpoint
NAMES = sorted(REGISTRY)
WITH_KIND = [n for n in NAMES if REGISTRY[n].kind]
SECURE = [n for n in NAMES if REGISTRY[n].secure]
CREDENTIAL = [n for n in NAMES if REGISTRY[n].credential and not REGISTRY[n].secure]
REQUIRED = [(n, p) for n in NAMES for p, spec in REGISTRY[n].params.items() if spec.required]


@pytest.fixture(scope="module")
def owner(server: RunningServer) -> MkUser:
    """An admin: moderators' endpoints check the role first, then the kind and params."""
    made = mk_user(server)
    tandem(server, "admin", "set-role", made.username, "admin")
    return made


@pytest.fixture(scope="module")
def all_permissions(owner: MkUser) -> str:
    return app_token(owner, list(PERMISSIONS))


def test_the_dialect_has_the_endpoints_of_the_seed() -> None:
    seed = {
        "i", "i/update", "i/pin", "i/unpin", "i/favorites", "notes/favorites/create",
        "notes/favorites/delete", "notes/create", "notes/show", "notes/delete",
        "drive/files/create", "drive/files/show", "drive/files/delete", "drive",
        "i/change-password", "i/update-email", "i/regenerate-token", "i/revoke-token",
        "i/export-notes", "i/export-following", "i/export-blocking", "i/export-mute",
        "i/export-favorites", "i/export-antennas", "i/export-clips", "i/export-user-lists",
        "i/import-following", "i/import-blocking", "i/import-muting", "i/import-antennas",
        "i/import-user-lists", "antennas/create", "antennas/list", "antennas/delete",
        "clips/create", "clips/list", "clips/add-note", "users/lists/create", "users/lists/list",
        "users/lists/push", "users/lists/pull", "i/signin-history", "i/registry/get",
        "i/registry/get-all", "i/registry/get-detail", "i/registry/set", "i/registry/remove",
        "i/registry/keys", "i/registry/keys-with-type", "i/registry/scopes-with-domain",
        "i/2fa/register", "i/2fa/done", "i/2fa/unregister", "i/2fa/password-less",
        "i/webhooks/create", "i/webhooks/list", "i/webhooks/show", "i/webhooks/update",
        "i/webhooks/delete", "i/webhooks/test", "signup", "signin-flow", "meta", "endpoints",
        "i/notifications",
    }  # fmt: skip
    assert seed - set(REGISTRY) == set()


def test_endpoints_lists_every_endpoint(server: RunningServer) -> None:
    assert Misskey(server)("endpoints") == NAMES


@pytest.mark.parametrize("name", CREDENTIAL)
def test_a_credential_is_required(server: RunningServer, name: str) -> None:
    Misskey(server).error(name, {}, 401, "CREDENTIAL_REQUIRED")


@pytest.mark.parametrize("name", CREDENTIAL)
def test_a_wrong_token_fails_authentication(server: RunningServer, name: str) -> None:
    Misskey(server, "not-a-token").error(name, {}, 401, "AUTHENTICATION_FAILED")


@pytest.mark.parametrize("name", WITH_KIND)
def test_permission_is_checked(owner: MkUser, name: str) -> None:
    kind = REGISTRY[name].kind
    other = "read:pages" if kind != "read:pages" else "write:pages"
    Misskey(owner.server, app_token(owner, [other])).error(name, {}, 403, "PERMISSION_DENIED")
    r = Misskey(owner.server, app_token(owner, [str(kind)])).raw(name, {})
    assert r.status_code != 403 or r.json()["error"]["code"] != "PERMISSION_DENIED", r.text


@pytest.mark.parametrize("name", SECURE)
def test_secure_endpoints_refuse_app_tokens(owner: MkUser, all_permissions: str, name: str) -> None:
    Misskey(owner.server, all_permissions).error(name, {}, 400, "ACCESS_DENIED")
    Misskey(owner.server).error(name, {}, 400, "ACCESS_DENIED")  # anonymous: the same answer


def _wrong(spec: P) -> object:
    """A value no parameter of this type accepts."""
    return "x" if spec.type in ("object", "array", "boolean", "integer", "number") else {"x": 1}


TYPED = [(n, p) for n in NAMES for p, spec in REGISTRY[n].params.items() if spec.type != "any"]
FIRST_TYPED = sorted({n: p for n, p in reversed(TYPED)}.items())


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_param_is_ignored(owner: MkUser, name: str) -> None:
    # As Misskey (Ajv allows additional properties): never refused for an unknown key.
    r = owner.mk.raw(name, {"surelyNotAParam": 1})
    assert "surelyNotAParam" not in r.text, r.text


@pytest.mark.parametrize(("name", "param"), FIRST_TYPED, ids=[f"{n}:{p}" for n, p in FIRST_TYPED])
def test_a_known_param_of_the_wrong_type_is_named(owner: MkUser, name: str, param: str) -> None:
    body = {"surelyNotAParam": 1, param: _wrong(REGISTRY[name].params[param])}
    error = owner.mk.error(name, body, 400, "INVALID_PARAM")
    assert error["info"]["param"] == param, error
    assert param in error["message"]


@pytest.mark.parametrize(("name", "param"), REQUIRED, ids=[f"{n}:{p}" for n, p in REQUIRED])
def test_a_missing_required_param_is_named(owner: MkUser, name: str, param: str) -> None:
    error = owner.mk.error(name, {}, 400, "INVALID_PARAM")
    assert error["info"]["param"] in {p for n, p in REQUIRED if n == name}


def test_bearer_header_works_like_i(owner: MkUser) -> None:
    r = Misskey(owner.server).raw("i", headers={"Authorization": f"Bearer {owner.token}"})
    assert r.status_code == 200
    assert r.json()["id"] == owner.id


def test_unknown_endpoint(owner: MkUser) -> None:
    owner.mk.error("no/such/thing", {}, 404, "UNKNOWN_API_ENDPOINT")


def test_bad_bodies(server: RunningServer) -> None:
    client = Misskey(server).client
    for body in (b"{", b"[1]", b'"x"'):
        r = client.post("/api/meta", content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "INVALID_PARAM", r.text
    r = client.post("/api/i", json={"i": 5})
    assert r.status_code == 400
    assert r.json()["error"]["info"]["param"] == "i"


def test_wrong_types_are_named(owner: MkUser) -> None:
    error = owner.mk.error("i/update", {"isLocked": "yes"}, 400, "INVALID_PARAM")
    assert error["info"] == {"param": "isLocked", "reason": "must be boolean"}
    error = owner.mk.error("notes/show", {"noteId": "../etc"}, 400, "INVALID_PARAM")
    assert error["info"]["param"] == "noteId"
    error = owner.mk.error("i/notifications", {"limit": 101}, 400, "INVALID_PARAM")
    assert error["info"]["param"] == "limit"


def test_get_is_only_for_the_endpoints_that_allow_it(owner: MkUser) -> None:
    client = Misskey(owner.server).client
    assert client.get("/api/meta").status_code == 200
    r = client.get("/api/i", params={"i": owner.token})
    assert r.status_code == 200
    assert r.json()["id"] == owner.id
    r = client.get("/api/i/update", params={"i": owner.token})
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_mastodon_paths_keep_mastodon_errors(server: RunningServer) -> None:
    client = Misskey(server).client
    r = client.get("/api/v1/nothing/here")
    assert r.status_code == 404
    assert r.json() == {"error": "Record not found"}
    r = client.delete("/api/v1/instance")
    assert r.status_code == 405
    assert "error" in r.json()
