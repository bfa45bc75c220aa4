"""Local custom emoji: added and removed by the operator (`tandem emoji add NAME FILE`),
listed to clients of both dialects. Images are decoded and re-encoded like every upload
(metadata stripped, only image types), stored under the media folder and served by /system."""

from __future__ import annotations

import asyncio
import re

from tandem.core import clock
from tandem.core.errors import NotFound, ValidationFailed
from tandem.core.handles import MediaFiles
from tandem.core.ids import new_id
from tandem.core.images import ImageProblem, Upload, process_header
from tandem.core.models import CustomEmoji, ImageRef
from tandem.store import custom_emojis as store
from tandem.store.db import Database

SHORTCODE = re.compile(r"\A[a-zA-Z0-9_]{2,128}\Z")
MAX_BYTES = 256 * 1024  # Mastodon's limit for a custom emoji's file


async def listed(db: Database) -> list[CustomEmoji]:
    async with db.read() as conn:
        return await store.all_emojis(conn)


async def get(db: Database, shortcode: str) -> CustomEmoji:
    async with db.read() as conn:
        found = await store.by_shortcode(conn, shortcode)
    if found is None:
        raise NotFound("emoji")
    return found


async def add(
    db: Database, files: MediaFiles, shortcode: str, data: bytes, category: str | None = None
) -> CustomEmoji:
    if not SHORTCODE.match(shortcode):
        raise ValidationFailed.one(
            "shortcode", "invalid", "must be 2 to 128 letters, digits or underscores"
        )
    try:
        image = await asyncio.to_thread(process_header, Upload(data), MAX_BYTES)
    except ImageProblem as problem:
        raise ValidationFailed.one("file", problem.code, problem.message) from None
    record_id = new_id()
    path = files.new_name("custom_emojis", record_id, "original", image.original.extension)
    files.write(path, image.original.data)
    static_path = None
    if image.static is not None:
        static_path = files.new_name("custom_emojis", record_id, "static", image.static.extension)
        files.write(static_path, image.static.data)
    ref = ImageRef(
        path=path,
        content_type=image.original.content_type,
        static_path=static_path,
        width=image.original.width,
        height=image.original.height,
        size=len(image.original.data),
    )
    try:
        async with db.write() as conn:
            if not await store.add(
                conn, shortcode, ref, (category or "").strip() or None, clock.now()
            ):
                raise ValidationFailed.one("shortcode", "taken", "has already been taken")
            found = await store.by_shortcode(conn, shortcode)
    except BaseException:
        files.delete(path, static_path)  # nothing on disk outlives a failed write
        raise
    assert found is not None
    return found


async def remove(db: Database, files: MediaFiles, shortcode: str) -> None:
    async with db.write() as conn:
        found = await store.remove(conn, shortcode)
    if found is None:
        raise NotFound("emoji")
    files.delete(found.image.path, found.image.static_path)
