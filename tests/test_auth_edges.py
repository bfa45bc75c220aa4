"""Edges of authentication: app callbacks, registry permissions, clients behind proxies."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import quote

import pytest

from support.api import PASSWORD, Api, register
from support.misskey import Misskey, app_token, mk_user, sign_in
from support.server import RunningServer
from support.web import browser, hidden_fields, sign_in_from
from tandem.config import ConfigError, load_settings

REFUSED_CALLBACKS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "https://",
    "not a url",
]


def _miauth_approve(server: RunningServer, callback: str) -> tuple[str, str]:
    """Open the MiAuth page with a callback, sign in, approve: (session, Location)."""
    user = mk_user(server)
    session = secrets.token_urlsafe(16)
    web = browser(server)
    query = f"name=Tester&permission=read:account&callback={quote(callback, safe='')}"
    page = web.get(f"/miauth/{session}?{query}")
    assert page.status_code == 200, page.text
    r = sign_in_from(web, page, user.username, PASSWORD)
    assert r.status_code == 303
    page = web.get(r.headers["location"])
    decided = web.post(f"/miauth/{session}", data={**hidden_fields(page), "decision": "approve"})
    assert decided.status_code == 303, decided.text
    return session, decided.headers["location"]


@pytest.mark.parametrize("callback", REFUSED_CALLBACKS)
def test_miauth_refuses_dangerous_callbacks(server: RunningServer, callback: str) -> None:
    session = secrets.token_urlsafe(16)
    page = browser(server).get(f"/miauth/{session}", params={"name": "x", "callback": callback})
    assert page.status_code == 400
    assert "not valid" in page.text
    assert "callback" in page.text
    # Nothing was recorded: the same session with a good callback works afterwards.
    ok = browser(server).get(f"/miauth/{session}", params={"callback": "https://app.example/"})
    assert ok.status_code == 200


@pytest.mark.parametrize("callback", ["myapp://done", "https://app.example/cb?x=1"])
def test_miauth_accepts_app_and_https_callbacks(server: RunningServer, callback: str) -> None:
    session, location = _miauth_approve(server, callback)
    assert location.startswith(callback)
    assert f"session={session}" in location


def test_app_create_refuses_dangerous_callback_urls(server: RunningServer) -> None:
    anon = Misskey(server)
    base = {"name": "x", "description": "d", "permission": ["read:account"]}
    for callback in ("javascript:alert(1)", "data:text/html,x", "vbscript:x", "file:///x"):
        error = anon.error("app/create", {**base, "callbackUrl": callback}, 400, "INVALID_PARAM")
        assert error["info"]["param"] == "callbackUrl"
    for callback in ("myapp://cb", "https://app.example/cb", None):
        assert anon("app/create", {**base, "callbackUrl": callback})["name"] == "x"


@pytest.mark.parametrize("uri", ["javascript:alert(1)", "data:text/html,x", "vbscript:x"])
def test_mastodon_apps_refuse_dangerous_redirect_uris(server: RunningServer, uri: str) -> None:
    r = Api(server).post("/api/v1/apps", data={"client_name": "x", "redirect_uris": uri})
    assert r.status_code == 422, r.text
    assert "Redirect URI" in r.json()["error"]


def test_registry_needs_write_account_to_change(server: RunningServer) -> None:
    owner = mk_user(server)
    reader = Misskey(server, app_token(owner, ["read:account"]))
    writer = Misskey(server, app_token(owner, ["write:account"]))
    body = {"key": "k", "value": 1, "scope": ["s"]}
    reader.error("i/registry/set", body, 403, "PERMISSION_DENIED")
    reader.error("i/registry/remove", {"key": "k", "scope": ["s"]}, 403, "PERMISSION_DENIED")
    writer("i/registry/set", body)
    writer.error("i/registry/get", {"key": "k", "scope": ["s"]}, 403, "PERMISSION_DENIED")
    writer("i/registry/remove", {"key": "k", "scope": ["s"]})
    assert reader("i/registry/keys", {"scope": ["s"]}) == []


def _signin_ips(server: RunningServer, username: str, token: str) -> list[str]:
    return [h["ip"] for h in Misskey(server, token)("i/signin-history")]


def test_forwarded_for_counts_only_behind_trusted_proxies(
    make_server: Callable[..., RunningServer],
) -> None:
    proxied = make_server(trusted_proxies="127.0.0.1/32", require_email_confirmation=False)
    user = register(proxied)
    hops = {"X-Forwarded-For": "6.6.6.6, 203.0.113.9"}  # a client-written hop, then the real one
    r = Misskey(proxied).raw(
        "signin-flow", {"username": user.username, "password": PASSWORD}, headers=hops
    )
    assert r.status_code == 200, r.text
    assert _signin_ips(proxied, user.username, r.json()["i"])[0] == "203.0.113.9"

    direct = make_server(require_email_confirmation=False)
    other = register(direct)
    r = Misskey(direct).raw(
        "signin-flow", {"username": other.username, "password": PASSWORD}, headers=hops
    )
    assert r.status_code == 200, r.text
    assert _signin_ips(direct, other.username, r.json()["i"])[0] == "127.0.0.1"


def test_forwarded_for_chain_of_trusted_proxies(make_server: Callable[..., RunningServer]) -> None:
    server = make_server(
        trusted_proxies=["127.0.0.1", "10.0.0.0/8"], require_email_confirmation=False
    )
    user = register(server)
    hops = {"X-Forwarded-For": "198.51.100.4, 10.1.2.3"}  # client, then an inner proxy
    r = Misskey(server).raw(
        "signin-flow", {"username": user.username, "password": PASSWORD}, headers=hops
    )
    assert _signin_ips(server, user.username, r.json()["i"])[0] == "198.51.100.4"
    token = sign_in(server, user.username)  # no header from the proxy: the proxy's own address
    assert _signin_ips(server, user.username, token)[0] == "127.0.0.1"


def test_trusted_proxies_setting_is_checked() -> None:
    assert load_settings(trusted_proxies="10.0.0.0/8, ::1").trusted_proxies == ("10.0.0.0/8", "::1")
    with pytest.raises(ConfigError, match="trusted_proxies"):
        load_settings(trusted_proxies="10.0.0.0/8,proxy.example")
