"""Invite-only sign-up (`registrations = "invite"`) through both dialects and the /invite page:
a code is required, spent once per use (atomically: racers get one success), and a refused
code is refused with the reason (unknown, used, expired). Both backends.

The module has a server of its own in invite mode. The invite endpoints themselves and the
role policies are in tests/test_invites.py.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import httpx
import pytest

from support.api import PASSWORD, Api, app_token, password_token, unique
from support.misskey import Misskey, sign_in
from support.server import RunningServer
from support.web import browser, hidden_fields
from tandem import cli
from test_concurrency import mastodon, race


@pytest.fixture(scope="module")
def site(backend: str) -> Iterator[RunningServer]:
    running = RunningServer(
        backend, registrations="invite", require_email_confirmation=False
    ).start()
    yield running
    running.close()


@pytest.fixture(scope="module")
def admin(site: RunningServer) -> Misskey:
    name = unique("admin")
    operator(site, "create-user", name, "--email", f"{name}@example.com", "--password", PASSWORD)
    operator(site, "set-role", name, "admin")
    return Misskey(site, sign_in(site, name))


def operator(server: RunningServer, *args: str) -> str:
    """`tandem admin …` in this process (no new interpreter to start); its output."""
    out, err = io.StringIO(), io.StringIO()
    where = ["--data-dir", str(server.data_dir), "--database-url", server.database.url]
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main([*where, "admin", *args])
    assert code == 0, err.getvalue()
    return out.getvalue().strip()


def expired_code(server: RunningServer) -> str:
    code = operator(server, "create-invite", "--expires-in", "0.00001")  # hours: 36 ms
    time.sleep(0.1)
    return code


def fields(**extra: Any) -> dict[str, Any]:
    name = unique()
    base = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    return {**base, "agreement": "true", **extra}


def mastodon_sign_up(server: RunningServer, **extra: Any) -> httpx.Response:
    token = app_token(server, "write:accounts")
    return Api(server, token).post("/api/v1/accounts", data=fields(**extra))


def refused_because(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 422, response.text
    body = response.json()
    [problem] = body["details"]["invite_code"]
    assert body["error"] == f"Validation failed: Invite code {problem['description']}"
    return problem["error"], problem["description"]


def misskey_sign_up(server: RunningServer, code: str | None) -> httpx.Response:
    body: dict[str, Any] = {"username": unique(), "password": PASSWORD}
    if code is not None:
        body["invitationCode"] = code
    return Misskey(server).raw("signup", body)


def test_the_instance_documents_say_sign_up_is_by_invitation(site: RunningServer) -> None:
    v2 = Api(site).get("/api/v2/instance").json()["registrations"]
    assert (v2["enabled"], v2["approval_required"]) == (False, False)
    assert "invitation" in v2["message"]
    assert Api(site).get("/api/v1/instance").json()["registrations"] is False
    meta = Misskey(site)("meta")
    assert meta["disableRegistration"] is True  # Misskey's clients then ask for a code
    assert meta["features"]["registration"] is False


def test_mastodon_sign_up_needs_a_usable_code(site: RunningServer) -> None:
    assert refused_because(mastodon_sign_up(site)) == ("ERR_BLANK", "can't be blank")
    unknown = mastodon_sign_up(site, invite_code="NOSUCHCODE")
    assert refused_because(unknown) == ("ERR_INVALID", "is not an invite code of this server")
    code = operator(site, "create-invite", "--max-uses", "2")
    assert mastodon_sign_up(site, invite_code=code).status_code == 200
    assert mastodon_sign_up(site, invite_code=code).status_code == 200
    used = mastodon_sign_up(site, invite_code=code)
    assert refused_because(used) == ("ERR_USED", "has already been used")
    expired = mastodon_sign_up(site, invite_code=expired_code(site))
    assert refused_because(expired) == ("ERR_EXPIRED", "has expired")
    # Other problems are told at the same time as the code's.
    both = mastodon_sign_up(site, invite_code=code, username="")
    assert set(both.json()["details"]) == {"username", "invite_code"}


def test_misskey_sign_up_with_a_code_from_invite_create(
    site: RunningServer, admin: Misskey
) -> None:
    made = admin("invite/create")
    r = misskey_sign_up(site, made["code"])
    assert r.status_code == 200, r.text
    joined = r.json()
    assert Misskey(site, joined["token"])("i")["id"] == joined["id"]
    shown = admin("invite/list")[0]
    assert (shown["id"], shown["used"]) == (made["id"], True)
    assert shown["usedBy"]["id"] == joined["id"]
    again = misskey_sign_up(site, made["code"])
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "INVITATION_CODE_ALREADY_USED"
    for code, said in [
        (None, "INVITATION_CODE_REQUIRED"),
        ("NOSUCHCODE", "NO_SUCH_INVITATION_CODE"),
        (expired_code(site), "INVITATION_CODE_EXPIRED"),
    ]:
        refused = misskey_sign_up(site, code)
        assert refused.status_code == 400, refused.text
        error = refused.json()["error"]
        assert (error["code"], error["kind"]) == (said, "client")
        assert error["message"]


def test_a_code_used_in_one_dialect_is_used_in_the_other(
    site: RunningServer, admin: Misskey
) -> None:
    code = admin("invite/create")["code"]
    assert mastodon_sign_up(site, invite_code=code).status_code == 200
    refused = misskey_sign_up(site, code)
    assert refused.json()["error"]["code"] == "INVITATION_CODE_ALREADY_USED"


def test_racing_sign_ups_spend_a_single_use_code_once(site: RunningServer) -> None:
    code = operator(site, "create-invite", "--max-uses", "1")
    token = app_token(site, "write:accounts")
    calls = [mastodon(token, "/api/v1/accounts", **fields(invite_code=code)) for _ in range(4)]
    responses = race(site, calls)
    assert sorted(r.status_code for r in responses) == [200, 422, 422, 422]
    for r in responses:
        if r.status_code == 422:
            assert refused_because(r) == ("ERR_USED", "has already been used")


def test_the_invite_page_signs_up_with_the_code(site: RunningServer) -> None:
    code = operator(site, "create-invite", "--max-uses", "1")
    web = browser(site)
    shown = web.get(f"/invite/{code}")
    assert shown.status_code == 200
    assert f'value="{code}" readonly' in shown.text
    form = hidden_fields(shown)
    name = unique()
    filled = {
        **form,
        "username": name,
        "email": f"{name}@example.com",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "agreement": "1",
    }
    mismatch = web.post(f"/invite/{code}", data={**filled, "password_confirmation": "other"})
    assert mismatch.status_code == 422
    assert "does not match the password" in mismatch.text
    assert f'value="{name}"' in mismatch.text  # what was typed stays
    bad_name = web.post(f"/invite/{code}", data={**filled, "username": "no spaces!"})
    assert bad_name.status_code == 422
    assert "must contain only letters, numbers and underscores" in bad_name.text
    forged = web.post(f"/invite/{code}", data={**filled, "csrf": "forged"})
    assert forged.status_code == 403
    done = web.post(f"/invite/{code}", data=filled)
    assert done.status_code == 200, done.text
    assert "Your account is ready" in done.text
    assert password_token(site, name, PASSWORD, "read")
    # The code is spent: the page says so, and so does a second submission.
    used = web.get(f"/invite/{code}")
    assert used.status_code == 410
    assert "already been used" in used.text
    again = web.post(f"/invite/{code}", data={**filled, "username": unique()})
    assert again.status_code == 410


def test_the_invite_page_says_why_a_code_cannot_be_used(site: RunningServer) -> None:
    web = browser(site)
    unknown = web.get("/invite/NOSUCHCODE")
    assert unknown.status_code == 404
    assert "no such invite" in unknown.text
    expired = web.get(f"/invite/{expired_code(site)}")
    assert expired.status_code == 410
    assert "expired" in expired.text
    in_german = web.get("/invite/NOSUCHCODE", headers={"Accept-Language": "de"})
    assert in_german.status_code == 404
    assert re.search(r'<html lang="de"', in_german.text)
