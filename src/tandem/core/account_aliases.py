"""Account aliases (ActivityPub `alsoKnownAs`): the other accounts someone says are also
theirs, kept as actor URIs. A server that is asked to move followers to an account checks
that the new account names the old one here.

The dialect finds the accounts first (a remote handle needs WebFinger, which core cannot
do); core checks them and keeps their URIs.
"""

from __future__ import annotations

from collections.abc import Sequence

from tandem.config import Settings
from tandem.core import federation_outbox, urls
from tandem.core.errors import Forbidden, Unprocessable
from tandem.core.models import Account
from tandem.store import accounts as account_store
from tandem.store.db import Database

MAX_ALIASES = 10  # Misskey's limit


async def set_aliases(
    db: Database, settings: Settings, account: Account, targets: Sequence[Account]
) -> Account:
    """Replace the account's aliases with the targets' actor URIs (in order, each once).
    Naming oneself is refused (FORBIDDEN_TO_SET_YOURSELF); so are more than MAX_ALIASES, and
    any change once the account has moved (YOUR_ACCOUNT_MOVED, as Misskey)."""
    if account.moved_to_account_id is not None:
        raise Forbidden("You have moved your account.", code="YOUR_ACCOUNT_MOVED")
    uris: list[str] = []
    for target in targets:
        if target.id == account.id:
            raise Forbidden(
                "You can't set yourself as your own alias.", code="FORBIDDEN_TO_SET_YOURSELF"
            )
        uri = urls.actor_uri(settings, target)
        if uri and uri not in uris:
            uris.append(uri)
    if len(uris) > MAX_ALIASES:
        raise Unprocessable("Too many aliases.", code="TOO_MANY_ALIASES")
    async with db.write() as conn:
        await account_store.set_also_known_as(conn, account.id, uris)
        fresh = await account_store.get(conn, account.id)
        assert fresh is not None
        # Followers' servers learn the new aliases (Update of the actor).
        await federation_outbox.profile_updated(conn, fresh)
    return fresh


async def known_ids(db: Database, accounts: Sequence[Account]) -> dict[str, int]:
    """The stored remote accounts the given accounts' aliases name, by URI (aliases of this
    server are read from the URI itself: urls.local_actor_id). No query when none has one."""
    uris = {uri for a in accounts for uri in a.also_known_as}
    if not uris:
        return {}
    async with db.read() as conn:
        return await account_store.ids_by_uris(conn, sorted(uris))


def alias_ids(settings: Settings, account: Account, known: dict[str, int]) -> list[int] | None:
    """The ids of the accounts an account's aliases name (those this server knows), or None
    when it has no aliases (as Misskey shows them)."""
    if not account.also_known_as:
        return None
    found: list[int] = []
    for uri in account.also_known_as:
        account_id = urls.local_actor_id(settings, uri) or known.get(uri)
        if account_id is not None and account_id not in found:
            found.append(account_id)
    return found
