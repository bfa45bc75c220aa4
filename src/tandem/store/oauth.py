"""Queries on OAuth applications, access tokens, authorization codes and web sessions."""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update

from tandem.core.models import AccessToken, Account, Application, User
from tandem.store import accounts as account_store
from tandem.store import users as user_store
from tandem.store.db import AnyRow, Conn
from tandem.store.generations import accounts_changed, tokens_changed
from tandem.store.query import Query, among
from tandem.store.schema import (
    accounts,
    oauth_access_grants,
    oauth_access_tokens,
    oauth_applications,
    push_subscriptions,
    users,
    web_sessions,
)


def app_from_row(row: AnyRow) -> Application:
    return app_from_mapping(row._mapping)


def app_from_mapping(m: Mapping[Any, Any]) -> Application:
    return Application(
        id=m["id"],
        name=m["name"],
        website=m["website"],
        redirect_uris=tuple(u for u in m["redirect_uris"].split("\n") if u),
        scopes=tuple(m["scopes"].split()),
        client_id=m["client_id"],
        client_secret=m["client_secret"],
        created_at=m["created_at"],
        owner_account_id=m["owner_account_id"],
        description=m["description"],
        callback_url=m["callback_url"],
    )


def token_from_row(row: AnyRow) -> AccessToken:
    return token_from_mapping(row._mapping)


def token_from_mapping(m: Mapping[Any, Any]) -> AccessToken:
    return AccessToken(
        id=m["id"],
        application_id=m["application_id"],
        account_id=m["account_id"],
        scopes=tuple(m["scopes"].split()),
        created_at=m["created_at"],
        revoked_at=m["revoked_at"],
        expires_at=m["expires_at"],
        last_used_at=m["last_used_at"],
        kind=m["kind"],
        name=m["name"],
        description=m["description"],
        icon_url=m["icon_url"],
    )


async def insert_app(conn: Conn, app: Application) -> None:
    await conn.execute(
        oauth_applications.insert().values(
            id=app.id,
            name=app.name,
            website=app.website,
            redirect_uris="\n".join(app.redirect_uris),
            scopes=" ".join(app.scopes),
            client_id=app.client_id,
            client_secret=app.client_secret,
            owner_account_id=app.owner_account_id,
            created_at=app.created_at,
            description=app.description,
            callback_url=app.callback_url,
        )
    )


async def app_by_client_id(conn: Conn, client_id: str) -> Application | None:
    row = (
        await conn.execute(
            select(oauth_applications).where(oauth_applications.c.client_id == client_id)
        )
    ).first()
    return app_from_row(row) if row else None


async def app_by_id(conn: Conn, app_id: int) -> Application | None:
    row = (
        await conn.execute(select(oauth_applications).where(oauth_applications.c.id == app_id))
    ).first()
    return app_from_row(row) if row else None


_APP_COLUMNS = tuple(oauth_applications.c.keys())
_APPS = Query(select(oauth_applications).where(among(oauth_applications.c.id, "ids")))


async def apps_by_ids(conn: Conn, app_ids: Collection[int]) -> dict[int, Application]:
    """The applications with these ids, in one statement (statuses name the app they came from)."""
    if not app_ids:
        return {}
    rows = await _APPS.rows(conn, ids=sorted(app_ids))
    found = (app_from_mapping(dict(zip(_APP_COLUMNS, r, strict=True))) for r in rows)
    return {app.id: app for app in found}


async def insert_token(
    conn: Conn, token: AccessToken, digest: str, refresh_digest: str | None
) -> None:
    await conn.execute(
        oauth_access_tokens.insert().values(
            id=token.id,
            token_digest=digest,
            refresh_token_digest=refresh_digest,
            application_id=token.application_id,
            account_id=token.account_id,
            scopes=" ".join(token.scopes),
            created_at=token.created_at,
            expires_at=token.expires_at,
            kind=token.kind,
            name=token.name,
            description=token.description,
            icon_url=token.icon_url,
        )
    )


async def token_by_digest(conn: Conn, digest: str) -> AccessToken | None:
    row = (
        await conn.execute(
            select(oauth_access_tokens).where(oauth_access_tokens.c.token_digest == digest)
        )
    ).first()
    return token_from_row(row) if row else None


_CALLER_TABLES = (oauth_access_tokens, oauth_applications, accounts, users)
# Built and compiled once: this query runs on every authenticated request.
_CALLER = Query(
    select(*_CALLER_TABLES)
    .select_from(
        oauth_access_tokens.outerjoin(
            oauth_applications, oauth_applications.c.id == oauth_access_tokens.c.application_id
        )
        .outerjoin(accounts, accounts.c.id == oauth_access_tokens.c.account_id)
        .outerjoin(users, users.c.account_id == oauth_access_tokens.c.account_id)
    )
    .where(oauth_access_tokens.c.token_digest == bindparam("digest"))
)


@functools.cache
def _layout(tables: tuple[Table, ...]) -> tuple[tuple[tuple[str, ...], int, int], ...]:
    """Each table's column names and where they sit in a row of all of them."""
    layout = []
    start = 0
    for table in tables:
        names = tuple(table.c.keys())
        assert names[0] == "id"  # split_row tells a missing row by its id
        layout.append((names, start, start + len(names)))
        start += len(names)
    return tuple(layout)


def split_row(row: Sequence[Any], tables: tuple[Table, ...]) -> list[dict[str, Any] | None]:
    """A joined row cut back into one dict per table (None where an outer join found nothing)."""
    return [
        None if row[start] is None else dict(zip(names, row[start:end], strict=True))
        for names, start, end in _layout(tables)
    ]


async def caller(
    conn: Conn, digest: str
) -> tuple[AccessToken, Application | None, Account | None, User | None] | None:
    """A token and everything behind it in one query."""
    row = await _CALLER.first(conn, digest=digest)
    if row is None:
        return None
    token, app, account, user = split_row(row, _CALLER_TABLES)
    assert token is not None
    return (
        token_from_mapping(token),
        app_from_mapping(app) if app else None,
        account_store.from_mapping(account) if account else None,
        user_store.from_mapping(user) if user else None,
    )


async def token_by_refresh_digest(conn: Conn, digest: str) -> AccessToken | None:
    row = (
        await conn.execute(
            select(oauth_access_tokens).where(oauth_access_tokens.c.refresh_token_digest == digest)
        )
    ).first()
    return token_from_row(row) if row else None


async def token_by_id(conn: Conn, token_id: int) -> AccessToken | None:
    row = (
        await conn.execute(select(oauth_access_tokens).where(oauth_access_tokens.c.id == token_id))
    ).first()
    return token_from_row(row) if row else None


async def revoke_token(conn: Conn, token_id: int, now: datetime) -> bool:
    """Revoke a live token; True if this call revoked it (of racing refreshes of one refresh
    token exactly one gets True: PostgreSQL re-checks `revoked_at` after waiting)."""
    stmt = (
        update(oauth_access_tokens)
        .where(oauth_access_tokens.c.id == token_id, oauth_access_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now, refresh_token_digest=None)
        .returning(oauth_access_tokens.c.id)
    )
    tokens_changed([token_id])
    revoked = (await conn.execute(stmt)).first() is not None
    if revoked:  # its Web Push subscription goes with it (Mastodon's rule)
        await conn.execute(
            delete(push_subscriptions).where(push_subscriptions.c.token_id == token_id)
        )
    return revoked


async def revoke_account_tokens(conn: Conn, account_id: int, now: datetime) -> list[int]:
    accounts_changed(account_id)  # every cached caller of the account checks its key
    ids = list(
        await conn.scalars(
            select(oauth_access_tokens.c.id).where(
                oauth_access_tokens.c.account_id == account_id,
                oauth_access_tokens.c.revoked_at.is_(None),
            )
        )
    )
    if ids:
        await conn.execute(
            update(oauth_access_tokens)
            .where(oauth_access_tokens.c.id.in_(ids))
            .values(revoked_at=now, refresh_token_digest=None)
        )
        await conn.execute(delete(push_subscriptions).where(push_subscriptions.c.token_id.in_(ids)))
    return ids


async def touch_token(conn: Conn, token_id: int, now: datetime, ip: str | None) -> None:
    tokens_changed([token_id])
    await conn.execute(
        update(oauth_access_tokens)
        .where(oauth_access_tokens.c.id == token_id)
        .values(last_used_at=now, last_used_ip=ip)
    )


async def reusable_token(
    conn: Conn, application_id: int, account_id: int, scopes: tuple[str, ...]
) -> AccessToken | None:
    row = (
        await conn.execute(
            select(oauth_access_tokens)
            .where(
                oauth_access_tokens.c.application_id == application_id,
                oauth_access_tokens.c.account_id == account_id,
                oauth_access_tokens.c.scopes == " ".join(scopes),
                oauth_access_tokens.c.revoked_at.is_(None),
            )
            .limit(1)
        )
    ).first()
    return token_from_row(row) if row else None


async def account_authorized_app(
    conn: Conn, application_id: int, account_id: int, scopes: tuple[str, ...]
) -> bool:
    return (await reusable_token(conn, application_id, account_id, scopes)) is not None


async def insert_grant(conn: Conn, **values: Any) -> None:
    await conn.execute(oauth_access_grants.insert().values(**values))


async def take_grant(conn: Conn, code_digest: str, now: datetime) -> AnyRow | None:
    """Mark an unused authorization code used and return it (codes work once: of racing
    requests with one code exactly one gets the row, the others None)."""
    stmt = (
        update(oauth_access_grants)
        .where(
            oauth_access_grants.c.code_digest == code_digest,
            oauth_access_grants.c.used_at.is_(None),
        )
        .values(used_at=now)
        .returning(*oauth_access_grants.c)
    )
    return (await conn.execute(stmt)).first()


async def insert_session(conn: Conn, **values: Any) -> None:
    await conn.execute(web_sessions.insert().values(**values))


async def session_account(conn: Conn, digest: str, now: datetime) -> int | None:
    row = (
        await conn.execute(
            select(web_sessions.c.account_id).where(
                web_sessions.c.session_digest == digest, web_sessions.c.expires_at > now
            )
        )
    ).first()
    return int(row.account_id) if row else None


async def delete_session(conn: Conn, digest: str) -> None:
    await conn.execute(web_sessions.delete().where(web_sessions.c.session_digest == digest))


async def revoke_kind(conn: Conn, account_id: int, kind: str, now: datetime) -> int:
    accounts_changed(account_id)
    revoked = select(oauth_access_tokens.c.id).where(
        oauth_access_tokens.c.account_id == account_id,
        oauth_access_tokens.c.kind == kind,
        oauth_access_tokens.c.revoked_at.is_(None),
    )
    await conn.execute(delete(push_subscriptions).where(push_subscriptions.c.token_id.in_(revoked)))
    result = await conn.execute(
        update(oauth_access_tokens)
        .where(
            oauth_access_tokens.c.account_id == account_id,
            oauth_access_tokens.c.kind == kind,
            oauth_access_tokens.c.revoked_at.is_(None),
        )
        .values(revoked_at=now, refresh_token_digest=None)
    )
    return int(result.rowcount or 0)


async def tokens_of(conn: Conn, account_id: int) -> list[AccessToken]:
    rows = await conn.execute(
        select(oauth_access_tokens)
        .where(
            oauth_access_tokens.c.account_id == account_id,
            oauth_access_tokens.c.revoked_at.is_(None),
        )
        .order_by(oauth_access_tokens.c.id.desc())
    )
    return [token_from_row(r) for r in rows]


async def app_by_secret(conn: Conn, secret: str) -> Application | None:
    stmt = select(oauth_applications).where(oauth_applications.c.client_secret == secret)
    row = (await conn.execute(stmt)).first()
    return app_from_row(row) if row else None
