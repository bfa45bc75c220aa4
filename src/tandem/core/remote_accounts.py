"""Remote accounts: kept from the actor documents other servers publish, in the same table
as local ones, so both dialects show them as they show local accounts."""

from __future__ import annotations

from typing import Any

from tandem.core import clock
from tandem.core.federation_models import RemoteActor
from tandem.core.models import Account, ImageRef, ProfileField
from tandem.store import accounts as account_store
from tandem.store import federation as store
from tandem.store.accounts import fields_to_json, image_to_json
from tandem.store.db import Database


def _image(url: str | None) -> ImageRef | None:
    # A remote image is referenced where its server keeps it (core/urls.file_url).
    return ImageRef(path=url, content_type="image/*") if url else None


def _values(actor: RemoteActor) -> dict[str, Any]:
    values: dict[str, Any] = {
        "uri": actor.uri,
        "url": actor.url or actor.uri,
        "username": actor.username,
        "domain": actor.domain,
        "actor_type": actor.actor_type,
        "display_name": actor.display_name,
        "note": actor.summary_text,
        "note_html": actor.summary_html,
        "fields": fields_to_json(
            ProfileField(f.name, f.value_text, value_html=f.value_html) for f in actor.fields
        ),
        "locked": actor.locked,
        "bot": actor.bot,
        "is_group": actor.actor_type == "Group",
        "discoverable": actor.discoverable,
        "indexable": actor.indexable,
        "memorial": actor.memorial,
        "is_cat": actor.is_cat,
        "avatar": image_to_json(_image(actor.icon_url)),
        "header": image_to_json(_image(actor.image_url)),
        "inbox_url": actor.inbox,
        "shared_inbox_url": actor.shared_inbox,
        "outbox_url": actor.outbox,
        "followers_url": actor.followers,
        "following_url": actor.following,
        "featured_url": actor.featured,
        "also_known_as": list(actor.also_known_as),
    }
    counts = {
        "followers_count": actor.followers_count,
        "following_count": actor.following_count,
        "statuses_count": actor.statuses_count,
    }
    values.update({k: v for k, v in counts.items() if v is not None})
    return values


async def save(db: Database, actor: RemoteActor, *, silenced: bool = False) -> Account:
    """Create or refresh the account of a remote actor (and its public key); `silenced`
    when its server is (domain policies)."""
    now = clock.now()
    async with db.write() as conn:
        account_id = await account_store.save_remote_account(
            conn,
            {**_values(actor), "silenced_at": now if silenced else None},
            now,
            created_at=min(actor.published or now, now),
        )
        if actor.key_id and actor.public_key_pem:
            await store.save_remote_key(conn, account_id, actor.key_id, actor.public_key_pem, now)
        if actor.moved_to:
            target = await store.account_by_uri(conn, actor.moved_to)
            await account_store.set_moved_to(conn, account_id, target.id if target else None)
        account = await account_store.get(conn, account_id)
    assert account is not None
    return account


async def by_uri(db: Database, uri: str) -> Account | None:
    async with db.read() as conn:
        return await store.account_by_uri(conn, uri)


async def by_handle(db: Database, username: str, domain: str) -> Account | None:
    async with db.read() as conn:
        return await account_store.by_username(conn, username, domain)
