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
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Literal, TypeVar

from tandem.config import Settings
from tandem.core import clock, filetypes, video
from tandem.core.errors import Forbidden, NotFound, Unprocessable, ValidationFailed
from tandem.core.i18n import Text, too_large
from tandem.core.ids import new_id
from tandem.core.images import (
    TOO_COMPLEX,
    Encoded,
    ImageProblem,
    ProcessedMedia,
    Upload,
    process_media,
)
from tandem.core.models import Account, ImageRef, MediaAttachment, MediaKind, MediaProcessing
from tandem.store import accounts as account_store
from tandem.store import jobs as job_store
from tandem.store import media as store
from tandem.store.db import Conn, Database
from tandem.store.files import MediaFiles

NAME_LIMIT = 200
MastodonMedia = Literal["now", "later"]
T = TypeVar("T")
log = logging.getLogger("tandem.media")
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
    mastodon: MastodonMedia | None = None,
    thumbnail: Upload | None = None,
) -> MediaAttachment:
    """Store one file; images become an original, a thumbnail and a blurhash.

    `mastodon` applies Mastodon's media rules: only images, video and audio, an animated GIF
    becomes a `gifv` MP4, and video/audio are converted `now` or by a job `later` (the file
    is then `queued`). Without it (Misskey's Drive) a video or audio file is kept byte for
    byte, with its size and a thumbnail when it can be read."""
    title = (name or upload.filename or "untitled").strip()[:NAME_LIMIT] or "untitled"
    if await usage(db, account.id) + len(upload.data) > settings.drive_capacity:
        raise Unprocessable(
            "Cannot upload the file because you have no free space of drive.", code="NO_FREE_SPACE"
        )
    found = filetypes.sniff(upload.data, upload.content_type, upload.filename)
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    file_id = new_id()
    is_av = video.is_av(found.content_type)
    processing: MediaProcessing = "complete"
    meta: dict[str, float | int | str] | None = None
    thumbnail_ref: ImageRef | None = None
    blurhash: str | None = None
    written: list[str] = []
    custom = await _custom_thumbnail(settings, thumbnail) if thumbnail is not None else None
    try:
        if mastodon is not None and (is_av or video.is_animated_gif(upload.data)):
            limit = settings.max_video_size if is_av else settings.max_media_size
            if mastodon == "later":
                kind: MediaKind = await _av_call(video.check, upload.data, limit)
                original = _save(
                    files, file_id, "upload", upload.data, found.content_type, found.extension
                )
                stored, processing = upload.data, "queued"
            else:
                done = await _av_call(video.process, upload.data, limit)
                original, thumbnail_ref, blurhash = _av_refs(files, file_id, done, written)
                kind, meta, stored = done.kind, done.meta, done.data
        elif mastodon is not None or found.content_type in IMAGE_TYPES or declared in IMAGE_TYPES:
            # The bytes decide what a file is; a file declared as an image must also be one.
            try:
                processed = await asyncio.to_thread(process_media, upload, settings.max_media_size)
            except ImageProblem as problem:
                raise _refused(problem) from None
            original = _image_ref(files, file_id, "original", processed.original)
            written.append(original.path)
            thumbnail_ref = _image_ref(files, file_id, "small", processed.small)
            blurhash, kind, stored = processed.blurhash, "image", processed.original.data
        else:
            if len(upload.data) > settings.max_media_size:
                raise ValidationFailed.one("file", "less_than", too_large(settings.max_media_size))
            described = await asyncio.to_thread(video.describe, upload.data) if is_av else None
            kind, stored = "unknown", upload.data
            if described is not None:
                original, thumbnail_ref, blurhash = _av_refs(files, file_id, described, written)
                kind, meta = described.kind, described.meta
            else:
                original = _save(
                    files, file_id, "original", upload.data, found.content_type, found.extension
                )
        written += [original.path] + ([thumbnail_ref.path] if thumbnail_ref else [])
        if custom is not None:
            if kind not in ("video", "audio", "gifv") or video.is_animated_gif(upload.data):
                raise ValidationFailed.one(
                    "thumbnail", "invalid", "can only be given for a video or audio file"
                )
            if thumbnail_ref is not None:
                files.delete(thumbnail_ref.path)
            thumbnail_ref = _image_ref(files, file_id, "thumbnail", custom.small)
            written.append(thumbnail_ref.path)
            blurhash = custom.blurhash
        media = MediaAttachment(
            id=file_id,
            account_id=account.id,
            status_id=None,
            type=kind,
            file=original,
            thumbnail=thumbnail_ref,
            description=(comment or "").strip(),
            blurhash=blurhash,
            focus=focus,
            created_at=clock.now(),
            name=title,
            md5=hashlib.md5(stored, usedforsecurity=False).hexdigest(),
            is_sensitive=is_sensitive,
            processing=processing,
            meta=meta,
        )
        async with db.write() as conn:
            await store.insert(conn, media)
            if processing == "queued":
                await job_store.enqueue(conn, "process_media", {"media_id": media.id})
    except BaseException:
        files.delete(*written)
        raise
    return media


def _refused(problem: ImageProblem, param: str = "file") -> Exception:
    if problem.code == TOO_COMPLEX:
        message = Text("File {problem}", problem=problem.message)
        return Unprocessable(message, code="FILE_TOO_COMPLEX")
    return ValidationFailed.one(param, problem.code, problem.message)


async def _av_call(work: Callable[[bytes, int], T], data: bytes, limit: int) -> T:
    try:
        return await asyncio.to_thread(work, data, limit)
    except ImageProblem as problem:
        raise _refused(problem) from None


async def _custom_thumbnail(settings: Settings, upload: Upload) -> ProcessedMedia:
    """A thumbnail the client chose for a video or audio file (Mastodon's `thumbnail`)."""
    try:
        return await asyncio.to_thread(process_media, upload, settings.max_image_size)
    except ImageProblem as problem:
        raise _refused(problem, "thumbnail") from None


def _av_refs(
    files: MediaFiles, file_id: int, done: video.ProcessedAV, written: list[str]
) -> tuple[ImageRef, ImageRef | None, str | None]:
    """Write a converted (or described) video/audio file and its thumbnail."""
    ref = _save(files, file_id, "original", done.data, done.content_type, done.extension)
    written.append(ref.path)
    original = ImageRef(ref.path, ref.content_type, None, done.width, done.height, ref.size)
    small = _image_ref(files, file_id, "small", done.thumbnail) if done.thumbnail else None
    if small is not None:
        written.append(small.path)
    return original, small, done.blurhash


async def convert_queued(
    db: Database, settings: Settings, files: MediaFiles, media_id: int
) -> MediaAttachment | None:
    """Convert a `queued` upload (the `process_media` job): the converted file, its thumbnail
    (unless the client gave one meanwhile) and meta, or `failed` when it cannot be used."""
    async with db.read() as conn:
        media = await store.get(conn, media_id)
    if media is None or media.processing != "queued":
        return media
    try:
        data = files.read(media.file.path)
        done = await asyncio.to_thread(video.process, data, settings.max_video_size)
    except Exception as problem:  # conversion fails the same way every time: no retries
        if isinstance(problem, ImageProblem | OSError):
            log.info("media %s could not be converted: %s", media_id, problem)
        else:
            log.exception("media %s could not be converted", media_id)
        async with db.write() as conn:
            await store.finish_processing(conn, replace(media, processing="failed"))
        return replace(media, processing="failed")
    written: list[str] = []
    try:
        original, small, blurhash = _av_refs(files, media.id, done, written)
        async with db.write() as conn:
            current = await store.lock_one(conn, media_id)
            if current is None or current.processing != "queued":
                files.delete(*written)
                return current
            keep_custom = current.thumbnail is not None
            updated = replace(
                current,
                type=done.kind,
                file=original,
                thumbnail=current.thumbnail if keep_custom else small,
                blurhash=current.blurhash if keep_custom else blurhash,
                md5=hashlib.md5(done.data, usedforsecurity=False).hexdigest(),
                processing="complete",
                meta=done.meta,
            )
            await store.finish_processing(conn, updated)
    except BaseException:
        files.delete(*written)
        raise
    leftovers = [media.file.path] if media.file.path != original.path else []
    if keep_custom and small is not None:
        leftovers.append(small.path)
    files.delete(*leftovers)
    return updated


@dataclass(frozen=True)
class NewThumbnail:
    """A client's thumbnail for a video or audio file, processed and on disk but not yet
    recorded: `record_thumbnail` inside a write, `discard_thumbnails` when that fails."""

    media_id: int
    ref: ImageRef
    blurhash: str | None


async def prepare_thumbnail(
    settings: Settings, files: MediaFiles, media: MediaAttachment, upload: Upload
) -> NewThumbnail:
    if media.type not in ("video", "audio", "gifv"):
        raise ValidationFailed.one(
            "thumbnail", "invalid", "can only be given for a video or audio file"
        )
    custom = await _custom_thumbnail(settings, upload)
    ref = _image_ref(files, media.id, "thumbnail", custom.small)
    return NewThumbnail(media.id, ref, custom.blurhash)


async def record_thumbnail(conn: Conn, new: NewThumbnail) -> MediaAttachment:
    """Put the new thumbnail in place (the row locked); the row as it was before, whose
    thumbnail file (if any) the caller deletes once the transaction has committed."""
    current = await store.lock_one(conn, new.media_id)
    if current is None:
        raise NotFound("file")
    await store.set_thumbnail(conn, new.media_id, new.ref, new.blurhash)
    return current


def discard_thumbnails(files: MediaFiles, thumbnails: Iterable[NewThumbnail]) -> None:
    files.delete(*(t.ref.path for t in thumbnails))


async def set_thumbnail(
    db: Database, settings: Settings, files: MediaFiles, media: MediaAttachment, upload: Upload
) -> MediaAttachment:
    """A thumbnail the client chose for its video or audio file, replacing the one before."""
    new = await prepare_thumbnail(settings, files, media, upload)
    try:
        async with db.write() as conn:
            current = await record_thumbnail(conn, new)
    except BaseException:
        discard_thumbnails(files, [new])
        raise
    if current.thumbnail is not None:
        files.delete(current.thumbnail.path)
    return replace(current, thumbnail=new.ref, blurhash=new.blurhash)


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
