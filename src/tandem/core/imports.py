"""Importing follows, blocks, mutes, lists and antennas from a file in one's Drive."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tandem.config import Settings
from tandem.core import antennas, drive, lists, relationships
from tandem.core.accounts import parse_acct
from tandem.core.errors import DomainError, Unprocessable
from tandem.core.i18n import Text
from tandem.core.models import Account
from tandem.store import accounts as account_store
from tandem.store import jobs as job_store
from tandem.store import lists as list_store
from tandem.store.db import Database

KINDS = ("following", "blocking", "muting", "antennas", "user-lists")
# Misskey's size caps per import (a larger file is refused before it is queued).
MAX_BYTES = {"following": 64 * 1024, "antennas": 64 * 1024}
DEFAULT_MAX_BYTES = 512 * 1024


# Finds an account of another server by (username, domain) through federation, or None.
# Core makes no requests: the job passes one in (tandem.jobs.imports).
RemoteResolver = Callable[[str, str], Awaitable[Account | None]]


@dataclass
class Tally:
    done: int = 0
    skipped: int = 0


async def request(
    db: Database, account: Account, kind: str, file_id: int, options: dict[str, Any]
) -> None:
    media = await drive.own(db, account, file_id)
    wanted = "json" if kind == "antennas" else "csv"
    if not media.file.content_type.split(";")[0].strip().endswith(wanted):
        raise Unprocessable(
            Text(
                "That file is not {format} (its type is {type}).",
                format=wanted.upper(),
                type=media.file.content_type,
            ),
            code="UNEXPECTED_FILE_TYPE",
        )
    if media.file.size == 0:
        raise Unprocessable("That file is empty.", code="EMPTY_FILE")
    if media.file.size > MAX_BYTES.get(kind, DEFAULT_MAX_BYTES):
        raise Unprocessable("That file is too big.", code="TOO_BIG_FILE")
    async with db.write() as conn:
        await job_store.enqueue(
            conn,
            "import",
            {"account_id": account.id, "kind": kind, "file_id": file_id, "options": options},
        )


async def _let_requests_in() -> None:
    """Yield the event loop between steps of an import.

    On SQLite an entry's queries run on the loop without yielding, so an import of thousands
    of entries would otherwise keep every request out until it ends. A request needs two loop
    turns (its bytes are read, then its handler runs); yielding twice lets it through while the
    import waits, at the cost of a few microseconds per entry.
    """
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def resolve(
    db: Database, settings: Settings, acct: str, remote: RemoteResolver | None = None
) -> Account | None:
    """The account `user@host` names: a local one, else (with `remote`) one of another server,
    stored or found through federation."""
    username, domain = parse_acct(settings, acct)
    if not username:
        return None
    if domain is not None:
        return await remote(username, domain) if remote is not None else None
    async with db.read() as conn:
        found = await account_store.by_username(conn, username)
        return await account_store.get_functional(conn, found.id) if found else None


async def relate(
    db: Database,
    settings: Settings,
    owner: Account,
    kind: str,
    accts: list[str],
    tally: Tally,
    remote: RemoteResolver | None = None,
) -> None:
    """Follow, block or mute each handle; unknown handles are counted as skipped. A follow of
    another server's account waits as a request until that server accepts it."""
    for acct in accts:
        await _let_requests_in()
        target = await resolve(db, settings, acct, remote)
        if target is None or target.id == owner.id:
            tally.skipped += 1
            continue
        await _let_requests_in()
        try:
            if kind == "following":
                await relationships.follow(db, owner, target.id, max_follows=settings.max_follows)
            elif kind == "blocking":
                await relationships.block(db, owner, target.id)
            else:
                await relationships.mute(db, owner, target.id)
        except DomainError:
            tally.skipped += 1
            continue
        tally.done += 1


async def add_to_lists(
    db: Database,
    settings: Settings,
    owner: Account,
    rows: list[tuple[str, str]],
    tally: Tally,
    remote: RemoteResolver | None = None,
) -> None:
    """(list title, handle) rows: lists are found by title or created."""
    for title, acct in rows:
        await _let_requests_in()
        target = await resolve(db, settings, acct, remote)
        if target is None:
            tally.skipped += 1
            continue
        async with db.read() as conn:
            existing = [x for x in await list_store.lists_of(conn, owner.id) if x.title == title]
        try:
            user_list = existing[0] if existing else await lists.create(db, owner, title)
            await lists.add(db, owner, user_list.id, [target.id], require_follow=False)
        except DomainError:
            tally.skipped += 1
            continue
        tally.done += 1


async def add_antennas(
    db: Database,
    settings: Settings,
    owner: Account,
    specs: list[tuple[antennas.AntennaSpec, list[str] | None]],
    tally: Tally,
    remote: RemoteResolver | None = None,
) -> None:
    """Antennas with their settings; a list antenna gets a new list of the accounts it named."""
    for spec, list_accts in specs:
        await _let_requests_in()
        try:
            if spec.src == "list":
                user_list = await lists.create(db, owner, spec.name)
                found = []
                for acct in list_accts or []:
                    await _let_requests_in()
                    member = await resolve(db, settings, acct, remote)
                    if member is not None:
                        found.append(member.id)
                if found:
                    await lists.add(db, owner, user_list.id, found, require_follow=False)
                spec = dataclasses.replace(spec, list_id=user_list.id)
            await antennas.create(db, owner, spec)
        except DomainError:
            tally.skipped += 1
            continue
        tally.done += 1
