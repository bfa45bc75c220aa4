"""Editing one's own profile: validation, rendering, images, and the side effects of a change."""

from __future__ import annotations

import dataclasses
from typing import Literal, cast
from urllib.parse import urlsplit

from tandem.config import Settings
from tandem.core import (
    caller_cache,
    clock,
    federation_outbox,
    hashtags,
    profile_images,
    stream_events,
    text,
    urls,
)
from tandem.core.errors import Errors
from tandem.core.follow_requests import accept_all, lock_for_accept_all
from tandem.core.images import ProcessedImage, Upload
from tandem.core.models import (
    Account,
    CollectionVisibility,
    ImageRef,
    ProfileField,
    User,
    UserSettings,
    Visibility,
)
from tandem.core.profile_changes import (
    REMOVE,
    UNSET,
    Clean,
    ProfileChanges,
    Unset,
    is_set,
    validate,
)
from tandem.store import accounts as account_store
from tandem.store import jobs as job_store
from tandem.store import relationships as pairs
from tandem.store import users as user_store
from tandem.store.db import Conn, Database
from tandem.store.files import MediaFiles

__all__ = ["REMOVE", "UNSET", "ProfileChanges", "Unset", "update_profile"]


async def _render(conn: Conn, settings: Settings, account: Account) -> None:
    """Store the HTML of the note and field values, linking mentions of known accounts."""
    wanted = text.mentions(account.note)
    for field in account.fields:
        wanted += text.mentions(field.value)
    known: dict[str, tuple[str, str]] = {}
    for username, domain in dict.fromkeys(wanted):
        found = await account_store.by_username(
            conn, username, None if domain in (None, settings.domain) else domain
        )
        if found is not None:
            known[text.mention_key(username, domain)] = (
                urls.profile_url(settings, found),
                found.acct() if found.domain else f"{found.username}@{settings.domain}",
            )
    account.note_html = text.render(account.note, base_url=settings.base_url, mention_urls=known)
    account.fields = [
        dataclasses.replace(
            f,
            value_html=text.render(
                f.value,
                base_url=settings.base_url,
                mention_urls=known,
                multiline=False,
                rel_me=True,
                with_domains=True,
            ),
        )
        for f in account.fields
    ]


_FILE_ATTR: dict[profile_images.Kind, str] = {
    "avatar": "avatar_file_id",
    "header": "banner_file_id",
}


async def _images(
    db: Database,
    settings: Settings,
    files: MediaFiles,
    account_id: int,
    changes: ProfileChanges,
    errors: Errors,
) -> dict[profile_images.Kind, ProcessedImage | Literal["remove"]]:
    """The new avatar/header, from an upload or a Drive file; REMOVE clears one."""
    images: dict[profile_images.Kind, ProcessedImage | Literal["remove"]] = {}
    for kind, file_attr in _FILE_ATTR.items():
        upload: Upload | Literal["remove"] | Unset = getattr(changes, kind)
        file_id: int | Unset | None = getattr(changes, file_attr)
        if file_id is None:
            upload = REMOVE
        elif isinstance(file_id, int):
            upload = await profile_images.from_drive(db, files, account_id, kind, file_id)
        if upload == REMOVE:
            images[kind] = REMOVE
        elif isinstance(upload, Upload):
            processed = await profile_images.process(kind, upload, settings, errors)
            if processed is not None:
                images[kind] = processed
    return images


async def update_profile(
    db: Database,
    settings: Settings,
    files: MediaFiles,
    account: Account,
    user: User,
    changes: ProfileChanges,
) -> tuple[Account, User]:
    """Apply the changes all together, or none of them (every error is reported at once)."""
    errors, clean = validate(changes, settings)
    images = await _images(db, settings, files, account.id, changes, errors)
    errors.raise_if_any()

    written: list[str] = []
    replaced: list[str | None] = []
    try:
        async with db.write() as conn:
            current = await account_store.get(conn, account.id)
            assert current is not None
            was_locked = current.locked
            updated = _apply(current, changes, clean)
            for kind, image in images.items():
                old: ImageRef | None = getattr(updated, kind)
                if old is not None:
                    replaced += [old.path, old.static_path]
                if image == REMOVE:
                    setattr(updated, kind, None)
                else:
                    ref = profile_images.store(files, account.id, kind, image)
                    written += [ref.path, ref.static_path or ""]
                    setattr(updated, kind, ref)
                # Only a Drive file is remembered as the source; an upload is not one.
                file_id = getattr(changes, _FILE_ATTR[kind])
                setattr(updated, _FILE_ATTR[kind], file_id if isinstance(file_id, int) else None)
            await _render(conn, settings, updated)
            unlocking = was_locked and not updated.locked
            if unlocking:
                await lock_for_accept_all(conn, account.id)
            await account_store.save_profile(conn, updated, clock.now())
            if updated.note != current.note:
                await hashtags.on_profile(conn, updated, updated.note, clock.now())
            await _save_user(conn, user, changes)
            if unlocking:
                await accept_all(conn, account.id)
            await _queue_link_checks(conn, settings, updated)
            stream_events.me_updated(account.id)
            fresh_account = await account_store.get(conn, account.id)
            assert fresh_account is not None
            await federation_outbox.profile_updated(conn, fresh_account)
            fresh_user = await user_store.by_account(conn, account.id)
    except BaseException:
        files.delete(*written)  # nothing half-written: the new files go with the rollback
        raise
    files.delete(*replaced)
    assert fresh_account is not None and fresh_user is not None
    return fresh_account, fresh_user


async def _save_user(conn: Conn, user: User, changes: ProfileChanges) -> None:
    new_settings = _apply_settings(user.settings, changes)
    values: dict[str, object] = {}
    if new_settings != user.settings:
        values["settings"] = new_settings
    if isinstance(changes.client_prefs, dict):
        values["client_prefs"] = {**user.client_prefs, **changes.client_prefs}
    if values:
        await user_store.update_user(conn, user.id, clock.now(), **values)


_FLAGS = (
    "locked",
    "bot",
    "discoverable",
    "indexable",
    "noindex",
    "show_media",
    "show_media_replies",
    "show_featured",
    "is_cat",
    "hide_online_status",
    "public_reactions",
    "prevent_ai_learning",
    "auto_accept_followed",
    "careful_bot",
    "following_visibility",
    "followers_visibility",
    "chat_scope",
)


def _apply(account: Account, changes: ProfileChanges, clean: Clean) -> Account:
    updated = dataclasses.replace(account)
    for attr in ("display_name", "note", "avatar_description", "header_description"):
        value = getattr(clean, attr)
        if value is not None:
            setattr(updated, attr, value)
    if clean.attribution_domains is not None:
        updated.attribution_domains = clean.attribution_domains
    if clean.fields is not None:
        previous = {(f.name, f.value): f.verified_at for f in account.fields}
        # A field keeps its verification while its value is unchanged.
        updated.fields = [
            ProfileField(name=n, value=v, verified_at=previous.get((n, v))) for n, v in clean.fields
        ]
    for attr in _FLAGS:
        value = getattr(changes, attr)
        if is_set(value):
            setattr(updated, attr, value)
    for attr in ("location", "birthday", "lang"):
        value = getattr(changes, attr)
        if is_set(value):
            setattr(updated, attr, value.strip() or None if isinstance(value, str) else None)
    _sync_collections(updated, changes)
    return updated


def _sync_collections(account: Account, changes: ProfileChanges) -> None:
    """Mastodon's hide_collections and Misskey's two visibilities describe one setting."""
    hide = changes.hide_collections
    if not isinstance(hide, Unset):
        account.hide_collections = hide
        if not is_set(changes.followers_visibility) and not is_set(changes.following_visibility):
            hidden: CollectionVisibility = "private" if hide else "public"
            account.followers_visibility = account.following_visibility = hidden
    elif is_set(changes.followers_visibility) or is_set(changes.following_visibility):
        both_public = account.followers_visibility == account.following_visibility == "public"
        account.hide_collections = not both_public


def _apply_settings(current: UserSettings, changes: ProfileChanges) -> UserSettings:
    """Validated already: the strings here are known choices."""
    privacy = changes.privacy if isinstance(changes.privacy, str) else current.default_privacy
    policy = (
        changes.quote_policy
        if isinstance(changes.quote_policy, str)
        else current.default_quote_policy
    )
    return UserSettings(
        default_privacy=cast(Visibility | None, privacy),
        default_sensitive=(
            changes.sensitive if isinstance(changes.sensitive, bool) else current.default_sensitive
        ),
        default_language=(
            current.default_language
            if isinstance(changes.language, Unset)
            else changes.language or None
        ),
        default_quote_policy=cast(Literal["public", "followers", "nobody"], policy),
    )


async def _queue_link_checks(conn: Conn, settings: Settings, account: Account) -> None:
    """Fields whose value is an https URL get a rel=me check in the background."""
    pending = [
        f.value for f in account.fields if f.verified_at is None and _verifiable(f.value, settings)
    ]
    if pending:
        await job_store.enqueue(
            conn,
            "verify_links",
            {"account_id": account.id, "urls": pending},
            dedupe_key=f"verify_links:{account.id}",
        )


def _verifiable(value: str, settings: Settings) -> bool:
    parts = urlsplit(value)
    if parts.scheme != "https" and not (settings.allow_loopback_fetch and parts.scheme == "http"):
        return False
    return bool(parts.hostname) and not parts.username and " " not in value


def default_privacy(account: Account, user: User) -> str:
    return user.settings.default_privacy or ("private" if account.locked else "public")


async def current(db: Database, account_id: int) -> tuple[Account, User, int]:
    """One's own account, user, and how many follow requests wait (shown up to 40)."""
    async with db.read() as conn:
        account = await account_store.get(conn, account_id)
        user = await user_store.by_account(conn, account_id)
        waiting = await pending_requests(conn, account_id)
    assert account is not None and user is not None
    return account, user, waiting


async def pending_requests(conn: Conn, account_id: int) -> int:
    return await pairs.count_pending_requests(conn, account_id, cap=40)


async def waiting_requests(db: Database, account_id: int) -> int:
    return await caller_cache.waiting_requests(db, account_id)
