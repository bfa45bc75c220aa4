"""import: follow, block, mute, list or add antennas from a Drive file, resumably.

Progress records how many entries are handled; a restarted job skips those (the actions are
idempotent, so an entry done just before a stop is harmless to do again).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tandem.api.misskey import formats
from tandem.core import accounts, drive, imports, notifications, sessions
from tandem.core.errors import DomainError
from tandem.core.i18n import DEFAULT, Text, render, supported
from tandem.core.models import Account, MediaAttachment
from tandem.federation import resolve
from tandem.jobs.worker import JobContext
from tandem.services import Services

log = logging.getLogger("tandem.federation")
_TITLES = {
    "following": Text("Follows imported"),
    "blocking": Text("Blocks imported"),
    "muting": Text("Mutes imported"),
    "antennas": Text("Antennas imported"),
    "user-lists": Text("User lists imported"),
}


def _entries(kind: str, data: bytes) -> list[Any]:
    if kind in ("following", "blocking", "muting"):
        return formats.accts(data)
    if kind == "user-lists":
        return formats.list_rows(data)
    return formats.antenna_specs(data)


def _read_entries(kind: str, services: Services, media: MediaAttachment) -> list[Any]:
    return _entries(kind, drive.read(services.files, media))


def _remote(services: Services) -> imports.RemoteResolver:
    """Handles of other servers: stored, else found through WebFinger (unknown: skipped)."""

    async def find(username: str, domain: str) -> Account | None:
        try:
            return await resolve.account_by_handle(services.db, services.settings, username, domain)
        except resolve.ResolveError as err:
            log.info("import: %s@%s not resolved: %s", username, domain, err)
            return None

    return find


async def _apply(
    ctx: JobContext, kind: str, owner: Account, chunk: list[Any], tally: imports.Tally
) -> None:
    services = ctx.services
    db, settings = services.db, services.settings
    remote = _remote(services)
    if kind in ("following", "blocking", "muting"):
        await imports.relate(db, settings, owner, kind, chunk, tally, remote)
    elif kind == "user-lists":
        await imports.add_to_lists(db, settings, owner, chunk, tally, remote)
    else:
        await imports.add_antennas(db, settings, owner, chunk, tally, remote)


async def import_(ctx: JobContext) -> None:
    services = ctx.services
    settings = services.settings
    p = ctx.payload
    kind: str = p["kind"]
    owner = await accounts.find(services.db, p["account_id"])
    if owner is None:
        return
    tally = imports.Tally(int(ctx.progress.get("done", 0)), int(ctx.progress.get("skipped", 0)))
    problem: Text | None = None
    try:
        media = await drive.own(services.db, owner, p["file_id"])
        # Reading and parsing a file of up to 512 KB: off the event loop.
        entries = await asyncio.to_thread(_read_entries, kind, services, media)
    except formats.BadFile as bad:
        entries, problem = [], bad.message
    except (DomainError, FileNotFoundError):  # the file was deleted before the job ran
        entries, problem = [], Text("the file is no longer in your Drive")
    position = int(ctx.progress.get("line", 0))
    size = max(1, settings.job_batch_size)
    while position < len(entries):
        chunk = entries[position : position + size]
        await _apply(ctx, kind, owner, chunk, tally)
        position += len(chunk)
        await ctx.save(line=position, done=tally.done, skipped=tally.skipped)
        if settings.job_batch_pause and position < len(entries):
            await asyncio.sleep(settings.job_batch_pause)
    body = (
        Text("Nothing was imported: {problem}.", problem=problem)
        if problem
        else Text(
            "{done} imported, {skipped} skipped (unknown or unavailable).",
            done=tally.done,
            skipped=tally.skipped,
        )
    )
    # The notification keeps its texts: written in the owner's language (as e-mails are).
    found = await sessions.user_of(services.db, owner.id)
    lang = supported(owner.lang) or supported(found[1].locale if found else None) or DEFAULT
    texts = {"header": render(_TITLES[kind], lang), "body": render(body, lang)}
    await notifications.post(services.db, owner.id, "import_completed", texts)
