"""A real TOTP flow: register, done with a computed code, sign-in needs a code, backup codes."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pyotp

from support.api import PASSWORD, Api, shared_app
from support.misskey import Misskey, MkUser, mk_user
from support.server import RunningServer
from support.web import browser, hidden_fields, sign_in_from


def _enable(user: MkUser) -> tuple[pyotp.TOTP, list[str]]:
    enrollment = user.mk("i/2fa/register", {"password": PASSWORD})
    assert enrollment["qr"].startswith("data:image/png;base64,")
    png = base64.b64decode(enrollment["qr"].split(",", 1)[1])
    assert png.startswith(b"\x89PNG")
    assert enrollment["issuer"] == user.server.settings.domain
    assert enrollment["label"] == user.username
    url = urlsplit(enrollment["url"])
    assert url.scheme == "otpauth"
    assert parse_qs(url.query)["secret"] == [enrollment["secret"]]
    totp = pyotp.TOTP(enrollment["secret"])
    assert user.mk("i")["twoFactorEnabled"] is False  # not before a code proves the app works
    user.mk.error(
        "i/2fa/done",
        {"token": "000000" if totp.now() != "000000" else "111111"},
        400,
        "INCORRECT_TOKEN",
    )
    codes = user.mk("i/2fa/done", {"token": totp.now()})["backupCodes"]
    assert len(codes) == 5
    me = user.mk("i")
    assert me["twoFactorEnabled"] is True
    assert me["twoFactorBackupCodesStock"] == "full"
    return totp, codes


def test_totp_flow(server: RunningServer) -> None:
    user = mk_user(server)
    user.mk.error("i/2fa/done", {"token": "123456"}, 400, "TWO_FACTOR_NOT_STARTED")
    user.mk.error("i/2fa/register", {"password": "wrong"}, 400, "INCORRECT_PASSWORD")
    totp, backup = _enable(user)
    anon = Misskey(server)
    credentials = {"username": user.username, "password": PASSWORD}
    # Refused without a code: the flow asks for it, the one-step sign-in fails.
    assert anon("signin-flow", credentials) == {"finished": False, "next": "totp"}
    anon.error("signin", credentials, 403, "INCORRECT_TOKEN")
    anon.error("signin-flow", {**credentials, "token": "000000"}, 403, "INCORRECT_TOKEN")
    # Accepted with the current code.
    done = anon("signin-flow", {**credentials, "token": totp.now()})
    assert done["finished"] is True
    assert Misskey(server, done["i"])("i")["id"] == user.id
    # A backup code works once.
    assert anon("signin-flow", {**credentials, "token": backup[0]})["finished"] is True
    anon.error("signin-flow", {**credentials, "token": backup[0]}, 403, "INCORRECT_TOKEN")
    assert user.mk("i")["twoFactorBackupCodesStock"] == "partial"
    # Every attempt is in the sign-in history, failures included.
    history = user.mk("i/signin-history", {"limit": 3})
    assert [h["success"] for h in history] == [False, True, True]


def test_mastodon_password_grant_and_login_page_need_the_code(server: RunningServer) -> None:
    user = mk_user(server)
    totp, _ = _enable(user)
    app = shared_app(server)
    grant = {
        "grant_type": "password",
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "username": user.username,
        "password": PASSWORD,
        "scope": "read",
    }
    r = Api(server).post("/oauth/token", data=grant)
    assert r.status_code == 400
    assert "otp" in r.json()["error_description"]
    r = Api(server).post("/oauth/token", data={**grant, "otp": totp.now()})
    assert r.status_code == 200
    # The OAuth login page asks for the code after the password.
    web = browser(server)
    url = (
        f"/oauth/authorize?response_type=code&client_id={app.client_id}"
        "&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read"
    )
    page = sign_in_from(web, web.get(url), user.username, PASSWORD)
    assert page.status_code == 200
    assert 'name="code"' in page.text
    wrong = web.post("/auth/sign_in/two_factor", data={**hidden_fields(page), "code": "000000"})
    assert wrong.status_code == 401
    right = web.post("/auth/sign_in/two_factor", data={**hidden_fields(wrong), "code": totp.now()})
    assert right.status_code == 303
    # Signed in; the app was authorized before (password grant), so the code comes at once.
    consent = web.get(right.headers["location"])
    assert 'id="authorization-code"' in consent.text


def test_change_password_needs_the_code(server: RunningServer) -> None:
    user = mk_user(server)
    totp, _ = _enable(user)
    body = {"currentPassword": PASSWORD, "newPassword": "a brand new secret"}
    user.mk.error("i/change-password", body, 400, "INCORRECT_TOKEN")
    user.mk("i/change-password", {**body, "token": totp.now()})
    Misskey(server).error(
        "signin-flow",
        {"username": user.username, "password": PASSWORD, "token": totp.now()},
        403,
        "INCORRECT_PASSWORD",
    )


def test_unregister_and_password_less(server: RunningServer) -> None:
    user = mk_user(server)
    user.mk.error("i/2fa/password-less", {"value": True}, 400, "TWO_FACTOR_REQUIRED")
    totp, _ = _enable(user)
    user.mk("i/2fa/password-less", {"value": True})
    assert user.mk("i")["usePasswordLessLogin"] is True
    anon = Misskey(server)
    assert anon("signin-flow", {"username": user.username}) == {"finished": False, "next": "totp"}
    done = anon("signin-flow", {"username": user.username, "token": totp.now()})
    assert done["finished"] is True
    user.mk.error("i/2fa/unregister", {"password": PASSWORD}, 400, "INCORRECT_TOKEN")
    user.mk("i/2fa/unregister", {"password": PASSWORD, "token": totp.now()})
    me = user.mk("i")
    assert me["twoFactorEnabled"] is False
    assert me["usePasswordLessLogin"] is False
    assert anon("signin-flow", {"username": user.username, "password": PASSWORD})["finished"]
