"""export: write one of the user's collections to a Drive file in Misskey's format.

The file grows in a work folder batch by batch; each checkpoint records the byte length
written so far, so a restarted job cuts off anything after it and carries on.
"""

from __future__ import annotations

import asyncio
import os
from typing import BinaryIO

from tandem.api.misskey import formats
from tandem.api.misskey.entities.common import Ctx
from tandem.core import accounts, clock, drive, exports, notifications
from tandem.core.images import Upload
from tandem.jobs.worker import JobContext


def _append(out: BinaryIO, data: bytes) -> None:
    out.write(data)
    out.flush()
    os.fsync(out.fileno())


async def export(ctx: JobContext) -> None:
    services = ctx.services
    settings = services.settings
    p = ctx.payload
    kind: str = p["kind"]
    account = await accounts.find(services.db, p["account_id"])
    if account is None:
        return
    progress = ctx.progress
    if "file_id" not in progress:
        path = settings.work_dir / f"export-{ctx.job_id}.part"
        path.parent.mkdir(parents=True, exist_ok=True)
        written = int(progress.get("bytes", 0))
        if written == 0:
            path.write_text(formats.opening(kind))
            written = path.stat().st_size
        cursor, count = int(progress.get("cursor", 0)), int(progress.get("count", 0))
        with path.open("r+b") as out:
            out.truncate(written)  # drop what a stopped run wrote after its last checkpoint
            out.seek(written)
            render = Ctx(settings, account.id)
            while True:
                batch = await exports.batch(
                    services.db, account, kind, cursor, settings.job_batch_size, p["options"]
                )
                data, n = formats.chunk(render, kind, batch, count)
                # The write and its fsync can take a while on a busy disk: off the event loop.
                await asyncio.to_thread(_append, out, data)
                written, count = written + len(data), count + n
                if batch.next_cursor is None:
                    break
                cursor = batch.next_cursor
                await ctx.save(cursor=cursor, bytes=written, count=count)
                # Requests go first between batches (on SQLite the batch ran on the loop).
                await asyncio.sleep(settings.job_batch_pause)
            await asyncio.to_thread(_append, out, formats.closing(kind).encode())
        name = formats.file_name(kind, clock.now())
        content = await asyncio.to_thread(path.read_bytes)
        upload = Upload(content, formats.content_type(kind), name)
        media = await drive.add(services.db, settings, services.files, account, upload, name=name)
        await ctx.save(file_id=media.id, count=count)
        path.unlink(missing_ok=True)
    entity = exports.KINDS[kind][0]
    await notifications.post(
        services.db,
        account.id,
        "export_completed",
        {"entity": entity, "file_id": str(progress["file_id"])},
    )
