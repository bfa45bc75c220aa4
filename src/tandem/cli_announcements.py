"""`tandem admin announcement create|update|delete|list`: the operator's announcements.

What the moderators' Misskey endpoints do, plus Mastodon's fields: a window (`--starts-at`,
`--ends-at`, both or neither, ISO 8601; past its end an announcement is inactive),
`--all-day`, and drafts (`--unpublished`: seen by nobody until `update --published`).
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from tandem.config import Settings
from tandem.core import announcements
from tandem.core.errors import ValidationFailed
from tandem.core.models import Page
from tandem.store.db import Database

WithDb = Callable[[Settings, Callable[[Database], Awaitable[Any]]], Any]
LoadSettings = Callable[[argparse.Namespace], Settings]
LISTED = 100


def _moment(raw: str) -> datetime | None:
    """An ISO 8601 date or time (UTC when it names no zone); "" clears it."""
    if raw == "":
        return None
    try:
        found = datetime.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {raw!r}") from None
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def _options(p: argparse.ArgumentParser, *, create: bool) -> None:
    p.add_argument("--image-url")
    p.add_argument("--icon", choices=announcements.ICONS)
    p.add_argument("--display", choices=announcements.DISPLAYS)
    for flag, dest in (
        ("need-confirmation", "need_confirmation"),
        ("silence", "silence"),
        ("for-existing-users", "for_existing_users"),
        ("all-day", "all_day"),
    ):
        p.add_argument(f"--{flag}", dest=dest, action=argparse.BooleanOptionalAction)
    p.add_argument("--starts-at", type=_moment, default=argparse.SUPPRESS)
    p.add_argument("--ends-at", type=_moment, default=argparse.SUPPRESS)
    p.add_argument("--inactive", dest="is_active", action="store_false", default=None)
    p.add_argument("--unpublished", dest="published", action="store_false", default=None)
    if not create:
        p.add_argument("--active", dest="is_active", action="store_true")
        p.add_argument("--published", dest="published", action="store_true")


_COLUMNS = (
    "title",
    "text",
    "image_url",
    "icon",
    "display",
    "need_confirmation",
    "silence",
    "for_existing_users",
    "all_day",
    "is_active",
    "published",
)


def _values(args: argparse.Namespace) -> dict[str, Any]:
    values = {c: getattr(args, c) for c in _COLUMNS if getattr(args, c, None) is not None}
    for name in ("starts_at", "ends_at"):  # given (None clears it) or not
        if hasattr(args, name):
            values[name] = getattr(args, name)
    if values.get("image_url") == "":
        values["image_url"] = None
    return values


def _line(a: announcements.Announcement, reads: int) -> str:
    state = [
        "active" if a.is_active else "inactive",
        *(["draft"] if not a.published else []),
        *([f"for {a.account_id}"] if a.account_id is not None else []),
        f"{reads} reads",
    ]
    return f"{a.id}\t{a.title}\t({', '.join(state)})"


def register(
    adm: argparse._SubParsersAction[argparse.ArgumentParser],
    with_db: WithDb,
    load: LoadSettings,
) -> None:
    sub = adm.add_parser("announcement", help="announcements to every user").add_subparsers(
        dest="announcement", required=True
    )

    def create(args: argparse.Namespace) -> None:
        settings = load(args)
        values = _values(args)

        async def run(db: Database) -> announcements.Announcement:
            if args.user:
                values["account_id"] = await announcements.target_named(db, args.user)
            return await announcements.create(db, **values)

        made = with_db(settings, run)
        print(f"announcement {made.id} created")

    def update(args: argparse.Namespace) -> None:
        values = _values(args)
        if not values:
            raise ValidationFailed.one("announcement", "blank", "nothing to change")
        with_db(load(args), lambda db: announcements.update(db, args.id, **values))
        print(f"announcement {args.id} updated")

    def delete(args: argparse.Namespace) -> None:
        with_db(load(args), lambda db: announcements.delete(db, args.id))
        print(f"announcement {args.id} deleted")

    def listing(args: argparse.Namespace) -> None:
        async def run(db: Database) -> announcements.Shown:
            target = await announcements.target_named(db, args.user) if args.user else None
            return await announcements.for_moderators(db, target, Page(limit=LISTED))

        shown = with_db(load(args), run)
        for a in shown.items:
            print(_line(a, shown.reads.get(a.id, 0)))

    p = sub.add_parser("create", help="announce something (to everyone, or to --user)")
    p.add_argument("title")
    p.add_argument("text")
    p.add_argument("--user", help="the local user it is for (default: everyone)")
    _options(p, create=True)
    p.set_defaults(func=create)
    p = sub.add_parser("update", help="change an announcement")
    p.add_argument("id", type=int)
    p.add_argument("--title")
    p.add_argument("--text")
    _options(p, create=False)
    p.set_defaults(func=update)
    p = sub.add_parser("delete", help="delete an announcement")
    p.add_argument("id", type=int)
    p.set_defaults(func=delete)
    p = sub.add_parser("list", help="list the announcements (global ones, or --user's)")
    p.add_argument("--user")
    p.set_defaults(func=listing)
