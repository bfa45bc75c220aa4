"""Application, Token, List and other small entities."""

from __future__ import annotations

from tandem.api.mastodon.entities import types as t
from tandem.core.models import Application, IssuedToken, UserList


def application(app: Application, vapid_key: str, *, with_secret: bool) -> t.Application:
    data: t.Application = {
        "id": str(app.id),
        "name": app.name,
        "website": app.website,
        "scopes": list(app.scopes),
        "redirect_uris": list(app.redirect_uris),
        "redirect_uri": "\n".join(app.redirect_uris),
        "vapid_key": vapid_key,
    }
    if with_secret:
        data["client_id"] = app.client_id
        data["client_secret"] = app.client_secret
        data["client_secret_expires_at"] = 0
    return data


def token(issued: IssuedToken) -> t.Token:
    data: t.Token = {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "scope": " ".join(issued.token.scopes),
        "created_at": int(issued.token.created_at.timestamp()),
    }
    if issued.refresh_token:
        data["refresh_token"] = issued.refresh_token
    return data


def user_list(item: UserList) -> t.List:
    return {
        "id": str(item.id),
        "title": item.title,
        "replies_policy": item.replies_policy,
        "exclusive": item.exclusive,
    }
