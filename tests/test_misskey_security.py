"""Password, e-mail, tokens, sign-in history and the registry."""

from __future__ import annotations

import re

import httpx

from support.api import PASSWORD, Api, password_token
from support.misskey import Misskey, app_token, mk_user, sign_in
from support.server import RunningServer


def test_change_password(server: RunningServer) -> None:
    user = mk_user(server)
    user.mk.error(
        "i/change-password",
        {"currentPassword": "wrong", "newPassword": "something new"},
        400,
        "INCORRECT_PASSWORD",
    )
    error = user.mk.error(
        "i/change-password",
        {"currentPassword": PASSWORD, "newPassword": "short"},
        400,
        "INVALID_PARAM",
    )
    assert error["info"]["param"] == "newPassword"
    user.mk("i/change-password", {"currentPassword": PASSWORD, "newPassword": "something new"})
    Misskey(server).error(
        "signin-flow", {"username": user.username, "password": PASSWORD}, 403, "INCORRECT_PASSWORD"
    )
    assert sign_in(server, user.username, "something new")
    # The Mastodon dialect signs in with the new password too.
    assert password_token(server, user.username, "something new", "read")


def test_update_email(server: RunningServer) -> None:
    user = mk_user(server)
    other = mk_user(server)
    user.mk.error(
        "i/update-email", {"password": "wrong", "email": "x@example.com"}, 400, "INCORRECT_PASSWORD"
    )
    taken = f"{other.username}@example.com"
    user.mk.error("i/update-email", {"password": PASSWORD, "email": taken}, 400, "UNAVAILABLE")
    user.mk.error("i/update-email", {"password": PASSWORD, "email": "nope"}, 400, "UNAVAILABLE")
    new = f"new-{user.username}@example.org"
    me = user.mk("i/update-email", {"password": PASSWORD, "email": new})
    assert me["email"] == new
    assert me["emailVerified"] is False
    mail = server.wait_for_mail(new)
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes)
    link = re.search(r"(https?://\S+/auth/confirmation\?confirmation_token=\S+)", body.decode())
    assert link
    assert httpx.get(link.group(1)).status_code == 200
    me = user.mk("i")
    assert me["email"] == new
    assert me["emailVerified"] is True
    cleared = user.mk("i/update-email", {"password": PASSWORD, "email": None})
    assert cleared["email"] is None


def test_regenerate_token_kills_sign_in_tokens_at_once(server: RunningServer) -> None:
    user = mk_user(server)
    second = sign_in(server, user.username)
    app = app_token(user, ["read:account"])
    user.mk.error("i/regenerate-token", {"password": "wrong"}, 400, "INCORRECT_PASSWORD")
    user.mk("i/regenerate-token", {"password": PASSWORD})
    user.mk.error("i", {}, 401, "AUTHENTICATION_FAILED")
    Misskey(server, second).error("i", {}, 401, "AUTHENTICATION_FAILED")
    assert Misskey(server, app)("i")["id"] == user.id  # app tokens are not sign-ins
    assert Misskey(server, sign_in(server, user.username))("i")["id"] == user.id


def test_revoke_token_by_id_and_by_value(server: RunningServer) -> None:
    user = mk_user(server)
    first = app_token(user, ["read:account"])
    second = app_token(user, ["read:account", "write:notes"])
    mastodon = password_token(server, user.username, PASSWORD, "read")
    listed = user.mk("i/apps", {"sort": "+createdAt"})
    assert len(listed) == 4  # and the token the account got when it signed up
    assert listed[0]["permission"] == ["read"]
    assert listed[1]["name"] == "tandem tests"
    assert listed[1]["permission"] == ["read:account", "write:notes"]
    assert [a["id"] for a in user.mk("i/apps", {"sort": "-createdAt"})] == [
        a["id"] for a in reversed(listed)
    ]
    user.mk("i/revoke-token", {"tokenId": listed[1]["id"]})
    Misskey(server, second).error("i", {}, 401, "AUTHENTICATION_FAILED")
    assert Misskey(server, first)("i")["id"] == user.id
    user.mk("i/revoke-token", {"token": first})
    Misskey(server, first).error("i", {}, 401, "AUTHENTICATION_FAILED")
    user.mk("i/revoke-token", {"token": mastodon})
    r = Api(server, mastodon).get("/api/v1/accounts/verify_credentials")
    assert r.status_code == 401
    # Someone else's token is out of reach.
    other = mk_user(server)
    theirs = app_token(other, ["read:account"])
    user.mk("i/revoke-token", {"token": theirs})
    assert Misskey(server, theirs)("i")["id"] == other.id
    error = user.mk.error("i/revoke-token", {}, 400, "INVALID_PARAM")
    assert error["info"]["param"] == "tokenId"


def test_signin_history_covers_both_dialects(server: RunningServer) -> None:
    user = mk_user(server)
    password_token(server, user.username, PASSWORD, "read")
    r = Api(server).post(
        "/oauth/token",
        data={"grant_type": "password", "username": user.username, "password": "bad"},
    )
    assert r.status_code in (400, 401)
    Misskey(server).raw(
        "signin-flow",
        {"username": user.username, "password": "bad"},
        headers={"User-Agent": "history-test", "Cookie": "session=secret"},
    )
    history = user.mk("i/signin-history")
    assert [h["success"] for h in history[:2]] == [False, True]
    latest = history[0]
    assert latest["ip"] == "127.0.0.1"
    assert latest["headers"]["user-agent"] == "history-test"
    assert "cookie" not in latest["headers"]
    assert latest["createdAt"].endswith("Z")
    assert len(user.mk("i/signin-history", {"limit": 1})) == 1
    oldest_first = user.mk("i/signin-history", {"sinceId": history[-1]["id"]})
    assert [h["id"] for h in oldest_first] == [h["id"] for h in reversed(history[:-1])]


def test_registry(server: RunningServer) -> None:
    user = mk_user(server)
    mk = user.mk
    mk("i/registry/set", {"key": "theme", "value": {"dark": True}, "scope": ["client", "base"]})
    mk("i/registry/set", {"key": "count", "value": 3, "scope": ["client", "base"]})
    mk("i/registry/set", {"key": "names", "value": ["a"], "scope": ["client"]})
    assert mk("i/registry/get", {"key": "theme", "scope": ["client", "base"]}) == {"dark": True}
    assert mk("i/registry/get", {"key": "count", "scope": ["client", "base"]}) == 3
    detail = mk("i/registry/get-detail", {"key": "count", "scope": ["client", "base"]})
    assert detail["value"] == 3
    assert detail["updatedAt"].endswith("Z")
    assert mk("i/registry/get-all", {"scope": ["client", "base"]}) == {
        "theme": {"dark": True},
        "count": 3,
    }
    assert sorted(mk("i/registry/keys", {"scope": ["client", "base"]})) == ["count", "theme"]
    assert mk("i/registry/keys-with-type", {"scope": ["client", "base"]}) == {
        "theme": "object",
        "count": "number",
    }
    mk("i/registry/set", {"key": "count", "value": None, "scope": ["client", "base"]})
    assert mk("i/registry/keys-with-type", {"scope": ["client", "base"]})["count"] == "null"
    mk.error("i/registry/get", {"key": "nope"}, 400, "NO_SUCH_KEY")
    mk.error("i/registry/get-detail", {"key": "nope"}, 400, "NO_SUCH_KEY")
    mk.error("i/registry/remove", {"key": "nope"}, 400, "NO_SUCH_KEY")
    error = mk.error(
        "i/registry/set", {"key": "x", "value": 1, "scope": ["bad scope"]}, 400, "INVALID_PARAM"
    )
    assert error["info"]["param"] == "scope[0]"
    mk("i/registry/remove", {"key": "theme", "scope": ["client", "base"]})
    assert mk("i/registry/keys", {"scope": ["client", "base"]}) == ["count"]
    # Each app has its own domain; the user's own token sees them all by domain.
    app = Misskey(server, app_token(user, ["read:account", "write:account"]))
    app("i/registry/set", {"key": "k", "value": "app value"})
    assert app("i/registry/get", {"key": "k"}) == "app value"
    mk.error("i/registry/get", {"key": "k"}, 400, "NO_SUCH_KEY")
    domains = mk("i/registry/scopes-with-domain")
    own = next(d for d in domains if d["domain"] is None)
    assert sorted(own["scopes"]) == [["client"], ["client", "base"]]
    app_domain = next(d for d in domains if d["domain"] is not None)
    assert mk("i/registry/get", {"key": "k", "domain": app_domain["domain"]}) == "app value"
    assert app_domain["scopes"] == [[]]
    # As in Misskey, listing every app's domain is for the user's own (native) token only.
    app.error("i/registry/scopes-with-domain", {}, 400, "ACCESS_DENIED")
    # Another user sees none of it.
    other = mk_user(server)
    other.mk.error(
        "i/registry/get", {"key": "count", "scope": ["client", "base"]}, 400, "NO_SUCH_KEY"
    )
