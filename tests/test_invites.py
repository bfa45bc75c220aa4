"""Misskey's invite/create|delete|list|limit under the role policies the operator sets with
`tandem admin role-policy`, seen in MeDetailed.policies and meta.policies (both backends).

The module has a server of its own: the policies it sets are global to the server's roles.
Its tests build on each other in order (defaults first, then the policies they set).
Sign-up with a code (both dialects, the /invite page) is in tests/test_invite_signup.py.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import bindparam, text

from support.api import Api, app_token, unique
from support.cli import tandem
from support.misskey import Misskey, MkUser, mk_user
from support.misskey import app_token as mk_app_token
from support.server import RunningServer
from support.sql import execute
from tandem import cli
from tandem.store.types import UTCDateTime

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
ROLE_DENIED_ID = "7f86f06f-7e15-4057-8561-f4b6d4ac755a"
ENDPOINTS = ["invite/create", "invite/list", "invite/limit", "invite/delete"]
DEFAULTS = {
    "canInvite": False,
    "inviteLimit": 0,
    "inviteLimitCycle": 10080,
    "inviteExpirationTime": 0,
}


@pytest.fixture(scope="module")
def site(backend: str) -> Iterator[RunningServer]:
    running = RunningServer(backend, require_email_confirmation=False).start()
    yield running
    running.close()


def operator(server: RunningServer, *args: str) -> tuple[int, str, str]:
    """`tandem admin …` run in this process (as the operator's command runs, only without
    the start-up of a new interpreter): its exit code, output and errors."""
    out, err = io.StringIO(), io.StringIO()
    where = ["--data-dir", str(server.data_dir), "--database-url", server.database.url]
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main([*where, "admin", *args])
    return code, out.getvalue(), err.getvalue()


def policy(server: RunningServer, *args: str) -> tuple[int, str, str]:
    return operator(server, "role-policy", *args)


def set_role(server: RunningServer, user: MkUser, role: str) -> None:
    assert operator(server, "set-role", user.username, role)[0] == 0


def invite_policies(user: MkUser) -> dict[str, Any]:
    found = user.mk("i")["policies"]
    return {k: found[k] for k in DEFAULTS}


def sign_up_with(server: RunningServer, code: str) -> Any:
    name = unique()
    return Api(server, app_token(server, "write:accounts")).post(
        "/api/v1/accounts",
        data={
            "username": name,
            "email": f"{name}@example.com",
            "password": "correct horse battery",
            "agreement": "true",
            "invite_code": code,
        },
    )


def minutes_of(code: str) -> int:
    minutes = 0
    for symbol in code[8:]:
        minutes = minutes * len(ALPHABET) + ALPHABET.index(symbol)
    return minutes


def test_by_default_nobody_may_invite(site: RunningServer) -> None:
    user = mk_user(site)
    assert invite_policies(user) == DEFAULTS
    assert {k: Misskey(site)("meta")["policies"][k] for k in DEFAULTS} == DEFAULTS
    for name in ENDPOINTS:
        error = user.mk.error(name, {"inviteId": "1"}, 403, "ROLE_PERMISSION_DENIED")
        assert (error["id"], error["kind"]) == (ROLE_DENIED_ID, "permission")
    # The role is checked before the token's kind (as Misskey's ApiCallService does).
    for kinds in (["write:invite-codes"], ["read:account"]):
        app = Misskey(site, mk_app_token(user, kinds))
        app.error("invite/create", {}, 403, "ROLE_PERMISSION_DENIED")
    anonymous = Misskey(site)
    anonymous.error("invite/limit", {}, 401, "CREDENTIAL_REQUIRED")
    v1 = Api(site).get("/api/v1/instance").json()
    assert v1["invites_enabled"] is False


def test_administrators_pass_without_the_policy(site: RunningServer) -> None:
    admin = mk_user(site)
    set_role(site, admin, "admin")
    made = admin.mk("invite/create")
    assert made["createdBy"]["id"] == admin.id
    assert admin.mk("invite/limit") == {"remaining": None}
    assert invite_policies(admin) == DEFAULTS  # the role's values, bypassed or not


def test_the_cli_validates_names_and_values(site: RunningServer) -> None:
    for args, said in [
        (("chief", "canInvite", "true"), "role: must be one of user, moderator, admin, owner"),
        (("user", "canFly", "true"), "name: must be one of canInvite, inviteLimit"),
        (("user", "canInvite", "maybe"), "value: must be true or false"),
        (("user", "inviteLimit", "two"), "value: must be a whole number"),
        (("user", "inviteLimitCycle", "0"), "value: must be from 1 to"),
        (("user", "inviteLimit", "-1"), "value: must be from 0 to"),
        (("user", "canInvite", "true", "inviteLimit"), "value: each policy needs a value"),
        (("user", "canInvite", "true", "inviteLimit", "x"), "value: must be a whole number"),
    ]:
        code, _, errors = policy(site, "set", *args)
        assert code == 1, args
        assert said in errors, (args, errors)
    assert "user\tcanInvite\tfalse\tdefault" in policy(site, "show")[1]  # all or nothing


def test_policies_set_through_the_cli_reach_the_running_server(site: RunningServer) -> None:
    user = mk_user(site)
    assert invite_policies(user) == DEFAULTS  # read (and cached) before the change
    # A command of its own (a process apart, as the operator runs it), one value of each type.
    tandem(
        site,
        *("admin", "role-policy", "set", "user", "canInvite", "yes", "inviteLimit", "2"),
        *("inviteLimitCycle", "60", "inviteExpirationTime", "30"),
    )
    wanted = {
        "canInvite": True,
        "inviteLimit": 2,
        "inviteLimitCycle": 60,
        "inviteExpirationTime": 30,
    }
    assert invite_policies(user) == wanted
    assert {k: Misskey(site)("meta")["policies"][k] for k in DEFAULTS} == wanted
    assert {k: user.mk("meta")["policies"][k] for k in DEFAULTS} == wanted
    assert Api(site).get("/api/v1/instance").json()["invites_enabled"] is True
    # Now the role passes: an app token needs the endpoint's kind.
    Misskey(site, mk_app_token(user, ["read:account"])).error(
        "invite/limit", {}, 403, "PERMISSION_DENIED"
    )
    assert Misskey(site, mk_app_token(user, ["read:invite-codes"]))("invite/limit") == {
        "remaining": 2
    }
    shown = policy(site, "show", "user")[1].splitlines()
    assert "user\tinviteLimit\t2\tset" in shown
    moderators = policy(site, "show", "moderator")[1].splitlines()
    assert "moderator\tcanInvite\tfalse\tdefault" in moderators


def test_create_list_and_the_limit_of_a_cycle(site: RunningServer) -> None:
    # The `user` role now: canInvite, 2 codes per 60 minutes, codes last 30 minutes.
    user = mk_user(site)
    assert user.mk("invite/limit") == {"remaining": 2}
    first = user.mk("invite/create")
    now_minutes = int(time.time() // 60)
    assert re.fullmatch(f"[{ALPHABET}]{{12,14}}", first["code"]), first["code"]
    assert abs(minutes_of(first["code"]) - now_minutes) <= 1
    assert first["createdBy"]["id"] == user.id
    assert (first["usedBy"], first["usedAt"], first["used"]) == (None, None, False)
    lasts = _ms(first["expiresAt"]) - _ms(first["createdAt"])
    assert lasts == 30 * 60 * 1000
    assert user.mk("invite/limit") == {"remaining": 1}
    second = user.mk("invite/create")
    assert user.mk("invite/limit") == {"remaining": 0}
    error = user.mk.error("invite/create", {}, 400, "EXCEEDED_LIMIT_OF_CREATE_INVITE_CODE")
    assert error["id"] == "8b165dd3-6f37-4557-8db1-73175d63c641"
    listed = user.mk("invite/list")
    assert [i["id"] for i in listed] == [second["id"], first["id"]]  # newest first
    assert [i["id"] for i in user.mk("invite/list", {"limit": 1})] == [second["id"]]
    assert [i["id"] for i in user.mk("invite/list", {"sinceId": first["id"]})] == [second["id"]]
    assert [i["id"] for i in user.mk("invite/list", {"untilId": second["id"]})] == [first["id"]]
    user.mk.error("invite/list", {"limit": 101}, 400, "INVALID_PARAM")
    # A code made before the cycle no longer counts.
    _made_hours_ago(site, first["id"], 2)
    assert user.mk("invite/limit") == {"remaining": 1}
    user.mk("invite/create")
    assert user.mk("invite/limit") == {"remaining": 0}
    assert len(user.mk("invite/list")) == 3  # codes of past cycles are still listed


def test_remaining_is_null_when_the_limit_is_zero_the_digest_over_the_seed(
    site: RunningServer,
) -> None:
    # The seed says "null means unlimited" and the server agrees: inviteLimit 0 is unlimited.
    user = mk_user(site)
    policy(site, "set", "user", "inviteLimit", "0")
    policy(site, "set", "user", "inviteExpirationTime", "0")
    assert user.mk("invite/limit") == {"remaining": None}
    for _ in range(3):
        made = user.mk("invite/create")
        assert made["expiresAt"] is None  # 0: never expires
    policy(site, "reset", "user", "inviteLimit")
    assert invite_policies(user)["inviteLimit"] == 0


def test_who_may_delete_which_code(site: RunningServer) -> None:
    owner, other, moderator = mk_user(site), mk_user(site), mk_user(site)
    set_role(site, moderator, "moderator")
    policy(site, "set", "moderator", "canInvite", "true")  # Misskey's moderators need it too
    kept = owner.mk("invite/create")
    unknown = owner.mk.error("invite/delete", {"inviteId": "9" * 15}, 400, "NO_SUCH_INVITE_CODE")
    assert unknown["id"] == "cd4f9ae4-7854-4e3e-8df9-c296f051e634"
    denied = other.mk.error("invite/delete", {"inviteId": kept["id"]}, 400, "ACCESS_DENIED")
    assert denied["id"] == "5eb8d909-2540-4970-90b8-dd6f86088121"
    # Used (by a sign-up in this open server): its owner may no longer delete it.
    used = owner.mk("invite/create")
    assert sign_up_with(site, used["code"]).status_code == 200
    shown = next(i for i in owner.mk("invite/list") if i["id"] == used["id"])
    assert (shown["used"], bool(shown["usedAt"])) == (True, True)
    assert shown["usedBy"]["username"]
    again = sign_up_with(site, used["code"])  # open mode: the used code is only ignored
    assert again.status_code == 200
    refused = owner.mk.error(
        "invite/delete", {"inviteId": used["id"]}, 400, "CAN_NOT_DELETE_INVITE_CODE"
    )
    assert refused["id"] == "ff17af39-000c-4d4e-abdf-848fa30fc1ce"
    # Moderators delete anybody's codes, used or not.
    assert moderator.mk("invite/delete", {"inviteId": used["id"]}) is None
    assert moderator.mk("invite/delete", {"inviteId": kept["id"]}) is None
    mine = owner.mk("invite/create")
    assert owner.mk("invite/delete", {"inviteId": mine["id"]}) is None
    assert owner.mk("invite/list") == []
    owner.mk.error("invite/delete", {"inviteId": mine["id"]}, 400, "NO_SUCH_INVITE_CODE")


def test_a_policy_taken_back_closes_the_endpoints(site: RunningServer) -> None:
    user = mk_user(site)
    assert user.mk("invite/limit") == {"remaining": None}
    assert policy(site, "reset", "user")[0] == 0
    user.mk.error("invite/limit", {}, 403, "ROLE_PERMISSION_DENIED")
    assert invite_policies(user) == DEFAULTS
    set_role(site, user, "moderator")
    assert user.mk("invite/limit") == {"remaining": None}
    assert invite_policies(user)["canInvite"] is True


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def _made_hours_ago(server: RunningServer, invite_id: str, hours: int) -> None:
    """Move an invite's creation back in time, straight in the database (committed)."""
    moment = datetime.now(UTC) - timedelta(hours=hours)
    stmt = text("UPDATE invites SET created_at = :t WHERE id = :id").bindparams(
        bindparam("t", type_=UTCDateTime())
    )
    execute(server, stmt, {"t": moment, "id": int(invite_id)})
