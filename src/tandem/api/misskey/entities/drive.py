"""DriveFile."""

from __future__ import annotations

from tandem.api.misskey.entities.common import Ctx, iso
from tandem.api.misskey.entities.types import DriveFile, DriveFileProperties
from tandem.core import urls
from tandem.core.models import MediaAttachment


def drive_file(ctx: Ctx, media: MediaAttachment) -> DriveFile:
    properties: DriveFileProperties = {}
    if media.file.width and media.file.height:
        properties = {"width": media.file.width, "height": media.file.height}
    thumb = media.thumbnail
    return {
        "id": str(media.id),
        "createdAt": iso(media.created_at),
        "name": media.name,
        "type": media.file.content_type,
        "md5": media.md5,
        "size": media.file.size,
        "isSensitive": media.is_sensitive,
        "blurhash": media.blurhash,
        "properties": properties,
        "url": urls.file_url(ctx.settings, media.file.path),
        "thumbnailUrl": urls.file_url(ctx.settings, thumb.path) if thumb else None,
        "comment": media.description or None,
        "folderId": None,
        "folder": None,
        "userId": str(media.account_id),
        "user": None,
    }
