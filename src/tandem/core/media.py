"""Media attachments for posts: Drive files that must be images, with alt text and focus."""

from __future__ import annotations

from tandem.config import Settings
from tandem.core import drive
from tandem.core.errors import Errors, NotFound, ValidationFailed
from tandem.core.images import Upload
from tandem.core.models import Account, MediaAttachment
from tandem.store import media as store
from tandem.store.db import Database
from tandem.store.files import MediaFiles

DESCRIPTION_LIMIT = 1500


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
        raise ValidationFailed.one(
            "description", "too_long", f"is too long (maximum is {DESCRIPTION_LIMIT} characters)"
        )
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
) -> MediaAttachment:
    errors = Errors()
    if upload is None:
        errors.add("file", "blank", "can't be blank")
    point = parse_focus(focus) or (0.0, 0.0)
    text = _check_description(description)
    errors.raise_if_any()
    assert upload is not None
    return await drive.add(
        db, settings, files, account, upload, comment=text, focus=point, images_only=True
    )


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
) -> MediaAttachment:
    text = _check_description(description)
    point = parse_focus(focus)
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
