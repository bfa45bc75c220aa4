"""The operator commands work on the server's database while it runs."""

from __future__ import annotations

import os
import subprocess
import sys

from support.api import Api, password_token
from support.cli import tandem
from support.server import RunningServer


def test_create_admin_user_and_log_in(server: RunningServer) -> None:
    done = tandem(
        server, "admin", "create-user", "opsadmin", "--email", "ops@example.com", "--role", "owner"
    )
    assert "created @opsadmin" in done.stdout
    password = done.stdout.split("password: ")[1].strip()
    token = password_token(server, "ops@example.com", password, "read")
    me = Api(server, token).get("/api/v1/accounts/verify_credentials").json()
    assert me["role"]["name"] == "Owner"
    assert me["role"]["highlighted"] is True
    assert me["roles"] == [{"id": "3", "name": "Owner", "color": ""}]
    contact = Api(server).get("/api/v2/instance").json()["contact"]["account"]
    assert contact["username"] == "opsadmin"


def test_create_user_validation_errors(server: RunningServer) -> None:
    done = tandem(server, "admin", "create-user", "bad name", "--email", "nope", check=False)
    assert done.returncode == 1
    assert "username: must contain only letters" in done.stderr
    assert "email: is invalid" in done.stderr
    done = tandem(server, "admin", "approve", "nobody_at_all", check=False)
    assert done.returncode == 1
    assert "not found" in done.stderr


def test_set_role_and_suspend(server: RunningServer) -> None:
    tandem(
        server,
        "admin",
        "create-user",
        "modme",
        "--email",
        "modme@example.com",
        "--password",
        "long enough pw",
    )
    tandem(server, "admin", "set-role", "modme", "moderator")
    token = password_token(server, "modme", "long enough pw", "read")
    assert (
        Api(server, token).get("/api/v1/accounts/verify_credentials").json()["role"]["name"]
        == "Moderator"
    )
    tandem(server, "admin", "suspend", "modme")
    r = Api(server, token).get("/api/v1/accounts/verify_credentials")
    assert (r.status_code, r.json()) == (403, {"error": "Your login is currently disabled"})


def test_bad_configuration_is_reported(server: RunningServer) -> None:
    env = {**os.environ, "TANDEM_REGISTRATIONS": "sometimes"}
    done = subprocess.run(
        [sys.executable, "-m", "tandem", "--data-dir", str(server.data_dir), "migrate"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert "registrations must be one of open, approval, closed, invite" in done.stderr
