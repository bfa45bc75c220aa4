"""Queries behind the timelines that are not materialised: public, hashtag and list.

Each is one keyset query on `statuses` (newest first) plus the three that decorate the page;
who the viewer blocks or mutes is filtered inside the query, so a page is never short because
of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select

from tandem.core.models import Page, Status
from tandem.core.text import tag_key
from tandem.store.db import Conn
from tandem.store.paging import newest_first
from tandem.store.relationships import live_mutes
from tandem.store.schema import (
    accounts,
    blocks,
    follows,
    list_accounts,
    media_attachments,
    mentions,
    mutes,
    status_tags,
    statuses,
    tags,
)
from tandem.store.statuses import _decorate, from_row

_original = statuses.alias("timeline_original")
# The author of the reblogged status (NULL for a status that is no reblog).
ORIGIN_AUTHOR = (
    select(_original.c.account_id)
    .where(_original.c.id == statuses.c.reblog_of_id)
    # Always the enclosing query's status, even from inside an EXISTS nested in it.
    .correlate(statuses)
    .scalar_subquery()
)


def hidden_from(
    viewer_id: int | ColumnElement[int],
    authors: Sequence[ColumnElement[int]],
    now: datetime | ColumnElement[datetime],
) -> ColumnElement[bool]:
    """True when the viewer blocks or (a live mute) mutes any of these authors, or one of them
    blocks the viewer: such statuses stay out of the viewer's timelines."""
    return or_(
        exists().where(blocks.c.account_id == viewer_id, blocks.c.target_account_id.in_(authors)),
        exists().where(blocks.c.target_account_id == viewer_id, blocks.c.account_id.in_(authors)),
        exists().where(
            mutes.c.account_id == viewer_id,
            mutes.c.target_account_id.in_(authors),
            live_mutes(now),
        ),
    )


def not_a_reply_to_others() -> ColumnElement[bool]:
    """Not a reply, or a reply to oneself (a thread): what timelines show without replies."""
    return or_(
        statuses.c.in_reply_to_id.is_(None),
        statuses.c.in_reply_to_account_id == statuses.c.account_id,
    )


def has_media() -> ColumnElement[bool]:
    return exists().where(media_attachments.c.status_id == statuses.c.id)


@dataclass(frozen=True)
class Shown:
    """What a public-style timeline includes."""

    viewer_id: int | None = None
    local: bool | None = None  # True: local accounts only; False: remote only
    only_media: bool = False
    with_replies: bool = False  # replies to other accounts
    with_reblogs: bool = False
    visibilities: tuple[str, ...] = ("public",)


def _conditions(f: Shown, now: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        statuses.c.visibility.in_(f.visibilities),
        accounts.c.suspended_at.is_(None),
        accounts.c.silenced_at.is_(None),  # a silenced server's posts stay out of them
    ]
    if f.local is True:
        conditions.append(accounts.c.domain.is_(None))
    elif f.local is False:
        conditions.append(accounts.c.domain.is_not(None))
    if f.only_media:
        conditions.append(has_media())
    if not f.with_replies:
        conditions.append(not_a_reply_to_others())
    if not f.with_reblogs:
        conditions.append(statuses.c.reblog_of_id.is_(None))
    if f.viewer_id is not None:
        conditions.append(~hidden_from(f.viewer_id, [statuses.c.account_id, ORIGIN_AUTHOR], now))
    return conditions


def _base() -> Select[tuple[object, ...]]:
    return select(statuses).join(accounts, accounts.c.id == statuses.c.account_id)


async def _page(conn: Conn, stmt: Select[tuple[object, ...]], page: Page) -> list[Status]:
    rows = await newest_first(conn, stmt, statuses.c.id, page)
    return await _decorate(conn, [from_row(r) for r in rows])


async def public(conn: Conn, page: Page, f: Shown, now: datetime) -> list[Status]:
    return await _page(conn, _base().where(*_conditions(f, now)), page)


def _tagged(names: Sequence[str]) -> ColumnElement[bool]:
    return exists().where(
        status_tags.c.status_id == statuses.c.id,
        status_tags.c.tag_id == tags.c.id,
        tags.c.name_key.in_([tag_key(n) for n in names]),
    )


async def tagged(
    conn: Conn,
    page: Page,
    f: Shown,
    now: datetime,
    *,
    any_of: Sequence[str],
    all_of: Sequence[str] = (),
    none_of: Sequence[str] = (),
) -> list[Status]:
    """Statuses carrying any of `any_of`, every one of `all_of` and none of `none_of`."""
    if not any_of and not all_of:
        return []
    stmt = _base().where(*_conditions(f, now))
    if any_of:
        stmt = stmt.where(_tagged(any_of))
    for name in all_of:
        stmt = stmt.where(_tagged([name]))
    if none_of:
        stmt = stmt.where(~_tagged(none_of))
    return await _page(conn, stmt, page)


ListReplies = Literal["followed", "list", "none"]


async def of_list(
    conn: Conn,
    list_id: int,
    owner_id: int,
    replies_policy: str,
    page: Page,
    f: Shown,
    now: datetime,
) -> list[Status]:
    """A list's timeline: its members' statuses the owner may see (public, unlisted, followers
    only, direct to the owner), replies as the list's policy says."""
    member = exists().where(
        list_accounts.c.list_id == list_id, list_accounts.c.account_id == statuses.c.account_id
    )
    visible = or_(
        statuses.c.visibility.in_(("public", "unlisted")),
        and_(
            statuses.c.visibility == "private",
            exists().where(
                follows.c.account_id == owner_id,
                follows.c.target_account_id == statuses.c.account_id,
            ),
        ),
        and_(
            statuses.c.visibility == "direct",
            exists().where(
                mentions.c.status_id == statuses.c.id, mentions.c.account_id == owner_id
            ),
        ),
    )
    if replies_policy == "none":
        replies: ColumnElement[bool] = false()
    elif replies_policy == "followed":
        replies = or_(
            statuses.c.in_reply_to_account_id == owner_id,
            exists().where(
                follows.c.account_id == owner_id,
                follows.c.target_account_id == statuses.c.in_reply_to_account_id,
            ),
        )
    else:
        replies = exists().where(
            list_accounts.c.list_id == list_id,
            list_accounts.c.account_id == statuses.c.in_reply_to_account_id,
        )
    stmt = _base().where(
        member,
        visible,
        accounts.c.suspended_at.is_(None),
        or_(not_a_reply_to_others(), replies),
        ~hidden_from(owner_id, [statuses.c.account_id, ORIGIN_AUTHOR], now),
    )
    if f.only_media:
        stmt = stmt.where(has_media())
    if not f.with_reblogs:
        stmt = stmt.where(statuses.c.reblog_of_id.is_(None))
    return await _page(conn, stmt, page)
