"""Signing up and in through the Misskey dialect, and how apps get tokens (MiAuth, sessions)."""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

from support.api import PASSWORD, Api, register, unique
from support.cli import tandem
from support.misskey import Misskey, MkUser, mk_user, sign_in
from support.server import RunningServer
from support.web import browser, hidden_fields, sign_in_from


def test_meta_describes_the_server(server: RunningServer) -> None:
    meta = Misskey(server)("meta")
    assert meta["uri"] == server.base_url
    assert meta["version"].startswith("2025.")
    assert meta["features"]["miauth"] is True
    assert meta["emailRequiredForSignup"] is True
    assert meta["maxNoteTextLength"] == 500
    assert meta["policies"]["antennaLimit"] == 5
    lite = Misskey(server)("meta", {"detail": False})
    assert "features" not in lite
    assert lite["uri"] == server.base_url
    assert Misskey(server)("endpoint", {"endpoint": "i/pin"}) == {
        "params": [{"name": "noteId", "type": "String"}]
    }
    assert Misskey(server).raw("endpoint", {"endpoint": "nope"}).status_code == 204
    assert isinstance(Misskey(server)("ping")["pong"], int)


def test_signup_without_confirmation_returns_me_and_a_token(make_server: Any) -> None:
    server = make_server(require_email_confirmation=False)
    name = unique()
    me = Misskey(server)("signup", {"username": name, "password": PASSWORD})
    assert me["username"] == name
    assert me["token"]
    assert me["email"] is None
    assert me["twoFactorEnabled"] is False
    assert Misskey(server, me["token"])("i")["id"] == me["id"]
    # The account is the same one the Mastodon dialect sees.
    r = Api(server).get(f"/api/v1/accounts/{me['id']}")
    assert r.status_code == 200
    assert r.json()["username"] == name


def test_signup_with_confirmation_mails_a_code(server: RunningServer) -> None:
    name = unique()
    address = f"{name}@example.com"
    anon = Misskey(server)
    anon.error("signup", {"username": name, "password": PASSWORD}, 400, "INVALID_EMAIL_ADDRESS")
    assert (
        anon.raw(
            "signup", {"username": name, "password": PASSWORD, "emailAddress": address}
        ).status_code
        == 204
    )
    anon.error("signin-flow", {"username": name, "password": PASSWORD}, 403, "ACCOUNT_NOT_READY")
    body = server.wait_for_mail(address).get_payload(decode=True)
    assert isinstance(body, bytes)
    code = re.search(r"confirmation_token=(\S+)", body.decode())
    assert code
    done = anon("signup-pending", {"code": code.group(1)})
    assert done["finished"]
    assert done["id"]
    assert Misskey(server, done["i"])("i")["emailVerified"] is True
    anon.error("signup-pending", {"code": code.group(1)}, 400, "NO_SUCH_CODE")


def test_signup_errors(make_server: Any) -> None:
    server = make_server(require_email_confirmation=False, email_domain_blocklist="spam.example")
    anon = Misskey(server)
    taken = unique()
    anon("signup", {"username": taken, "password": PASSWORD})
    cases = [
        ({"username": taken.upper()}, "DUPLICATED_USERNAME"),
        ({"username": "bad name!"}, "INVALID_USERNAME"),
        ({"username": "x" * 31}, "INVALID_USERNAME"),
        ({"password": "short"}, "INVALID_PASSWORD"),
        ({"emailAddress": "nope"}, "INVALID_EMAIL_ADDRESS"),
        ({"emailAddress": "a@spam.example"}, "DENIED_EMAIL_ADDRESS"),
        ({"host": "elsewhere.example"}, "INVALID_PARAM"),
    ]
    for change, code in cases:
        body = {"username": unique(), "password": PASSWORD, **change}
        anon.error("signup", body, 400, code)
    closed = make_server(registrations="closed")
    Misskey(closed).error(
        "signup", {"username": unique(), "password": PASSWORD}, 403, "SIGNUP_DISABLED"
    )


def test_signin_flow_steps_and_errors(server: RunningServer) -> None:
    user = register(server)
    anon = Misskey(server)
    assert anon("signin-flow", {"username": user.username}) == {
        "finished": False,
        "next": "password",
    }
    anon.error(
        "signin-flow", {"username": user.username, "password": "wrong"}, 403, "INCORRECT_PASSWORD"
    )
    anon.error("signin-flow", {"username": "nobody_here"}, 404, "NO_SUCH_USER")
    anon.error("signin-flow", {"username": "x@remote.example"}, 404, "NO_SUCH_USER")
    done = anon("signin-flow", {"username": f"@{user.username}", "password": PASSWORD})
    assert done["finished"] is True
    assert done["id"] == user.id
    assert Misskey(server, done["i"])("i")["username"] == user.username
    # The older one-step endpoint gives the same kind of token.
    done = anon("signin", {"username": user.username, "password": PASSWORD})
    assert Misskey(server, done["i"])("i")["id"] == user.id
    anon.error("signin", {"username": user.username}, 403, "INCORRECT_PASSWORD")


def test_suspended_users_cannot_sign_in_or_use_tokens(make_server: Any) -> None:
    server = make_server()
    user = mk_user(server)
    tandem(server, "admin", "suspend", user.username)
    Misskey(server).error(
        "signin-flow", {"username": user.username, "password": PASSWORD}, 403, "SUSPENDED"
    )
    user.mk.error("i", {}, 403, "YOUR_ACCOUNT_SUSPENDED")


def _miauth(server: RunningServer, user: MkUser, query: str) -> tuple[str, Any]:
    session = secrets.token_urlsafe(16)
    web = browser(server)
    page = web.get(f"/miauth/{session}?{query}")
    assert page.status_code == 200
    r = sign_in_from(web, page, user.username, PASSWORD)
    assert r.status_code == 303
    page = web.get(r.headers["location"])
    assert "Allow" in page.text, page.text
    assert "read:account" in page.text, page.text
    assert Misskey(server).client.post(f"/api/miauth/{session}/check").json() == {"ok": False}
    decided = web.post(f"/miauth/{session}", data={**hidden_fields(page), "decision": "approve"})
    return session, decided


def test_miauth_gives_a_token_once(server: RunningServer) -> None:
    user = mk_user(server)
    session, decided = _miauth(
        server, user, "name=Tester&callback=https://app.example/cb&permission=read:account"
    )
    assert decided.status_code == 303
    target = urlsplit(decided.headers["location"])
    assert target.netloc == "app.example"
    assert parse_qs(target.query)["session"] == [session]
    check = Misskey(server).client.post(f"/api/miauth/{session}/check").json()
    assert check["ok"] is True
    assert check["user"]["id"] == user.id
    token = check["token"]
    assert Misskey(server).client.post(f"/api/miauth/{session}/check").json() == {"ok": False}
    app = Misskey(server, token)
    assert app("i")["id"] == user.id
    app.error("i/update", {"name": "x"}, 403, "PERMISSION_DENIED")
    app.error("i/2fa/register", {"password": PASSWORD}, 400, "ACCESS_DENIED")
    # A MiAuth token also works on the Mastodon dialect, within the scopes it stands for.
    assert Api(server, token).get("/api/v1/accounts/verify_credentials").status_code == 200
    r = Api(server, token).patch("/api/v1/accounts/update_credentials", data={"note": "x"})
    assert r.status_code == 403


def test_miauth_without_callback_and_denied(server: RunningServer) -> None:
    user = mk_user(server)
    _, decided = _miauth(server, user, "name=Tester&permission=read:account,write:notes")
    assert decided.status_code == 200
    assert "go back to the app" in decided.text
    web = browser(server)
    assert web.get("/miauth/short").status_code == 400


def test_app_session_flow(server: RunningServer) -> None:
    user = mk_user(server)
    anon = Misskey(server)
    app = anon(
        "app/create",
        {
            "name": "Legacy",
            "description": "an old client",
            "permission": ["read:account", "write:notes"],
            "callbackUrl": "https://legacy.example/done",
        },
    )
    assert app["secret"]
    assert app["permission"] == ["read:account", "write:notes"]
    shown = anon("app/show", {"appId": app["id"]})
    assert shown["name"] == "Legacy"
    assert "secret" not in shown
    anon.error("auth/session/generate", {"appSecret": "nope"}, 400, "NO_SUCH_APP")
    session = anon("auth/session/generate", {"appSecret": app["secret"]})
    assert session["url"] == f"{server.base_url}/auth/{session['token']}"
    assert anon("auth/session/show", {"token": session["token"]})["app"]["name"] == "Legacy"
    anon.error(
        "auth/session/userkey",
        {"appSecret": app["secret"], "token": session["token"]},
        400,
        "PENDING_SESSION",
    )
    web = browser(server)
    page = web.get(f"/auth/{session['token']}")
    r = sign_in_from(web, page, user.username, PASSWORD)
    page = web.get(r.headers["location"])
    decided = web.post(
        f"/auth/{session['token']}", data={**hidden_fields(page), "decision": "approve"}
    )
    assert decided.status_code == 303
    assert decided.headers["location"] == f"https://legacy.example/done?token={session['token']}"
    key = anon("auth/session/userkey", {"appSecret": app["secret"], "token": session["token"]})
    assert key["user"]["id"] == user.id
    i = hashlib.sha256((key["accessToken"] + app["secret"]).encode()).hexdigest()
    assert Misskey(server, i)("i")["id"] == user.id
    anon.error("auth/session/show", {"token": session["token"]}, 400, "NO_SUCH_SESSION")


def test_native_sign_in_token_reaches_everything(server: RunningServer) -> None:
    user = mk_user(server)
    token = sign_in(server, user.username)
    assert Misskey(server, token)("i/registry/keys") == []
