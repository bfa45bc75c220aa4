"""What a profile edit asks for, and the rules it must pass before anything is written."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from tandem.config import Settings
from tandem.core import languages, text
from tandem.core.errors import Errors
from tandem.core.i18n import Text, one_of, too_long
from tandem.core.images import Upload

DESCRIPTION_LIMIT = 150
ATTRIBUTION_DOMAINS_LIMIT = 100
LOCATION_LIMIT = 50
_HOST_LABEL = re.compile(r"\A[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
_BIRTHDAY = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
PRIVACY_CHOICES = ("public", "unlisted", "private")
QUOTE_POLICIES = ("public", "followers", "nobody")
COLLECTION_VISIBILITIES = ("public", "followers", "private")


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
    # Misskey profile attributes; None clears the ones that can be empty.
    location: str | Unset | None = UNSET
    birthday: str | Unset | None = UNSET
    lang: str | Unset | None = UNSET
    is_cat: bool | Unset = UNSET
    hide_online_status: bool | Unset = UNSET
    public_reactions: bool | Unset = UNSET
    prevent_ai_learning: bool | Unset = UNSET
    auto_accept_followed: bool | Unset = UNSET
    careful_bot: bool | Unset = UNSET
    following_visibility: str | Unset = UNSET
    followers_visibility: str | Unset = UNSET
    chat_scope: str | Unset = UNSET
    avatar_file_id: int | Unset | None = UNSET  # a Drive file; None removes the avatar
    banner_file_id: int | Unset | None = UNSET
    client_prefs: dict[str, object] | Unset = UNSET  # merged into the stored preferences


def is_set(value: object) -> bool:
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
            Text(
                "is too long (maximum is {max} fields, got {count})",
                max=settings.max_profile_fields,
                count=len(kept),
            ),
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
                Text(
                    "field {index} name is too long (maximum is {max} characters)",
                    index=index,
                    max=settings.profile_field_name_limit,
                ),
            )
        if len(value) > settings.profile_field_value_limit:
            errors.add(
                "fields",
                "too_long",
                Text(
                    "field {index} value is too long (maximum is {max} characters)",
                    index=index,
                    max=settings.profile_field_value_limit,
                ),
            )
    return kept


@dataclass
class Clean:
    """Changed values after trimming and normalizing; None means unchanged."""

    display_name: str | None = None
    note: str | None = None
    fields: list[tuple[str, str]] | None = None
    avatar_description: str | None = None
    header_description: str | None = None
    attribution_domains: list[str] | None = None


def validate(changes: ProfileChanges, settings: Settings) -> tuple[Errors, Clean]:
    """Check every change; returns the errors and the cleaned values."""
    errors = Errors()
    clean = Clean()
    if isinstance(changes.display_name, str):
        name = changes.display_name.strip()
        if len(name) > settings.max_display_name_length:
            errors.add(
                "display_name",
                "too_long",
                too_long(settings.max_display_name_length),
            )
        clean.display_name = name
    if isinstance(changes.note, str):
        note = changes.note.strip()
        if text.countable_length(note) > settings.max_note_length:
            errors.add(
                "note",
                "too_long",
                too_long(settings.max_note_length),
            )
        clean.note = note
    if not isinstance(changes.fields, Unset):
        clean.fields = _check_fields(errors, changes.fields, settings)
    for attr in ("avatar_description", "header_description"):
        value = getattr(changes, attr)
        if isinstance(value, str):
            value = value.strip()
            if len(value) > DESCRIPTION_LIMIT:
                errors.add(attr, "too_long", too_long(DESCRIPTION_LIMIT))
            setattr(clean, attr, value)
    if not isinstance(changes.attribution_domains, Unset):
        domains = list(
            dict.fromkeys(d for d in map(_normalize_domain, changes.attribution_domains) if d)
        )
        if len(domains) > ATTRIBUTION_DOMAINS_LIMIT:
            errors.add(
                "attribution_domains",
                "too_long",
                Text("is too long (maximum is {max} domains)", max=ATTRIBUTION_DOMAINS_LIMIT),
            )
        for domain in domains:
            if not _valid_host(domain):
                errors.add(
                    "attribution_domains",
                    "invalid",
                    Text("{domain} is not a valid domain name", domain=domain),
                )
        clean.attribution_domains = domains
    if is_set(changes.privacy) and changes.privacy not in PRIVACY_CHOICES:
        errors.add("source[privacy]", "inclusion", one_of(PRIVACY_CHOICES))
    if is_set(changes.quote_policy) and changes.quote_policy not in QUOTE_POLICIES:
        errors.add("source[quote_policy]", "inclusion", one_of(QUOTE_POLICIES))
    language = changes.language
    if isinstance(language, str) and language and not languages.is_language(language):
        errors.add("source[language]", "inclusion", "must be an ISO 639-1 language code (like en)")
    _check_misskey(errors, changes)
    return errors, clean


def _check_misskey(errors: Errors, changes: ProfileChanges) -> None:
    if isinstance(changes.location, str) and len(changes.location.strip()) > LOCATION_LIMIT:
        errors.add("location", "too_long", too_long(LOCATION_LIMIT))
    if isinstance(changes.birthday, str) and not _valid_birthday(changes.birthday):
        errors.add("birthday", "invalid", "must be a date written YYYY-MM-DD")
    if isinstance(changes.lang, str) and not languages.is_locale(changes.lang):
        errors.add("lang", "inclusion", "must be a language tag like en or ja-JP")
    for attr in ("following_visibility", "followers_visibility"):
        value = getattr(changes, attr)
        if isinstance(value, str) and value not in COLLECTION_VISIBILITIES:
            errors.add(attr, "inclusion", one_of(COLLECTION_VISIBILITIES))


def _valid_birthday(value: str) -> bool:
    if not _BIRTHDAY.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
