"""Every flag of a viewer's relationship to many accounts, read in one statement.

One row per target: the viewer's follow, follow request, mute and note joined on their
unique (account, target) pairs, the other flags as EXISTS probes of the same keys. The plan is
the same whatever the data (40 targets are 40 index probes per relation), and the statement
count does not grow with the number of targets.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Table, and_, bindparam, exists, or_, select

from tandem.core.models import Relationship
from tandem.store import schema
from tandem.store.accounts import functional
from tandem.store.db import Conn
from tandem.store.types import UTCDateTime

# Aliases: the joined rows must not correlate with the EXISTS probes on the same tables.
_follow = schema.follows.alias("viewer_follow")
_request = schema.follow_requests.alias("viewer_request")
_mute = schema.mutes.alias("viewer_mute")
_note = schema.account_notes.alias("viewer_note")


def _mine(table: Any, viewer: Any) -> ColumnElement[bool]:
    return and_(table.c.account_id == viewer, table.c.target_account_id == schema.accounts.c.id)


def _from_viewer(table: Table, viewer: Any) -> ColumnElement[bool]:
    return exists().where(_mine(table, viewer))


def _to_viewer(table: Table, viewer: Any) -> ColumnElement[bool]:
    return exists().where(
        table.c.account_id == schema.accounts.c.id, table.c.target_account_id == viewer
    )


async def relationships_to(
    conn: Conn,
    viewer_id: int,
    target_ids: Iterable[int],
    now: datetime,
    *,
    only_visible: bool = False,
    with_suspended: bool = True,
) -> dict[int, Relationship]:
    """The viewer's relationship to each target account that exists, by target id.

    `only_visible` leaves out accounts others cannot see yet (unconfirmed or unapproved local
    users); `with_suspended=False` leaves out suspended ones. A mute whose time is up counts
    as gone even before its job removes it.
    """
    ids = sorted(set(target_ids))
    if not ids:
        return {}
    stmt = _statement(only_visible, with_suspended)
    rows = await conn.execute(stmt, {"viewer": viewer_id, "now": now, "ids": ids})
    return {r.id: _relationship(r._mapping) for r in rows}


@functools.cache
def _statement(only_visible: bool, with_suspended: bool) -> Any:
    """Built once per option pair: requests only bind the viewer, the time and the ids."""
    viewer = bindparam("viewer", type_=BigInteger)
    now = bindparam("now", type_=UTCDateTime)
    live_mute = or_(_mute.c.expires_at.is_(None), _mute.c.expires_at > now)
    stmt = (
        select(
            schema.accounts.c.id,
            _follow.c.id.label("follow_id"),
            _follow.c.show_reblogs,
            _follow.c.notify,
            _follow.c.languages,
            _request.c.id.label("request_id"),
            _request.c.show_reblogs.label("request_reblogs"),
            _request.c.notify.label("request_notify"),
            _request.c.languages.label("request_languages"),
            _mute.c.id.label("mute_id"),
            _mute.c.hide_notifications,
            _mute.c.expires_at,
            _note.c.comment,
            _from_viewer(schema.blocks, viewer).label("blocking"),
            _from_viewer(schema.account_pins, viewer).label("endorsed"),
            _to_viewer(schema.follows, viewer).label("followed_by"),
            _to_viewer(schema.blocks, viewer).label("blocked_by"),
            _to_viewer(schema.follow_requests, viewer).label("requested_by"),
        )
        .select_from(
            schema.accounts.outerjoin(_follow, _mine(_follow, viewer))
            .outerjoin(_request, _mine(_request, viewer))
            .outerjoin(_mute, and_(_mine(_mute, viewer), live_mute))
            .outerjoin(_note, _mine(_note, viewer))
        )
        .where(schema.accounts.c.id.in_(bindparam("ids", expanding=True)))
    )
    if only_visible:
        stmt = stmt.where(functional())
    if not with_suspended:
        stmt = stmt.where(schema.accounts.c.suspended_at.is_(None))
    return stmt


def _relationship(m: Any) -> Relationship:
    following, requested = m["follow_id"] is not None, m["request_id"] is not None
    # A follow's options, or those of the request waiting to become one.
    reblogs = m["show_reblogs"] if following else m["request_reblogs"]
    notify = m["notify"] if following else m["request_notify"]
    langs = m["languages"] if following else m["request_languages"]
    muting = m["mute_id"] is not None
    return Relationship(
        target_id=m["id"],
        following=following,
        showing_reblogs=bool(reblogs),
        notifying=bool(notify),
        languages=tuple(langs) if langs else None,
        followed_by=bool(m["followed_by"]),
        blocking=bool(m["blocking"]),
        blocked_by=bool(m["blocked_by"]),
        muting=muting,
        muting_notifications=bool(m["hide_notifications"]) if muting else False,
        muting_expires_at=m["expires_at"] if muting else None,
        requested=requested,
        requested_by=bool(m["requested_by"]),
        endorsed=bool(m["endorsed"]),
        note=m["comment"] or "",
    )
