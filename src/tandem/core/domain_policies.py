"""Moderation of other servers: the operator's domain blocks (silence, suspend, or noop with
reject flags), the allow-list of `federation_mode = "allowlist"`, and what federation asks of
them (`policy_for`: may this host's inbox post, may we fetch from it, deliver to it).

A block of example.org covers every subdomain (sub.example.org) unless the subdomain has a
block of its own: the most specific one wins, as in Mastodon. Hosts compare lower-case, in
IDNA (ASCII) form, without their port.

Suspending a domain, in the same transaction as the block: each of its accounts (accounts on
the domain or a subdomain the block governs) gets `suspended_at` set to the block's creation
moment, and the follows and follow requests between them and local accounts end (counters,
endorsements and list memberships as an unfollow leaves them). Lifting the suspension (the
block removed, or changed to silence/noop) clears `suspended_at` of the accounts whose moment
is the block's, so an account an admin suspended on its own at another moment stays
suspended; the follows do not come back (as Mastodon).

`policy_for` runs one or two indexed lookups and caches nothing, so a change from the CLI (in
another process) applies to the next activity.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from tandem.config import Settings
from tandem.core import caller_cache, clock, home_feeds
from tandem.core.domain_blocks import normalize
from tandem.core.errors import DomainError, ValidationFailed
from tandem.core.ids import new_id
from tandem.core.models import Account
from tandem.store import accounts as account_store
from tandem.store import domain_policies as store
from tandem.store import endorsements, follows
from tandem.store import lists as list_store
from tandem.store.db import Conn, Database
from tandem.store.domain_policies import DomainAllow, DomainBlock

__all__ = [
    "SEVERITIES",
    "BlockOutcome",
    "DomainAllow",
    "DomainBlock",
    "DomainPolicy",
    "OwnDomain",
    "PublicBlock",
    "Severity",
    "allow_domain",
    "allowed_domains",
    "block_domain",
    "blocks",
    "disallow_domain",
    "host_of",
    "peers",
    "policy_for",
    "public_blocks",
    "unblock_domain",
]

Severity = Literal["silence", "suspend", "noop"]
SEVERITIES: tuple[Severity, ...] = ("silence", "suspend", "noop")
Visibility = Literal["disabled", "users", "all"]


class OwnDomain(DomainError):
    """This server's own domain cannot be blocked or listed (the CLI says so)."""


@dataclass(frozen=True)
class DomainPolicy:
    """What federation does with one host."""

    domain: str  # the host, normalized (lower-case IDNA, no port)
    severity: Literal["none", "silence", "suspend"]
    reject_media: bool
    reject_reports: bool
    allowed: bool  # False when federation_mode is allowlist and the host is not listed

    @property
    def refused(self) -> bool:
        """Suspended, or not allowed: no inbox, no fetch, no delivery."""
        return self.severity == "suspend" or not self.allowed


@dataclass(frozen=True)
class BlockOutcome:
    block: DomainBlock | None  # the block as it is now (None once removed)
    created: bool  # the domain had no block before
    suspended: int  # accounts this change suspended
    unsuspended: int  # accounts this change lifted


@dataclass(frozen=True)
class PublicBlock:
    """A block as `/api/v1/instance/domain_blocks` shows it (Mastodon's DomainBlock)."""

    domain: str  # obfuscated when the block says so
    digest: str  # sha256 hex of the real domain
    severity: Literal["silence", "suspend"]
    comment: str | None


def host_of(raw: str) -> str | None:
    """The host of a domain as federation names it (`Example.org:8443`, `bücher.example`):
    lower-case IDNA without its port; None when it is no domain name (an IPv6 literal,
    garbage), which no block can name."""
    text = raw.strip()
    if text.startswith("["):
        return None
    host, _, port = text.partition(":")
    if port and not port.isdigit():
        return None
    try:
        return normalize(host)
    except ValidationFailed:
        return None


def _variants(host: str) -> list[str]:
    """The host and each parent domain: a.b.example → a.b.example, b.example, example."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


def _is_own(settings: Settings, domain: str) -> bool:
    """Whether a domain (with its port, if any) is this server's: a host serving
    several instances on other ports (a development machine) stays blockable."""
    return domain.strip().rstrip(".").lower() == settings.domain.lower()


async def policy_for(db: Database, settings: Settings, domain: str) -> DomainPolicy:
    """The policy for a remote host (a port is ignored). Never raises for a bad name."""
    host = host_of(domain)
    allowlist = settings.federation_mode == "allowlist"
    if host is None:
        return DomainPolicy(domain.strip().lower(), "none", False, False, not allowlist)
    if _is_own(settings, domain):
        return DomainPolicy(host, "none", False, False, True)
    return await caller_cache.domain_policy(
        db, host, allowlist, lambda: _read_policy(db, host, allowlist)
    )


async def _read_policy(db: Database, host: str, allowlist: bool) -> DomainPolicy:
    variants = _variants(host)
    async with db.read() as conn:
        block = await store.most_specific_block(conn, variants)
        allowed = not allowlist or await store.is_allowed(conn, variants)
    if block is None:
        return DomainPolicy(host, "none", False, False, allowed)
    severity: Literal["none", "silence", "suspend"] = (
        "none"
        if block.severity == "noop"
        else "suspend"
        if block.severity == "suspend"
        else "silence"
    )
    return DomainPolicy(host, severity, block.reject_media, block.reject_reports, allowed)


def _checked(settings: Settings, raw: str) -> str:
    domain = normalize(raw)
    if _is_own(settings, domain):
        raise OwnDomain()
    return domain


async def _governing(conn: Conn, domain_keys: Sequence[str]) -> dict[str, DomainBlock | None]:
    """The block that governs each accounts' domain now."""
    found: dict[str, DomainBlock | None] = {}
    for key in domain_keys:
        host = host_of(key)
        found[key] = await store.most_specific_block(conn, _variants(host)) if host else None
    return found


def _suspension(block: DomainBlock | None) -> datetime | None:
    """The moment a block suspends its accounts at: its creation (None: it suspends none)."""
    return block.created_at if block is not None and block.severity == "suspend" else None


async def _apply(
    conn: Conn,
    before: dict[str, DomainBlock | None],
    after: dict[str, DomainBlock | None],
) -> tuple[int, int]:
    """Suspend and lift the accounts whose governing suspension changed; (suspended, lifted)."""
    now = clock.now()
    lifted: list[tuple[Account, datetime | None]] = []  # account, its new moment
    suspending: list[tuple[Account, datetime]] = []
    for key in before:
        was, will = _suspension(before[key]), _suspension(after[key])
        if was == will:
            continue
        if was is not None:
            # Moved to another block's moment, or lifted.
            lifted += [(a, will) for a in await store.accounts_on(conn, [key], suspended_at=was)]
        if will is not None:
            fresh = await store.accounts_on(conn, [key], suspended_at=None)
            suspending += [(a, will) for a in fresh]
    if suspending:
        await _end_relations(conn, [a.id for a, _ in suspending])
    for account, moment in [*lifted, *suspending]:
        await account_store.set_suspended(conn, account, moment, now)
    return len(suspending), sum(1 for _, m in lifted if m is None)


async def _apply_silence(
    conn: Conn, governing: dict[str, DomainBlock | None], now: datetime
) -> None:
    """The accounts of domains a silence governs are silenced; the others are not."""
    silenced = [k for k, b in governing.items() if b is not None and b.severity == "silence"]
    await account_store.set_silenced_on(conn, silenced, now)
    await account_store.set_silenced_on(conn, [k for k in governing if k not in silenced], None)


async def _end_relations(conn: Conn, remote_ids: list[int]) -> None:
    """End the follows and follow requests between these accounts and local ones, with
    what hangs on a follow, counters right. The accounts are locked in ascending id order
    first (the store's one lock order), with the local ones on the other side."""
    pairs = await store.follows_with_local(conn, remote_ids)
    requests = await store.requests_with_local(conn, remote_ids)
    involved = {*remote_ids, *(i for p in pairs | requests for i in p)}
    await account_store.lock_accounts(conn, *sorted(involved))
    # Read again under the locks: a follow made meanwhile ends too.
    pairs = await store.follows_with_local(conn, remote_ids)
    requests = await store.requests_with_local(conn, remote_ids)
    late = {i for p in pairs | requests for i in p} - involved
    if late:
        await account_store.lock_accounts(conn, *sorted(late))
    remote = set(remote_ids)
    for follower, followed in sorted(pairs):
        if not await follows.remove(conn, follower, followed):
            continue
        for account_id in sorted((follower, followed)):
            if account_id == follower:
                await account_store.adjust_counts(conn, follower, following=-1)
            else:
                await account_store.adjust_counts(conn, followed, followers=-1)
        await endorsements.remove(conn, follower, followed)
        await list_store.drop_member_from_lists_of(conn, follower, followed)
        if follower not in remote:  # a local home feed drops the account's posts
            await home_feeds.on_relationship_changed(conn, follower, followed)
    for requester, target in sorted(requests):
        await follows.take_request(conn, requester, target)


async def block_domain(
    db: Database,
    settings: Settings,
    raw: str,
    *,
    severity: Severity = "silence",
    reject_media: bool = False,
    reject_reports: bool = False,
    public_comment: str | None = None,
    private_comment: str | None = None,
    obfuscate: bool = False,
) -> BlockOutcome:
    """Block a domain, or set an existing block to these values."""
    domain = _checked(settings, raw)
    now = clock.now()
    async with db.write() as conn:
        keys = await store.account_domains_under(conn, domain)
        before = await _governing(conn, keys)
        existing = await store.block_of(conn, domain)
        block = DomainBlock(
            id=existing.id if existing else new_id(),
            domain=domain,
            severity=severity,
            reject_media=reject_media,
            reject_reports=reject_reports,
            private_comment=private_comment or None,
            public_comment=public_comment or None,
            obfuscate=obfuscate,
            created_at=existing.created_at if existing else now,
            updated_at=now,
        )
        created = existing is None and await store.add_block(conn, block)
        if not created:
            await store.replace_block(conn, block)
            block = await store.block_of(conn, domain) or block
        after = await _governing(conn, keys)
        suspended, lifted = await _apply(conn, before, after)
        await _apply_silence(conn, after, now)
    return BlockOutcome(block, created, suspended, lifted)


async def unblock_domain(db: Database, settings: Settings, raw: str) -> BlockOutcome | None:
    """Remove a domain's block; None when it had none."""
    domain = normalize(raw)
    async with db.write() as conn:
        keys = await store.account_domains_under(conn, domain)
        before = await _governing(conn, keys)
        if await store.remove_block(conn, domain) is None:
            return None
        after = await _governing(conn, keys)
        suspended, lifted = await _apply(conn, before, after)
        await _apply_silence(conn, after, clock.now())
    return BlockOutcome(None, False, suspended, lifted)


async def blocks(db: Database) -> list[DomainBlock]:
    """Every block, by domain (the operator's list)."""
    async with db.read() as conn:
        return await store.all_blocks(conn)


def _obfuscated(domain: str) -> str:
    """Middle characters hidden as Mastodon shows an obfuscated block: a quarter of the
    length stays visible at each end, dots stay."""
    keep = len(domain) // 4
    return "".join(
        c if i <= keep or i >= len(domain) - keep or c == "." else "*" for i, c in enumerate(domain)
    )


def _shown(visibility: str, signed_in: bool) -> bool:
    return visibility == "all" or (visibility == "users" and signed_in)


def domain_blocks_visible(settings: Settings, signed_in: bool) -> bool:
    """Whether `show_domain_blocks` lets this caller see the list."""
    return _shown(settings.show_domain_blocks, signed_in)


async def public_blocks(db: Database, settings: Settings, signed_in: bool) -> list[PublicBlock]:
    """The blocks users see (silence and suspend; noop ones limit nothing they see), the
    suspensions first, then by domain; comments only as `show_domain_blocks_rationale` says."""
    with_comment = _shown(settings.show_domain_blocks_rationale, signed_in)
    shown = [b for b in await blocks(db) if b.severity in ("silence", "suspend")]
    shown.sort(key=lambda b: (b.severity != "suspend", b.domain))
    return [
        PublicBlock(
            domain=_obfuscated(b.domain) if b.obfuscate else b.domain,
            digest=hashlib.sha256(b.domain.encode()).hexdigest(),
            severity="suspend" if b.severity == "suspend" else "silence",
            comment=b.public_comment if with_comment else None,
        )
        for b in shown
    ]


async def peers(db: Database) -> list[str]:
    """The domains of known remote accounts, sorted, without the suspended ones."""
    async with db.read() as conn:
        domains = await store.account_domains(conn)
        by_domain = {b.domain: b for b in await store.all_blocks(conn)}
    if not any(b.severity == "suspend" for b in by_domain.values()):
        return domains
    shown = []
    for key in domains:
        host = host_of(key)
        # The most specific block governs: a subdomain's own block overrides its parent's.
        variants = _variants(host) if host is not None else []
        governing = next((by_domain[d] for d in variants if d in by_domain), None)
        if _suspension(governing) is None:
            shown.append(key)
    return shown


async def allow_domain(db: Database, settings: Settings, raw: str) -> tuple[str, bool]:
    """Put a domain on the allow-list; (domain, whether it was not there)."""
    domain = _checked(settings, raw)
    async with db.write() as conn:
        return domain, await store.add_allow(conn, domain, clock.now())


async def disallow_domain(db: Database, raw: str) -> tuple[str, bool]:
    """Take a domain off the allow-list; (domain, whether it was there)."""
    domain = normalize(raw)
    async with db.write() as conn:
        return domain, await store.remove_allow(conn, domain)


async def allowed_domains(db: Database) -> list[DomainAllow]:
    async with db.read() as conn:
        return await store.all_allows(conn)
