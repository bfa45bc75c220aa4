"""Media attachments for posts (Mastodon's media API): Drive files that must be images, video
or audio, with alt text, focus and (video, audio) a thumbnail of the client's choosing.

`POST /api/v2/media` leaves video, audio and animated GIFs to a job (`process_media`): the
attachment is `queued` until then, and cannot be attached to a post (Mastodon's rule)."""

from __future__ import annotations

from collections.abc import Iterable

from tandem.config import Settings
from tandem.core import drive
from tandem.core.errors import DomainError, Errors, NotFound, ValidationFailed
from tandem.core.i18n import Text, too_long
from tandem.core.images import Upload
from tandem.core.models import Account, MediaAttachment
from tandem.store import media as store
from tandem.store.db import Database
from tandem.store.files import MediaFiles

DESCRIPTION_LIMIT = 1500
NOT_READY = Text("Cannot attach files that have not finished processing. Try again in a moment!")
# Mastodon's processing_error: what GET/PUT answer for a file whose conversion failed.
PROCESSING_FAILED = Text("Error processing thumbnail for uploaded media")


def parse_focus(raw: str | None) -> tuple[float, float] | None:
    """`"x,y"` with both in [-1, 1], as Mastodon's focal points."""
    if raw is None or raw == "":
        return None
    try:
        x, y = (float(p) for p in raw.split(","))
    except ValueError:
        raise ValidationFailed.one(
            "focus", "invalid", "must be two numbers like 0.5,-0.25"
        ) from None
    if not (-1 <= x <= 1 and -1 <= y <= 1):
        raise ValidationFailed.one("focus", "invalid", "values must be between -1.0 and 1.0")
    return x, y


def _check_description(description: str | None) -> str | None:
    if description is not None and len(description) > DESCRIPTION_LIMIT:
        raise ValidationFailed.one("description", "too_long", too_long(DESCRIPTION_LIMIT))
    return description


async def upload(
    db: Database,
    settings: Settings,
    files: MediaFiles,
    account: Account,
    upload: Upload | None,
    *,
    description: str | None = None,
    focus: str | None = None,
    thumbnail: Upload | None = None,
    later: bool = False,
) -> MediaAttachment:
    """One upload; with `later` (v2) a video or audio file is converted by a job."""
    errors = Errors()
    if upload is None:
        errors.add("file", "blank", "can't be blank")
    point = parse_focus(focus) or (0.0, 0.0)
    text = _check_description(description)
    errors.raise_if_any()
    assert upload is not None
    return await drive.add(
        db,
        settings,
        files,
        account,
        upload,
        comment=text,
        focus=point,
        mastodon="later" if later else "now",
        thumbnail=thumbnail,
    )


async def process_queued(
    db: Database, settings: Settings, files: MediaFiles, media_id: int
) -> None:
    """The `process_media` job: convert an upload v2 left for later."""
    await drive.convert_queued(db, settings, files, media_id)


class NotReady(DomainError):
    """A file still being converted (or whose conversion failed) cannot be attached yet;
    Mastodon answers 422 with this very text."""

    code = "NOT_READY"


def check_attachable(media: Iterable[MediaAttachment]) -> None:
    """Mastodon refuses to attach a file it has not finished converting."""
    if any(not m.processed for m in media):
        raise NotReady(NOT_READY)


async def get_own(db: Database, account: Account, media_id: int) -> MediaAttachment:
    async with db.read() as conn:
        media = await store.get(conn, media_id)
    if media is None or media.account_id != account.id:
        raise NotFound("file")
    return media


async def update(
    db: Database,
    account: Account,
    media_id: int,
    *,
    description: str | None,
    focus: str | None,
    settings: Settings | None = None,
    files: MediaFiles | None = None,
    thumbnail: Upload | None = None,
) -> MediaAttachment:
    text = _check_description(description)
    point = parse_focus(focus)
    if thumbnail is not None:
        assert settings is not None and files is not None
        own = await get_own(db, account, media_id)
        await drive.set_thumbnail(db, settings, files, own, thumbnail)
    async with db.write() as conn:
        media = await store.get(conn, media_id)
        if media is None or media.account_id != account.id:
            raise NotFound("file")
        await store.update_details(
            conn, media_id, description=text.strip() if text is not None else None, focus=point
        )
        updated = await store.get(conn, media_id)
    assert updated is not None
    return updated
