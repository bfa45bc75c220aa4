"""Avatar and header images: from an upload or a Drive file, processed and put on disk."""

from __future__ import annotations

import asyncio
from typing import Literal

from tandem.config import Settings
from tandem.core.errors import Errors, NotFound, NotFoundKind, Unprocessable
from tandem.core.i18n import Text
from tandem.core.images import (
    ALLOWED_TYPES,
    ImageProblem,
    ProcessedImage,
    Upload,
    process_avatar,
    process_header,
)
from tandem.core.models import ImageRef
from tandem.store import media as media_store
from tandem.store.db import Database
from tandem.store.files import MediaFiles

Kind = Literal["avatar", "header"]
# Misskey calls the header a banner; errors name the file the way the client did.
_FILE_LABEL = {"avatar": "avatar", "header": "banner"}
_MISSING: dict[Kind, NotFoundKind] = {"avatar": "avatar_file", "header": "banner_file"}


async def from_drive(
    db: Database, files: MediaFiles, account_id: int, kind: Kind, file_id: int
) -> Upload:
    """The bytes of one of the account's own Drive files, to become its avatar or banner."""
    async with db.read() as conn:
        found = await media_store.get(conn, file_id)
    label = _FILE_LABEL[kind]
    if found is None or found.account_id != account_id:
        raise NotFound(_MISSING[kind])
    # Only images tandem can decode: an SVG is an image/* file but never an avatar.
    if found.file.content_type not in ALLOWED_TYPES:
        raise Unprocessable(
            Text("The file specified as an avatar is not an image.")
            if label == "avatar"
            else Text("The file specified as a banner is not an image."),
            code=f"{label.upper()}_NOT_AN_IMAGE",
        )
    return Upload(files.read(found.file.path), found.file.content_type, found.name)


async def process(
    kind: Kind, upload: Upload, settings: Settings, errors: Errors
) -> ProcessedImage | None:
    processor = process_avatar if kind == "avatar" else process_header
    try:
        return await asyncio.to_thread(processor, upload, settings.max_image_size)
    except ImageProblem as problem:
        errors.add(kind, problem.code, problem.message)
        return None


def store(files: MediaFiles, account_id: int, kind: Kind, image: ProcessedImage) -> ImageRef:
    prefix = f"accounts/{kind}s"
    path = files.new_name(prefix, account_id, "original", image.original.extension)
    files.write(path, image.original.data)
    static_path = None
    if image.static is not None:
        static_path = files.new_name(prefix, account_id, "static", image.static.extension)
        files.write(static_path, image.static.data)
    return ImageRef(
        path=path,
        content_type=image.original.content_type,
        static_path=static_path,
        width=image.original.width,
        height=image.original.height,
        size=len(image.original.data),
    )
