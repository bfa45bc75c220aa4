"""The `tandem` command: serve, migrate, and operator tasks (`tandem admin …`)."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from tandem import cli_announcements, cli_domains, cli_emoji, cli_roles, logsafety
from tandem.config import ConfigError, Settings, load_settings
from tandem.core import admin, clock, invites
from tandem.core.errors import DomainError, ValidationFailed
from tandem.store.db import Database
from tandem.store.generations import TrackedDatabase, open_generations


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    names = ("host", "port", "data_dir", "database_url", "domain", "workers")
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(**_overrides(args))


def _with_db(settings: Settings, action: Callable[[Database], Awaitable[Any]]) -> Any:
    async def run() -> Any:
        # Tracked: an admin change (suspension, role) reaches the running servers' caches.
        generations = open_generations(settings.data_dir, None, settings.redis_url)
        db = TrackedDatabase(settings.resolved_database_url, generations)
        try:
            await db.migrate()
            return await action(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


def serve(args: argparse.Namespace) -> None:
    from tandem import asgi

    overrides = _overrides(args)
    settings = load_settings(**overrides)
    logsafety.install()  # before any handler runs: secrets never reach a log line
    asgi.configure_logging()
    settings = asgi.prepare(settings)  # once, before the workers start: they never race for it
    workers = f", {settings.workers} worker processes" if settings.workers > 1 else ""
    print(f"tandem is starting at http://{settings.host}:{settings.port}{workers}", flush=True)
    print(f"  public URL: {settings.base_url}   data: {settings.data_dir.resolve()}", flush=True)
    print(
        "  create the first admin account with:\n"
        "    .venv/bin/tandem admin create-user alice --email alice@example.com --role owner",
        flush=True,
    )
    asgi.pass_on(overrides)
    asgi.run(settings)


def deliveries(args: argparse.Namespace) -> None:
    from tandem import asgi, delivery_process

    settings = _settings(args)
    asgi.stop_with_supervisor()  # started by `tandem serve`: it stops and dies with it
    asgi.claim_id_slot(settings.data_dir)  # (its ids never collide with the workers')
    asgi.configure_logging()
    delivery_process.run(settings)


def migrate(args: argparse.Namespace) -> None:
    settings = _settings(args)
    _with_db(settings, lambda db: asyncio.sleep(0))
    print(f"database is up to date: {settings.resolved_database_url.split('@')[-1]}")


def create_user(args: argparse.Namespace) -> None:
    settings = _settings(args)
    password = args.password or secrets.token_urlsafe(12)
    account = _with_db(
        settings,
        lambda db: admin.create_user(
            db,
            settings,
            username=args.username,
            email=args.email,
            password=password,
            role=args.role,
        ),
    )
    print(f"created @{account.username} (id {account.id}, role {args.role})")
    if not args.password:
        print(f"password: {password}")


def _simple(
    action: Callable[[Database, str], Awaitable[None]], done: str
) -> Callable[[argparse.Namespace], None]:
    def run(args: argparse.Namespace) -> None:
        _with_db(_settings(args), lambda db: action(db, args.username))
        print(done.format(username=args.username))

    return run


def set_role(args: argparse.Namespace) -> None:
    _with_db(_settings(args), lambda db: admin.set_role(db, args.username, args.role))
    print(f"@{args.username} is now {args.role}")


def create_invite(args: argparse.Namespace) -> None:
    expires = clock.now() + timedelta(hours=args.expires_in) if args.expires_in else None
    code = _with_db(
        _settings(args),
        lambda db: invites.create_by_operator(db, max_uses=args.max_uses, expires_at=expires),
    )
    print(code)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="tandem", description=__doc__)
    top.add_argument("--data-dir", dest="data_dir", help="data folder (default ./data)")
    top.add_argument("--database-url", dest="database_url", help="sqlite:///… or postgresql://…")
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the server")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--domain", help="public host name (and :port) in URLs")
    p.add_argument("--workers", type=int, help="server processes sharing the port (default 1)")
    p.set_defaults(func=serve)

    sub.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        func=migrate
    )
    sub.add_parser(
        "deliveries", help="run ActivityPub deliveries only (serve starts it: delivery_process)"
    ).set_defaults(func=deliveries)

    adm = sub.add_parser("admin", help="operator tasks").add_subparsers(dest="admin", required=True)
    p = adm.add_parser("create-user", help="create a confirmed, approved account")
    p.add_argument("username")
    p.add_argument("--email", required=True)
    p.add_argument("--password", help="default: a generated one, printed once")
    p.add_argument("--role", default="user", choices=admin.ROLES)
    p.set_defaults(func=create_user)
    for name, action, done in (
        ("approve", admin.approve, "@{username} is approved"),
        ("confirm", admin.confirm, "@{username}'s e-mail address is confirmed"),
        ("disable", lambda db, u: admin.set_disabled(db, u, True), "@{username} is disabled"),
        ("enable", lambda db, u: admin.set_disabled(db, u, False), "@{username} is enabled"),
        ("suspend", lambda db, u: admin.suspend(db, u, True), "@{username} is suspended"),
        ("unsuspend", lambda db, u: admin.suspend(db, u, False), "@{username} is unsuspended"),
    ):
        p = adm.add_parser(name, help=f"{name} a local user")
        p.add_argument("username")
        p.set_defaults(func=_simple(action, done))
    p = adm.add_parser("set-role", help="give a user a role")
    p.add_argument("username")
    p.add_argument("role", choices=admin.ROLES)
    p.set_defaults(func=set_role)
    p = adm.add_parser("create-invite", help="print a new invite code")
    p.add_argument("--max-uses", type=int)
    p.add_argument("--expires-in", type=float, help="hours")
    p.set_defaults(func=create_invite)
    cli_roles.register(adm, _with_db, _settings)
    cli_emoji.register(sub, _with_db, _settings)
    cli_announcements.register(adm, _with_db, _settings)
    cli_domains.register(adm, _with_db, _settings)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except ConfigError as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2
    except ValidationFailed as err:
        for e in err.errors:
            print(f"{e.attribute}: {e.message}", file=sys.stderr)
        return 1
    except DomainError as err:
        print(err.message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
