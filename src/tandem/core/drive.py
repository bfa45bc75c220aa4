"""Drive: the files a user uploads (Mastodon media attachments are Drive files too).

A file's type is decided from its bytes, never from the name or type the client sent (a file
sent as an image must be one, though: that is checked, not trusted). Images
are decoded and re-encoded (metadata stripped, size capped) with a thumbnail and a blurhash;
other files are kept byte for byte, for imports and exports, under an extension that matches
what they really are (see `core/filetypes.py` for how each is served).
"""

from __future__ import annotations

import asyncio
import hashlib

from tandem.config import Settings
from tandem.core import clock, filetypes
from tandem.core.errors import Forbidden, NotFound, Unprocessable, ValidationFailed
from tandem.core.ids import new_id
from tandem.core.images import TOO_COMPLEX, Encoded, ImageProblem, Upload, process_media
from tandem.core.models import Account, ImageRef, MediaAttachment, MediaKind
from tandem.store import accounts as account_store
from tandem.store import media as store
from tandem.store.db import Database
from tandem.store.files import MediaFiles

NAME_LIMIT = 200
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


def _save(
    files: MediaFiles, file_id: int, style: str, data: bytes, content_type: str, ext: str
) -> ImageRef:
    path = files.new_name("media_attachments/files", file_id, style, ext)
    files.write(path, data)
    return ImageRef(path=path, content_type=content_type, size=len(data))


def _image_ref(files: MediaFiles, file_id: int, style: str, encoded: Encoded) -> ImageRef:
    ref = _save(files, file_id, style, encoded.data, encoded.content_type, encoded.extension)
    return ImageRef(ref.path, ref.content_type, None, encoded.width, encoded.height, ref.size)


async def usage(db: Database, account_id: int) -> int:
    async with db.read() as conn:
        return await store.usage(conn, account_id)


async def add(
    db: Database,
    settings: Settings,
    files: MediaFiles,
    account: Account,
    upload: Upload,
    *,
    name: str | None = None,
    comment: str | None = None,
    is_sensitive: bool = False,
    focus: tuple[float, float] = (0.0, 0.0),
    images_only: bool = False,
) -> MediaAttachment:
    """Store one file; images become an original, a thumbnail and a blurhash."""
    title = (name or upload.filename or "untitled").strip()[:NAME_LIMIT] or "untitled"
    if await usage(db, account.id) + len(upload.data) > settings.drive_capacity:
        raise Unprocessable(
            "Cannot upload the file because you have no free space of drive.", code="NO_FREE_SPACE"
        )
    found = filetypes.sniff(upload.data, upload.content_type, upload.filename)
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    file_id = new_id()
    # The bytes decide what a file is; a file declared as an image must also be one.
    if images_only or found.content_type in IMAGE_TYPES or declared in IMAGE_TYPES:
        try:
            processed = await asyncio.to_thread(process_media, upload, settings.max_media_size)
        except ImageProblem as problem:
            if problem.code == TOO_COMPLEX:
                raise Unprocessable(f"File {problem.message}", code="FILE_TOO_COMPLEX") from None
            raise ValidationFailed.one("file", problem.code, problem.message) from None
        original = _image_ref(files, file_id, "original", processed.original)
        thumbnail: ImageRef | None = _image_ref(files, file_id, "small", processed.small)
        blurhash: str | None = processed.blurhash
        kind: MediaKind = "image"
        stored = processed.original.data
    else:
        if len(upload.data) > settings.max_media_size:
            limit = settings.max_media_size // (1024 * 1024)
            raise ValidationFailed.one("file", "less_than", f"must be less than {limit} MB")
        original = _save(
            files, file_id, "original", upload.data, found.content_type, found.extension
        )
        thumbnail, blurhash, kind, stored = None, None, "unknown", upload.data
    media = MediaAttachment(
        id=file_id,
        account_id=account.id,
        status_id=None,
        type=kind,
        file=original,
        thumbnail=thumbnail,
        description=(comment or "").strip(),
        blurhash=blurhash,
        focus=focus,
        created_at=clock.now(),
        name=title,
        md5=hashlib.md5(stored, usedforsecurity=False).hexdigest(),
        is_sensitive=is_sensitive,
    )
    try:
        async with db.write() as conn:
            await store.insert(conn, media)
    except BaseException:
        files.delete(original.path, thumbnail.path if thumbnail else None)
        raise
    return media


async def own(db: Database, account: Account, file_id: int) -> MediaAttachment:
    async with db.read() as conn:
        found = await store.get(conn, file_id)
    if found is None:
        raise NotFound("file")
    if found.account_id != account.id:
        raise Forbidden("This file belongs to someone else.")
    return found


def read(files: MediaFiles, media: MediaAttachment) -> bytes:
    return files.read(media.file.path)


async def delete(db: Database, files: MediaFiles, account: Account, file_id: int) -> None:
    """Delete a file; an avatar or banner made from it goes with it, as in Misskey."""
    media = await own(db, account, file_id)
    leftovers: list[str | None] = [
        media.file.path,
        media.thumbnail.path if media.thumbnail else None,
    ]
    async with db.write() as conn:
        await store.delete(conn, media.id)
        owner = await account_store.get(conn, account.id)
        assert owner is not None
        for image, source in (("avatar", "avatar_file_id"), ("header", "banner_file_id")):
            ref: ImageRef | None = getattr(owner, image)
            if getattr(owner, source) == media.id:
                setattr(owner, image, None)
                setattr(owner, source, None)
                if ref is not None:
                    leftovers += [ref.path, ref.static_path]
        await account_store.save_profile(conn, owner, clock.now())
    files.delete(*leftovers)
