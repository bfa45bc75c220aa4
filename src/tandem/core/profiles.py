"""Editing one's own profile: validation, rendering, images, and the side effects of a change."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast
from urllib.parse import urlsplit

from tandem.config import Settings
from tandem.core import clock, languages, text, urls
from tandem.core.errors import Errors
from tandem.core.images import ImageProblem, ProcessedImage, Upload, process_avatar, process_header
from tandem.core.models import Account, ImageRef, ProfileField, User, UserSettings, Visibility
from tandem.core.relationships import accept_all_requests
from tandem.store import accounts as account_store
from tandem.store import jobs as job_store
from tandem.store import relationships as pairs
from tandem.store import users as user_store
from tandem.store.db import Conn, Database
from tandem.store.files import MediaFiles

DESCRIPTION_LIMIT = 150
ATTRIBUTION_DOMAINS_LIMIT = 100
_HOST_LABEL = re.compile(r"\A[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
PRIVACY_CHOICES = ("public", "unlisted", "private")
QUOTE_POLICIES = ("public", "followers", "nobody")


class Unset:
    """A field the request did not mention: keep the stored value."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset()
REMOVE: Literal["remove"] = "remove"


@dataclass
class ProfileChanges:
    display_name: str | Unset = UNSET
    note: str | Unset = UNSET
    fields: Sequence[tuple[str, str]] | Unset = UNSET
    locked: bool | Unset = UNSET
    bot: bool | Unset = UNSET
    discoverable: bool | Unset | None = UNSET
    hide_collections: bool | Unset | None = UNSET
    indexable: bool | Unset = UNSET
    noindex: bool | Unset = UNSET
    show_media: bool | Unset = UNSET
    show_media_replies: bool | Unset = UNSET
    show_featured: bool | Unset = UNSET
    attribution_domains: Sequence[str] | Unset = UNSET
    avatar: Upload | Literal["remove"] | Unset = UNSET
    header: Upload | Literal["remove"] | Unset = UNSET
    avatar_description: str | Unset = UNSET
    header_description: str | Unset = UNSET
    # User preferences (Mastodon's `source[...]`).
    privacy: str | Unset = UNSET
    sensitive: bool | Unset = UNSET
    language: str | Unset | None = UNSET
    quote_policy: str | Unset = UNSET


def _set(value: object) -> bool:
    return not isinstance(value, Unset)


def _normalize_domain(raw: str) -> str:
    domain = raw.strip().lower()
    for prefix in ("https://", "http://", "*."):
        domain = domain.removeprefix(prefix)
    return domain.rstrip("/")


def _valid_host(domain: str) -> bool:
    if not domain or len(domain) > 253:
        return False
    return all(_HOST_LABEL.match(label) for label in domain.split("."))


def _check_fields(
    errors: Errors, raw: Sequence[tuple[str, str]], settings: Settings
) -> list[tuple[str, str]]:
    kept = [(n.strip(), v.strip()) for n, v in raw if n.strip() or v.strip()]
    if len(kept) > settings.max_profile_fields:
        errors.add(
            "fields",
            "too_long",
            f"is too long (maximum is {settings.max_profile_fields} fields, got {len(kept)})",
        )
        return kept
    for index, (name, value) in enumerate(kept, start=1):
        if not name:
            errors.add(
                "fields", "fields_with_values_missing_labels", "contains values with missing labels"
            )
        elif len(name) > settings.profile_field_name_limit:
            errors.add(
                "fields",
                "too_long",
                f"field {index} name is too long (maximum is "
                f"{settings.profile_field_name_limit} characters)",
            )
        if len(value) > settings.profile_field_value_limit:
            errors.add(
                "fields",
                "too_long",
                f"field {index} value is too long (maximum is "
                f"{settings.profile_field_value_limit} characters)",
            )
    return kept


@dataclass
class _Clean:
    """Changed values after trimming and normalizing; None means unchanged."""

    display_name: str | None = None
    note: str | None = None
    fields: list[tuple[str, str]] | None = None
    avatar_description: str | None = None
    header_description: str | None = None
    attribution_domains: list[str] | None = None


def _validate(changes: ProfileChanges, settings: Settings) -> tuple[Errors, _Clean]:
    """Check every change; returns the errors and the cleaned values."""
    errors = Errors()
    clean = _Clean()
    if isinstance(changes.display_name, str):
        name = changes.display_name.strip()
        if len(name) > settings.max_display_name_length:
            errors.add(
                "display_name",
                "too_long",
                f"is too long (maximum is {settings.max_display_name_length} characters)",
            )
        clean.display_name = name
    if isinstance(changes.note, str):
        note = changes.note.strip()
        if text.countable_length(note) > settings.max_note_length:
            errors.add(
                "note",
                "too_long",
                f"is too long (maximum is {settings.max_note_length} characters)",
            )
        clean.note = note
    if not isinstance(changes.fields, Unset):
        clean.fields = _check_fields(errors, changes.fields, settings)
    for attr in ("avatar_description", "header_description"):
        value = getattr(changes, attr)
        if isinstance(value, str):
            value = value.strip()
            if len(value) > DESCRIPTION_LIMIT:
                errors.add(
                    attr, "too_long", f"is too long (maximum is {DESCRIPTION_LIMIT} characters)"
                )
            setattr(clean, attr, value)
    if not isinstance(changes.attribution_domains, Unset):
        domains = list(
            dict.fromkeys(d for d in map(_normalize_domain, changes.attribution_domains) if d)
        )
        if len(domains) > ATTRIBUTION_DOMAINS_LIMIT:
            errors.add(
                "attribution_domains",
                "too_long",
                f"is too long (maximum is {ATTRIBUTION_DOMAINS_LIMIT} domains)",
            )
        for domain in domains:
            if not _valid_host(domain):
                errors.add("attribution_domains", "invalid", f"{domain} is not a valid domain name")
        clean.attribution_domains = domains
    if _set(changes.privacy) and changes.privacy not in PRIVACY_CHOICES:
        errors.add("source[privacy]", "inclusion", f"must be one of {', '.join(PRIVACY_CHOICES)}")
    if _set(changes.quote_policy) and changes.quote_policy not in QUOTE_POLICIES:
        errors.add(
            "source[quote_policy]", "inclusion", f"must be one of {', '.join(QUOTE_POLICIES)}"
        )
    language = changes.language
    if isinstance(language, str) and language and not languages.is_language(language):
        errors.add("source[language]", "inclusion", "must be an ISO 639-1 language code (like en)")
    return errors, clean


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


async def _process(
    kind: str, upload: Upload, settings: Settings, errors: Errors
) -> ProcessedImage | None:
    processor = process_avatar if kind == "avatar" else process_header
    try:
        return await asyncio.to_thread(processor, upload, settings.max_image_size)
    except ImageProblem as problem:
        errors.add(kind, problem.code, problem.message)
        return None


def _store_image(files: MediaFiles, account_id: int, kind: str, image: ProcessedImage) -> ImageRef:
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


async def update_profile(
    db: Database,
    settings: Settings,
    files: MediaFiles,
    account: Account,
    user: User,
    changes: ProfileChanges,
) -> tuple[Account, User]:
    """Apply the changes all together, or none of them (every error is reported at once)."""
    errors, clean = _validate(changes, settings)
    images: dict[str, ProcessedImage | Literal["remove"]] = {}
    for kind in ("avatar", "header"):
        value = getattr(changes, kind)
        if value == REMOVE:
            images[kind] = REMOVE
        elif isinstance(value, Upload):
            processed = await _process(kind, value, settings, errors)
            if processed is not None:
                images[kind] = processed
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
                    ref = _store_image(files, account.id, kind, image)
                    written += [ref.path, ref.static_path or ""]
                    setattr(updated, kind, ref)
            await _render(conn, settings, updated)
            await account_store.save_profile(conn, updated, clock.now())
            new_settings = _apply_settings(user.settings, changes)
            if new_settings != user.settings:
                await user_store.update_user(conn, user.id, clock.now(), settings=new_settings)
            if was_locked and not updated.locked:
                await accept_all_requests(conn, account.id)
            await _queue_link_checks(conn, settings, updated)
            fresh_account = await account_store.get(conn, account.id)
            fresh_user = await user_store.by_account(conn, account.id)
    except BaseException:
        files.delete(*written)  # nothing half-written: the new files go with the rollback
        raise
    files.delete(*replaced)
    assert fresh_account is not None and fresh_user is not None
    return fresh_account, fresh_user


def _apply(account: Account, changes: ProfileChanges, clean: _Clean) -> Account:
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
    for attr in (
        "locked",
        "bot",
        "discoverable",
        "hide_collections",
        "indexable",
        "noindex",
        "show_media",
        "show_media_replies",
        "show_featured",
    ):
        value = getattr(changes, attr)
        if _set(value):
            setattr(updated, attr, value)
    return updated


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
    async with db.read() as conn:
        return await pending_requests(conn, account_id)
