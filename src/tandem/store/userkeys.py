"""The token behind a raw `auth/session/userkey` access token, found by its id in one query."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from tandem.core.models import AccessToken, Account, Application, User
from tandem.store import accounts as account_store
from tandem.store import users as user_store
from tandem.store.db import Conn
from tandem.store.oauth import app_from_mapping, split_row, token_from_mapping
from tandem.store.query import Query
from tandem.store.schema import accounts, oauth_access_tokens, oauth_applications, users

_TABLES = (oauth_access_tokens, oauth_applications, accounts, users)
_SESSION_TOKEN = Query(
    select(*_TABLES)
    .select_from(
        oauth_access_tokens.join(
            oauth_applications, oauth_applications.c.id == oauth_access_tokens.c.application_id
        )
        .outerjoin(accounts, accounts.c.id == oauth_access_tokens.c.account_id)
        .outerjoin(users, users.c.account_id == oauth_access_tokens.c.account_id)
    )
    .where(oauth_access_tokens.c.id == bindparam("id"), oauth_access_tokens.c.kind == "session")
)


async def session_token(
    conn: Conn, token_id: int
) -> tuple[AccessToken, str, Application, Account | None, User | None] | None:
    """An app-session token by id: the token, its stored digest, its app and who it is for."""
    row = await _SESSION_TOKEN.first(conn, id=token_id)
    if row is None:
        return None
    token, app, account, user = split_row(row, _TABLES)
    assert token is not None and app is not None
    return (
        token_from_mapping(token),
        str(token["token_digest"]),
        app_from_mapping(app),
        account_store.from_mapping(account) if account else None,
        user_store.from_mapping(user) if user else None,
    )
