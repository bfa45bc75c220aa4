"""Every route, every scope it accepts, and that lesser scopes are refused with 403."""

from __future__ import annotations

import re
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Route

from support.api import Api, User, register
from support.server import RunningServer
from tandem.api.misskey.routes import routes as misskey_routes
from tandem.app import all_routes
from tandem.config import load_settings

OUT_OF_SCOPE = {"error": "This action is outside the authorized scopes"}
R_ACC = ("read", "read:accounts")
W_ACC = ("write", "write:accounts")
R_FOL = ("read", "read:follows")
W_FOL = ("follow", "write", "write:follows")
W_BLK = ("follow", "write", "write:blocks")
W_MUT = ("follow", "write", "write:mutes")
R_LST = ("read", "read:lists")
W_LST = ("write", "write:lists")
W_STA = ("write", "write:statuses")
W_MED = ("write", "write:media")
W_BMK = ("write", "write:bookmarks")
W_FAV = ("write", "write:favourites")
R_NOT = ("read", "read:notifications")
W_NOT = ("write", "write:notifications")
R_FLT = ("read", "read:filters")
W_FLT = ("write", "write:filters")
R_COL = ("read", "read:collections")
W_COL = ("write", "write:collections")
OWN = ("profile", "read", "read:accounts")
NONE: tuple[str, ...] = ()

# (method, path, accepted scopes). Paths use placeholders filled per test run.
MATRIX: list[tuple[str, str, tuple[str, ...]]] = [
    ("POST", "/api/v1/collections", W_COL),
    ("GET", "/api/v1/collections/{collection}", R_COL),
    ("PATCH", "/api/v1/collections/{collection}", W_COL),
    ("PUT", "/api/v1/collections/{collection}", W_COL),
    ("DELETE", "/api/v1/collections/{collection}", W_COL),
    ("GET", "/api/v1/accounts/{account}/collections", R_COL),
    ("GET", "/api/v1/accounts/{account}/in_collections", R_COL),
    ("POST", "/api/v1/collections/{collection}/items", W_COL),
    ("DELETE", "/api/v1/collections/{collection}/items/{item_id}", W_COL),
    ("POST", "/api/v1/collections/{collection}/items/{item_id}/revoke", W_COL),
    ("POST", "/api/v1/accounts", W_ACC),
    ("GET", "/api/v1/accounts", R_ACC),
    ("GET", "/api/v1/accounts/verify_credentials", OWN),
    ("PATCH", "/api/v1/accounts/update_credentials", W_ACC),
    ("PUT", "/api/v1/accounts/update_credentials", W_ACC),
    ("GET", "/api/v1/profile", OWN),
    ("PATCH", "/api/v1/profile", W_ACC),
    ("DELETE", "/api/v1/profile/avatar", W_ACC),
    ("DELETE", "/api/v1/profile/header", W_ACC),
    ("GET", "/api/v1/accounts/{account}", R_ACC),
    ("GET", "/api/v1/accounts/{account}/statuses", ("read", "read:statuses")),
    ("GET", "/api/v1/accounts/{account}/followers", R_ACC),
    ("GET", "/api/v1/accounts/{account}/following", R_ACC),
    ("GET", "/api/v1/accounts/{account}/endorsements", R_ACC),
    ("GET", "/api/v1/accounts/{account}/featured_tags", NONE),
    ("GET", "/api/v1/accounts/{account}/lists", R_LST),
    ("GET", "/api/v1/accounts/{account}/identity_proofs", NONE),
    ("POST", "/api/v1/accounts/{account}/follow", W_FOL),
    ("POST", "/api/v1/accounts/{account}/unfollow", W_FOL),
    ("POST", "/api/v1/accounts/{account}/remove_from_followers", W_FOL),
    ("POST", "/api/v1/accounts/{account}/block", W_BLK),
    ("POST", "/api/v1/accounts/{account}/unblock", W_BLK),
    ("POST", "/api/v1/accounts/{account}/mute", W_MUT),
    ("POST", "/api/v1/accounts/{account}/unmute", W_MUT),
    ("POST", "/api/v1/accounts/{account}/pin", W_ACC),
    ("POST", "/api/v1/accounts/{account}/unpin", W_ACC),
    ("POST", "/api/v1/accounts/{account}/endorse", W_ACC),
    ("POST", "/api/v1/accounts/{account}/unendorse", W_ACC),
    ("POST", "/api/v1/accounts/{account}/note", W_ACC),
    ("GET", "/api/v1/accounts/relationships", R_FOL),
    ("GET", "/api/v1/accounts/familiar_followers", R_FOL),
    ("GET", "/api/v1/accounts/search", R_ACC),
    ("GET", "/api/v1/accounts/lookup", R_ACC),
    ("GET", "/api/v1/blocks", ("follow", "read", "read:blocks")),
    ("GET", "/api/v1/mutes", ("follow", "read", "read:mutes")),
    ("GET", "/api/v1/endorsements", R_ACC),
    ("GET", "/api/v1/follow_requests", ("follow", "read", "read:follows")),
    ("POST", "/api/v1/follow_requests/{account}/authorize", W_FOL),
    ("POST", "/api/v1/follow_requests/{account}/reject", W_FOL),
    ("POST", "/api/v1/statuses", W_STA),
    ("GET", "/api/v1/statuses/{status}", ("read", "read:statuses")),
    ("DELETE", "/api/v1/statuses/{status}", W_STA),
    ("POST", "/api/v1/statuses/{status}/reblog", W_STA),
    ("POST", "/api/v1/statuses/{status}/unreblog", W_STA),
    ("POST", "/api/v1/statuses/{status}/pin", W_ACC),
    ("POST", "/api/v1/statuses/{status}/unpin", W_ACC),
    ("POST", "/api/v1/statuses/{status}/bookmark", W_BMK),
    ("POST", "/api/v1/statuses/{status}/unbookmark", W_BMK),
    ("GET", "/api/v1/bookmarks", ("read", "read:bookmarks")),
    ("PUT", "/api/v1/statuses/{status}", W_STA),
    ("GET", "/api/v1/statuses/{status}/history", ("read", "read:statuses")),
    ("GET", "/api/v1/statuses/{status}/source", ("read", "read:statuses")),
    ("GET", "/api/v1/statuses/{status}/context", ("read", "read:statuses")),
    ("POST", "/api/v1/statuses/{status}/mute", ("write", "write:mutes")),
    ("POST", "/api/v1/statuses/{status}/unmute", ("write", "write:mutes")),
    ("POST", "/api/v1/statuses/{status}/favourite", ("write", "write:favourites")),
    ("POST", "/api/v1/statuses/{status}/unfavourite", ("write", "write:favourites")),
    ("GET", "/api/v1/statuses/{status}/favourited_by", R_ACC),
    ("GET", "/api/v1/statuses/{status}/reblogged_by", R_ACC),
    ("GET", "/api/v1/statuses/{status}/quotes", ("read", "read:statuses")),
    ("POST", "/api/v1/statuses/{status}/quotes/{quoting_status_id}/revoke", W_STA),
    ("PUT", "/api/v1/statuses/{status}/interaction_policy", W_STA),
    ("GET", "/api/v1/favourites", ("read", "read:favourites")),
    ("GET", "/api/v1/polls/{poll}", ("read", "read:statuses")),
    ("POST", "/api/v1/polls/{poll}/votes", W_STA),
    ("GET", "/api/v1/scheduled_statuses", ("read", "read:statuses")),
    ("GET", "/api/v1/scheduled_statuses/{scheduled}", ("read", "read:statuses")),
    ("PUT", "/api/v1/scheduled_statuses/{scheduled}", W_STA),
    ("DELETE", "/api/v1/scheduled_statuses/{scheduled}", W_STA),
    ("GET", "/api/v1/notifications", R_NOT),
    ("GET", "/api/v1/notifications/{notification}", R_NOT),
    ("POST", "/api/v1/notifications/clear", W_NOT),
    ("POST", "/api/v1/notifications/{notification}/dismiss", W_NOT),
    ("POST", "/api/v1/media", W_MED),
    ("POST", "/api/v2/media", W_MED),
    ("GET", "/api/v1/media/{media}", W_MED),
    ("PUT", "/api/v1/media/{media}", W_MED),
    ("GET", "/api/v1/lists", R_LST),
    ("POST", "/api/v1/lists", W_LST),
    ("GET", "/api/v1/lists/{list}", R_LST),
    ("PUT", "/api/v1/lists/{list}", W_LST),
    ("DELETE", "/api/v1/lists/{list}", W_LST),
    ("GET", "/api/v1/lists/{list}/accounts", R_LST),
    ("POST", "/api/v1/lists/{list}/accounts", W_LST),
    ("DELETE", "/api/v1/lists/{list}/accounts", W_LST),
    ("GET", "/api/v1/featured_tags", R_ACC),
    ("POST", "/api/v1/featured_tags", W_ACC),
    ("DELETE", "/api/v1/featured_tags/{tag}", W_ACC),
    ("GET", "/api/v1/featured_tags/suggestions", R_ACC),
    ("GET", "/api/v1/apps/verify_credentials", NONE),
    ("POST", "/api/v1/apps", NONE),
    ("GET", "/api/v1/instance", NONE),
    ("GET", "/api/v2/instance", NONE),
    ("GET", "/api/v1/instance/peers", NONE),
    ("GET", "/api/v1/instance/domain_blocks", NONE),
    ("GET", "/api/v1/instance/rules", NONE),
    ("GET", "/api/v1/custom_emojis", NONE),
    ("PUT", "/api/v1/profile", W_ACC),
    ("PATCH", "/api/v1/lists/{list}", W_LST),
    ("PATCH", "/api/v1/media/{media}", W_MED),
    ("GET", "/api/v1/timelines/home", ("read", "read:statuses")),
    ("GET", "/api/v1/timelines/public", ("read", "read:statuses")),
    ("GET", "/api/v1/timelines/tag/{hashtag}", ("read", "read:statuses")),
    ("GET", "/api/v1/timelines/list/{list}", R_LST),
    ("GET", "/api/v1/timelines/link", ("read", "read:statuses")),
    ("GET", "/api/v1/conversations", ("read", "read:statuses")),
    ("DELETE", "/api/v1/conversations/{conversation}", ("write", "write:conversations")),
    ("POST", "/api/v1/conversations/{conversation}/read", ("write", "write:conversations")),
    ("GET", "/api/v2/search", ("read", "read:search")),
    ("GET", "/api/v1/markers", ("read", "read:statuses")),
    ("POST", "/api/v1/markers", W_STA),
    ("GET", "/api/v1/preferences", R_ACC),
    ("GET", "/api/v1/notifications/unread_count", R_NOT),
    ("GET", "/api/v2/notifications", R_NOT),
    ("GET", "/api/v2/notifications/unread_count", R_NOT),
    ("GET", "/api/v2/notifications/policy", R_NOT),
    ("PATCH", "/api/v2/notifications/policy", W_NOT),
    ("GET", "/api/v1/notifications/policy", R_NOT),
    ("PUT", "/api/v1/notifications/policy", W_NOT),
    ("PATCH", "/api/v1/notifications/policy", W_NOT),
    ("GET", "/api/v2/notifications/{group_key}", R_NOT),
    ("GET", "/api/v2/notifications/{group_key}/accounts", R_NOT),
    ("POST", "/api/v2/notifications/{group_key}/dismiss", W_NOT),
    ("GET", "/api/v1/notifications/requests", R_NOT),
    ("GET", "/api/v1/notifications/requests/merged", R_NOT),
    ("POST", "/api/v1/notifications/requests/accept", W_NOT),
    ("POST", "/api/v1/notifications/requests/dismiss", W_NOT),
    ("GET", "/api/v1/notifications/requests/{request}", R_NOT),
    ("POST", "/api/v1/notifications/requests/{request}/accept", W_NOT),
    ("POST", "/api/v1/notifications/requests/{request}/dismiss", W_NOT),
    ("GET", "/api/v2/filters", R_FLT),
    ("POST", "/api/v2/filters", W_FLT),
    ("GET", "/api/v2/filters/{filter}", R_FLT),
    ("PUT", "/api/v2/filters/{filter}", W_FLT),
    ("DELETE", "/api/v2/filters/{filter}", W_FLT),
    ("GET", "/api/v2/filters/{filter}/keywords", R_FLT),
    ("POST", "/api/v2/filters/{filter}/keywords", W_FLT),
    ("GET", "/api/v2/filters/keywords/{filter}", R_FLT),
    ("PUT", "/api/v2/filters/keywords/{filter}", W_FLT),
    ("DELETE", "/api/v2/filters/keywords/{filter}", W_FLT),
    ("GET", "/api/v2/filters/{filter}/statuses", R_FLT),
    ("POST", "/api/v2/filters/{filter}/statuses", W_FLT),
    ("GET", "/api/v2/filters/statuses/{filter}", R_FLT),
    ("DELETE", "/api/v2/filters/statuses/{filter}", W_FLT),
    ("GET", "/api/v1/filters", R_FLT),
    ("GET", "/api/v1/filters/{filter}", R_FLT),
    ("GET", "/api/v1/tags/{name}", NONE),
    ("POST", "/api/v1/tags/{name}/follow", W_FOL),
    ("POST", "/api/v1/tags/{name}/unfollow", W_FOL),
    ("POST", "/api/v1/tags/{name}/feature", W_ACC),
    ("POST", "/api/v1/tags/{name}/unfeature", W_ACC),
    ("GET", "/api/v1/followed_tags", ("follow", "read", "read:follows")),
    ("GET", "/api/v1/suggestions", R_ACC),
    ("GET", "/api/v2/suggestions", R_ACC),
    ("DELETE", "/api/v1/suggestions/{account}", W_ACC),
    ("GET", "/api/v1/directory", NONE),
    ("GET", "/api/v1/domain_blocks", ("follow", "read", "read:blocks")),
    ("POST", "/api/v1/domain_blocks", W_BLK),
    ("DELETE", "/api/v1/domain_blocks", W_BLK),
    ("POST", "/api/v1/emails/confirmations", W_ACC),
    ("GET", "/api/v1/trends", NONE),
    ("GET", "/api/v1/trends/tags", NONE),
    ("GET", "/api/v1/trends/statuses", NONE),
    ("GET", "/api/v1/trends/links", NONE),
    ("GET", "/api/v1/announcements", NONE),
    ("POST", "/api/v1/announcements/{announcement}/dismiss", W_ACC),
    ("PUT", "/api/v1/announcements/{announcement}/reactions/{name}", W_FAV),
    ("DELETE", "/api/v1/announcements/{announcement}/reactions/{name}", W_FAV),
    ("GET", "/api/v1/instance/activity", NONE),
    ("GET", "/api/v1/instance/extended_description", NONE),
    ("GET", "/api/v1/instance/languages", NONE),
    ("GET", "/api/v1/instance/translation_languages", NONE),
    ("GET", "/api/v1/instance/privacy_policy", NONE),
    ("GET", "/api/v1/instance/terms_of_service", NONE),
    ("POST", "/api/v1/reports", ("write", "write:reports")),
    ("POST", "/api/v1/push/subscription", ("push",)),
    ("GET", "/api/v1/push/subscription", ("push",)),
    ("PUT", "/api/v1/push/subscription", ("push",)),
    ("DELETE", "/api/v1/push/subscription", ("push",)),
    ("GET", "/oauth/userinfo", ("profile",)),
    ("POST", "/oauth/userinfo", ("profile",)),
]
ALL_TOP = ("read", "write", "follow", "push", "profile", "admin:read", "admin:write")


def lesser_scopes(accepted: tuple[str, ...]) -> list[str]:
    """Scopes that must not open the route: the other top-level ones and a granular sibling."""
    out = [s for s in ALL_TOP if s not in accepted]
    granular = [s for s in accepted if ":" in s]
    if granular:
        mode = granular[0].split(":")[0]
        sibling = f"{mode}:lists" if not granular[0].endswith(":lists") else f"{mode}:statuses"
        out.append(sibling)
    return out


def test_matrix_covers_every_api_route() -> None:
    registered: set[tuple[str, str]] = set()
    misskey = {r.path for r in misskey_routes if isinstance(r, Route)}  # see test_misskey_kinds
    for route in all_routes_for_test():
        if isinstance(route, Route) and route.path in misskey:
            continue
        if isinstance(route, Route) and route.path.startswith("/api/v1/streaming"):
            continue  # streams never end: tests/test_mastodon_streaming.py checks their scopes
        if isinstance(route, Route) and (
            route.path.startswith("/api/") or route.path == "/oauth/userinfo"
        ):
            for method in route.methods or ():
                if method != "HEAD":
                    registered.add((method, re.sub(r"\{(\w+):int\}", r"{\1}", route.path)))
    covered = {
        (
            m,
            re.sub(
                r"\{(account|status|media|list|tag|notification|poll|scheduled|filter|request|collection|conversation|announcement)\}",
                "{id}",
                p,
            ),
        )
        for m, p, _ in MATRIX
    }
    assert registered - covered == set(), "routes missing from the scope matrix"
    assert covered - registered == set(), "matrix rows without a route"


@cache
def all_routes_for_test() -> tuple[Any, ...]:
    return tuple(all_routes(load_settings(data_dir=Path(tempfile.mkdtemp()))))


class Fixtures:
    def __init__(self, server: RunningServer, owner: User, other: User) -> None:
        self.server = server
        self.owner = owner
        self.other = other
        self.tokens: dict[str, str] = {}

    def token(self, scope: str) -> str:
        if scope not in self.tokens:
            self.tokens[scope] = self.owner.token_with(scope)
        return self.tokens[scope]

    def path(self, template: str) -> str:
        """Fill placeholders with fresh objects (a route may delete what it is given)."""
        api = self.owner.api
        makers = {
            "account": lambda: self.other.id,
            "status": lambda: api.post("/api/v1/statuses", data={"status": "scope"}).json()["id"],
            "list": lambda: api.post("/api/v1/lists", data={"title": "scope"}).json()["id"],
            "media": lambda: "1",
            "tag": lambda: "1",
            "notification": lambda: "1",
            "poll": lambda: "1",
            "scheduled": lambda: "1",
            "filter": lambda: "1",
            "request": lambda: "1",
            "name": lambda: "scopetag",
            "hashtag": lambda: "scopetag",
            "group_key": lambda: "ungrouped-1",
            "collection": lambda: "1",
            "conversation": lambda: "1",
            "announcement": lambda: "1",
            "item_id": lambda: "1",
            "quoting_status_id": lambda: "1",
        }
        for key, make in makers.items():
            if "{" + key + "}" in template:
                template = template.replace("{" + key + "}", str(make()))
        return template


@pytest.fixture(scope="module")
def fixtures(server: RunningServer) -> Fixtures:
    return Fixtures(server, register(server), register(server))


@pytest.mark.parametrize(
    ("method", "path", "accepted"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX]
)
def test_scopes(fixtures: Fixtures, method: str, path: str, accepted: tuple[str, ...]) -> None:
    server = fixtures.server
    url = fixtures.path(path)
    data = (
        {"client_name": "scope", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}
        if path == "/api/v1/apps"
        else None
    )
    for scope in accepted or ("read",):
        r = Api(server, fixtures.token(scope)).request(method, url, data=data)
        assert r.status_code not in (401, 403) or r.json() != OUT_OF_SCOPE, (
            scope,
            r.status_code,
            r.text,
        )
        assert r.status_code != 401, (scope, r.text)
    if not accepted:
        return
    for scope in lesser_scopes(accepted):
        r = Api(server, fixtures.token(scope)).request(method, url, data=data)
        assert (r.status_code, r.json()) == (403, OUT_OF_SCOPE), (scope, r.text)
