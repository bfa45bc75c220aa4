"""No secret in any log line: passwords, tokens, client secrets, cookies, statement values."""

from __future__ import annotations

import asyncio
import io
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request

from support import databases
from support.api import PASSWORD, Api, create_test_app, register
from support.server import ServerProcess
from tandem import logsafety
from tandem.app import server_error
from tandem.core.errors import Conflict
from tandem.store.db import Database


@pytest.fixture
def process(backend: str) -> Iterator[ServerProcess]:
    server = ServerProcess(backend, require_email_confirmation=False).start()
    yield server
    server.close()


def test_server_log_never_shows_secrets(process: ServerProcess) -> None:
    server = process
    user = register(server)
    app = create_test_app(server, "read write")
    wrong_password = f"wrong-{secrets.token_hex(8)}"
    bad_secret = f"bad-{secrets.token_hex(8)}"
    session = secrets.token_urlsafe(16)
    secrets_used = [PASSWORD, wrong_password, bad_secret, app.client_secret, user.token, session]
    api = Api(server)
    grant = {"grant_type": "password", "client_id": app.client_id, "username": user.username}
    # Failed logins with a known password, and a wrong client secret (in the body and the URL).
    for password in (wrong_password, PASSWORD):
        r = api.post(
            "/oauth/token", data={**grant, "client_secret": bad_secret, "password": password}
        )
        assert r.status_code == 401, r.text
    r = api.post(
        "/oauth/token",
        data={**grant, "client_secret": app.client_secret, "password": wrong_password},
    )
    assert r.status_code == 400, r.text
    r = api.post(f"/oauth/token?client_secret={bad_secret}&password={PASSWORD}", data=grant)
    assert r.status_code == 401, r.text
    # Tokens in query strings, in headers and in cookies, valid or not.
    for token in (user.token, bad_secret):
        api.get(f"/api/v1/accounts/verify_credentials?access_token={token}")
        api.get("/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {token}"})
        api.get(f"/api/i?i={token}")
        api.post("/api/i", json={"i": token})
        httpx.get(f"{server.base_url}/auth/sign_in", cookies={"tandem_session": token})
    # Misskey sign-in failures and MiAuth sessions (a secret until the app collects its token).
    api.post("/api/signin-flow", json={"username": user.username, "password": wrong_password})
    api.post("/api/signin", json={"username": user.username, "password": wrong_password})
    api.get(f"/miauth/{session}?name=x&callback=javascript:alert(1)")
    api.post(f"/api/miauth/{session}/check")
    # A web sign-in with the wrong password.
    web = httpx.Client(base_url=server.base_url)
    web.get("/auth/sign_in")
    web.post("/auth/sign_in", data={"login": user.username, "password": wrong_password})

    server.stop()
    log = (server.data_dir / "server.log").read_text()
    assert "verify_credentials?access_token=[REDACTED]" in log  # the access log was on
    assert "/api/i?i=[REDACTED]" in log
    for secret in secrets_used:
        assert secret not in log, f"{secret!r} appears in the server log"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Everything logged anywhere, formatted the way `tandem serve` formats it."""
    logsafety.install()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


async def _duplicate_secret(db: Database, secret: str) -> Conflict:
    """The clash leaves `db.write()` as a Conflict whose cause is the database's error."""
    async with db.write() as conn:
        await conn.execute(text("CREATE TABLE leak_test (client_secret TEXT UNIQUE)"))
    try:
        for _ in range(2):
            async with db.write() as conn:
                await conn.execute(
                    text("INSERT INTO leak_test (client_secret) VALUES (:s)"), {"s": secret}
                )
    except Conflict as err:
        return err
    finally:
        await db.dispose()
    raise AssertionError("the duplicate was accepted")


def test_database_errors_never_carry_values_into_logs(
    backend: str, tmp_path: Path, captured: io.StringIO
) -> None:
    database = databases.TestDatabase(backend, tmp_path)
    secret = f"cs-{secrets.token_hex(12)}"
    try:
        err = asyncio.run(_duplicate_secret(Database(database.url), secret))
    finally:
        database.drop()
    assert isinstance(err.__cause__, IntegrityError)
    assert "[parameters:" not in str(err.__cause__)  # hide_parameters on the engine
    scope = {"type": "http", "method": "POST", "path": "/api/v1/apps", "headers": []}
    response = asyncio.run(server_error(Request(scope), err))  # the 500 handler logs it
    assert response.status_code == 500
    job_log = logging.getLogger("tandem.jobs")
    job_log.warning("job %s (%s) failed on attempt %s: %s", 1, "export", 1, err)
    logging.getLogger("tandem.test").error("failed: %r", {"client_secret": secret})
    output = captured.getvalue()
    assert "unhandled error on POST /api/v1/apps" in output
    assert "IntegrityError" in output
    assert secret not in output


def test_parameters_are_redacted_even_from_an_engine_that_shows_them(
    captured: io.StringIO,
) -> None:
    """A statement error with its parameters (as SQLAlchemy prints them by default)."""
    secret = f"cs-{secrets.token_hex(12)}"
    err = IntegrityError(
        "INSERT INTO applications (client_id, client_secret) VALUES (?, ?)",
        ("abc", secret),
        Exception("UNIQUE constraint failed: applications.client_secret"),
    )
    assert secret in str(err)
    try:
        raise err
    except IntegrityError:
        logging.getLogger("tandem").exception("write failed")
    logging.getLogger("tandem").info("DETAIL:  Key (client_secret)=(%s) already exists.", secret)
    output = captured.getvalue()
    assert "[parameters: [REDACTED]]" in output
    assert secret not in output


@pytest.mark.parametrize(
    "line",
    [
        "GET /api/v1/timelines/home?access_token={s}&limit=5 HTTP/1.1",
        "POST /api/i?i={s}",
        "Authorization: Bearer {s}",
        "headers: {{'authorization': 'Bearer {s}', 'cookie': 'tandem_session={s}'}}",
        "Cookie: tandem_session={s}; tandem_csrf={s}",
        "client_id=abc&client_secret={s}&grant_type=password&password={s}",
        '{{"username": "bob", "password": "{s}", "token": "{s}"}}',
        "database_url=postgresql://tandem:{s}@db/tandem",
        "redis_url = redis://:{s}@127.0.0.1:6379/0",
        "database_url: postgresql://tandem:{s}@{s}@db/tandem",
        "password: {s}",
        "  client_secret:{s} (from the environment)",
        'null value in column "otp_secret" violates not-null constraint\n'
        "DETAIL:  Failing row contains (1, alice@example.com, {s}, null).",
        "DETAIL:  Failing row contains (7, a value (with parentheses)\nover lines, {s}).",
        "POST /api/miauth/{s}/check",
    ],
)
def test_known_secret_patterns_are_redacted(line: str, captured: io.StringIO) -> None:
    secret = f"S3cr{secrets.token_hex(8)}"
    logging.getLogger("tandem").warning(line.format(s=secret))
    logging.getLogger("uvicorn.error").info("%s", line.format(s=secret))
    assert secret not in captured.getvalue()
    assert "[REDACTED]" in captured.getvalue()
