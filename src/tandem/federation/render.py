"""This server's accounts and posts as ActivityStreams JSON: actors, notes, and the
activities deliveries carry. Mastodon's and Misskey's extension terms are declared in an
inline context (so JSON-LD processors such as Fedify read them without fetching anything
beyond the two standard contexts)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tandem.config import Settings
from tandem.core import actor_keys, urls
from tandem.core.federation_objects import ActorExtras, NoteParts
from tandem.core.models import Account, Poll, Status
from tandem.federation.parse import PUBLIC

AS = "https://www.w3.org/ns/activitystreams"
SECURITY = "https://w3id.org/security/v1"
_TERMS: dict[str, Any] = {
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "quoteUrl": "as:quoteUrl",
    "movedTo": {"@id": "as:movedTo", "@type": "@id"},
    "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
    "toot": "http://joinmastodon.org/ns#",
    "featured": {"@id": "toot:featured", "@type": "@id"},
    "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
    "discoverable": "toot:discoverable",
    "indexable": "toot:indexable",
    "memorial": "toot:memorial",
    "blurhash": "toot:blurhash",
    "Emoji": "toot:Emoji",
    "schema": "http://schema.org#",
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
    "misskey": "https://misskey-hub.net/ns#",
    "isCat": "misskey:isCat",
    "_misskey_summary": "misskey:_misskey_summary",
    "_misskey_content": "misskey:_misskey_content",
    "_misskey_reaction": "misskey:_misskey_reaction",
    "_misskey_followedMessage": "misskey:_misskey_followedMessage",
}
CONTEXT: list[Any] = [AS, SECURITY, _TERMS]


def actor_uri(settings: Settings, account: Account) -> str:
    return urls.actor_uri(settings, account)


def _image(settings: Settings, account: Account, kind: str) -> dict[str, Any] | None:
    image = account.avatar if kind == "avatar" else account.header
    found = urls.image_urls(settings, image)
    if found is None or image is None:
        return None
    return {"type": "Image", "mediaType": image.content_type, "url": found[0]}


def actor(
    settings: Settings, account: Account, public_key_pem: str, extras: ActorExtras
) -> dict[str, Any]:
    """A local account's actor document (Person, or Service for a bot)."""
    uri = actor_uri(settings, account)
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "id": uri,
        "type": "Service" if account.bot else ("Group" if account.group else "Person"),
        "preferredUsername": account.username,
        "name": account.display_name,
        "summary": account.note_html,
        "_misskey_summary": account.note,
        "url": urls.profile_url(settings, account),
        "manuallyApprovesFollowers": account.locked,
        "discoverable": bool(account.discoverable),
        "indexable": account.indexable,
        "memorial": account.memorial,
        "isCat": account.is_cat,
        "published": text_date(account.created_at),
        "inbox": f"{uri}/inbox",
        "outbox": f"{uri}/outbox",
        "followers": f"{uri}/followers",
        "following": f"{uri}/following",
        "featured": f"{uri}/collections/featured",
        "featuredTags": f"{uri}/collections/tags",
        "endpoints": {"sharedInbox": f"{settings.base_url}/inbox"},
        "publicKey": {
            "id": actor_keys.key_id(settings, account),
            "owner": uri,
            "publicKeyPem": public_key_pem,
        },
        "attachment": [
            {"type": "PropertyValue", "name": f.name, "value": f.value_html or f.value}
            for f in account.fields
        ],
        "tag": [],
        "alsoKnownAs": list(account.also_known_as),
    }
    if extras.moved_to_uri:
        doc["movedTo"] = extras.moved_to_uri
    if extras.followed_message:
        doc["_misskey_followedMessage"] = extras.followed_message
    for key, kind in (("icon", "avatar"), ("image", "header")):
        image = _image(settings, account, kind)
        if image is not None:
            doc[key] = image
    return doc


def instance_actor(settings: Settings) -> dict[str, Any]:
    """The server's own actor (it signs fetches made on nobody's behalf)."""
    uri = actor_keys.instance_actor_uri(settings)
    return {
        "@context": CONTEXT,
        "id": uri,
        "type": "Application",
        "preferredUsername": settings.domain.split(":")[0],
        "name": settings.instance_title,
        "url": f"{settings.base_url}/about/more?instance_actor=true",
        "manuallyApprovesFollowers": True,
        "inbox": f"{uri}/inbox",
        "outbox": f"{uri}/outbox",
        "endpoints": {"sharedInbox": f"{settings.base_url}/inbox"},
        "publicKey": {
            "id": actor_keys.instance_key_id(settings),
            "owner": uri,
            "publicKeyPem": actor_keys.instance_public_key(settings),
        },
    }


def text_date(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def _audience(
    settings: Settings, author: Account, status: Status, mentioned: list[Account]
) -> tuple[list[str], list[str]]:
    followers = f"{actor_uri(settings, author)}/followers"
    mention_uris = [urls.actor_uri(settings, a) for a in mentioned]
    if status.visibility == "public":
        return [PUBLIC], [followers, *mention_uris]
    if status.visibility == "unlisted":
        return [followers], [PUBLIC, *mention_uris]
    if status.visibility == "private":
        return [followers], mention_uris
    return mention_uris, []


def note(
    settings: Settings,
    status: Status,
    author: Account,
    mentioned: list[Account],
    parent_uri: str | None,
    poll: Poll | None = None,
) -> dict[str, Any]:
    """A post as a Note (its author's server's view: every field, whoever reads it)."""
    to, cc = _audience(settings, author, status, mentioned)
    doc: dict[str, Any] = {
        "id": urls.note_uri(settings, author, status),
        "type": "Note",
        "summary": status.spoiler_text or None,
        "inReplyTo": parent_uri,
        "published": text_date(status.created_at),
        "url": urls.note_url(settings, author, status),
        "attributedTo": actor_uri(settings, author),
        "to": to,
        "cc": cc,
        "sensitive": status.sensitive,
        "content": status.content,
        "_misskey_content": status.text,
        "source": {"content": status.text, "mediaType": "text/plain"},
        "attachment": [
            {
                "type": "Document",
                "mediaType": m.file.content_type,
                "url": urls.file_url(settings, m.file.path),
                "name": m.description or None,
                "blurhash": m.blurhash,
                **({"width": m.file.width, "height": m.file.height} if m.file.width else {}),
            }
            for m in status.media
        ],
        "tag": [
            *(
                {
                    "type": "Mention",
                    "href": urls.actor_uri(settings, a),
                    "name": f"@{a.acct() if not a.local else a.username + '@' + settings.domain}",
                }
                for a in mentioned
            ),
            *(
                {"type": "Hashtag", "href": urls.tag_url(settings, t), "name": f"#{t}"}
                for t in status.tags
            ),
        ],
    }
    if poll is not None:  # a Question: its choices with their counts, and its end
        doc["type"] = "Question"
        doc["anyOf" if poll.multiple else "oneOf"] = [
            {
                "type": "Note",
                "name": option,
                "replies": {"type": "Collection", "totalItems": count},
            }
            for option, count in zip(
                poll.options, poll.counts or [0] * len(poll.options), strict=False
            )
        ]
        doc["votersCount"] = poll.voters
        if poll.expires_at is not None:
            doc["endTime"] = text_date(poll.expires_at)
        if poll.ended_at is not None:
            doc["closed"] = text_date(poll.ended_at)
    if status.language:
        doc["contentMap"] = {status.language: status.content}
    if status.edited_at:
        doc["updated"] = text_date(status.edited_at)
    return doc


def activity(
    settings: Settings,
    kind: str,
    actor: Account,
    obj: Any,
    *,
    activity_id: str,
    to: list[str] | None = None,
    cc: list[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "id": activity_id,
        "type": kind,
        "actor": actor_uri(settings, actor),
        "object": obj,
    }
    if to is not None:
        doc["to"] = to
    if cc is not None:
        doc["cc"] = cc
    doc.update(extra or {})
    return doc


def collection(
    uri: str, total: int, items: list[Any] | None = None, *, first: str | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "id": uri,
        "type": "OrderedCollection",
        "totalItems": total,
    }
    if first is not None:
        doc["first"] = first
    if items is not None:
        doc["orderedItems"] = items
    return doc


def collection_page(
    uri: str, part_of: str, items: list[Any], next_page: str | None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "id": uri,
        "type": "OrderedCollectionPage",
        "partOf": part_of,
        "orderedItems": items,
    }
    if next_page is not None:
        doc["next"] = next_page
    return doc


def note_of(settings: Settings, parts: NoteParts) -> dict[str, Any]:
    """`note` of what core's note_parts found."""
    return note(settings, parts.status, parts.author, parts.mentioned, parts.parent_uri, parts.poll)


def create_of(note_doc: dict[str, Any], *, context: bool) -> dict[str, Any]:
    """The Create activity of a Note (its id is the note's with `/activity`)."""
    doc: dict[str, Any] = {"@context": CONTEXT} if context else {}
    doc.update(
        {
            "id": f"{note_doc['id']}/activity",
            "type": "Create",
            "actor": note_doc["attributedTo"],
            "published": note_doc["published"],
            "to": note_doc["to"],
            "cc": note_doc["cc"],
            "object": note_doc,
        }
    )
    return doc
