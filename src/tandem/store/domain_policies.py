"""Queries on the server's policies for other servers: domain blocks (silence, suspend,
noop with reject flags), the allow-list, and the remote accounts and follows a domain's
suspension reaches.

Domains arrive normalized (lower-case IDNA, no port) from core/domain_policies.py; accounts
keep their domain as federation stored it (`domain_key`, lower-case, maybe with a port).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Table, and_, delete, func, or_, select, update

from tandem.core.ids import new_id
from tandem.core.models import Account
from tandem.store import accounts as account_store
from tandem.store.db import AnyRow, Conn
from tandem.store.generations import domain_policies_changed
from tandem.store.schema import accounts, domain_allows, domain_policies, follow_requests, follows
from tandem.store.writes import insert_new

_T = TypeVar("_T")
# Ids per IN list: far below either backend's limit of bound parameters.
_CHUNK = 500


@dataclass(frozen=True)
class DomainBlock:
    """One row of `domain_policies`."""

    id: int
    domain: str
    severity: str  # silence, suspend or noop
    reject_media: bool
    reject_reports: bool
    private_comment: str | None
    public_comment: str | None
    obfuscate: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DomainAllow:
    domain: str
    created_at: datetime


def _block(row: AnyRow) -> DomainBlock:
    m = row._mapping
    return DomainBlock(**{k: m[k] for k in DomainBlock.__dataclass_fields__})


def _chunks(ids: Sequence[_T]) -> Iterable[Sequence[_T]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


async def block_of(conn: Conn, domain: str) -> DomainBlock | None:
    found = await conn.execute(select(domain_policies).where(domain_policies.c.domain == domain))
    row = found.first()
    return _block(row) if row is not None else None


async def most_specific_block(conn: Conn, variants: Sequence[str]) -> DomainBlock | None:
    """The block of the longest of these domains (a host and its parent domains)."""
    found = await conn.execute(
        select(domain_policies)
        .where(domain_policies.c.domain.in_(variants))
        .order_by(func.length(domain_policies.c.domain).desc())
        .limit(1)
    )
    row = found.first()
    return _block(row) if row is not None else None


async def blocks_under(conn: Conn, domain: str) -> list[DomainBlock]:
    """The blocks of the domain's subdomains (its own excluded)."""
    found = await conn.execute(
        select(domain_policies).where(domain_policies.c.domain.like(f"%.{domain}"))
    )
    return [_block(r) for r in found]


async def all_blocks(conn: Conn) -> list[DomainBlock]:
    """Every block, by domain."""
    found = await conn.execute(select(domain_policies).order_by(domain_policies.c.domain))
    return [_block(r) for r in found]


async def add_block(conn: Conn, block: DomainBlock) -> bool:
    """Create the block; False (nothing written) when the domain has one already."""
    domain_policies_changed()
    return await insert_new(
        conn,
        domain_policies,
        {k: getattr(block, k) for k in DomainBlock.__dataclass_fields__},
        on=["domain"],
    )


async def replace_block(conn: Conn, block: DomainBlock) -> None:
    """Overwrite the domain's block with these values (its id and creation stay)."""
    domain_policies_changed()
    values = {
        k: getattr(block, k)
        for k in DomainBlock.__dataclass_fields__
        if k not in ("id", "domain", "created_at")
    }
    await conn.execute(
        update(domain_policies).where(domain_policies.c.domain == block.domain).values(**values)
    )


async def remove_block(conn: Conn, domain: str) -> DomainBlock | None:
    """Delete the domain's block; the row, if this call deleted it."""
    domain_policies_changed()
    found = await conn.execute(
        delete(domain_policies)
        .where(domain_policies.c.domain == domain)
        .returning(*domain_policies.c)
    )
    row = found.first()
    return _block(row) if row is not None else None


async def is_allowed(conn: Conn, variants: Sequence[str]) -> bool:
    """Whether one of these domains (a host and its parent domains) is on the allow-list."""
    found = await conn.execute(
        select(domain_allows.c.id).where(domain_allows.c.domain.in_(variants)).limit(1)
    )
    return found.first() is not None


async def add_allow(conn: Conn, domain: str, now: datetime) -> bool:
    domain_policies_changed()
    return await insert_new(
        conn,
        domain_allows,
        {"id": new_id(), "domain": domain, "created_at": now},
        on=["domain"],
    )


async def remove_allow(conn: Conn, domain: str) -> bool:
    domain_policies_changed()
    found = await conn.execute(
        delete(domain_allows).where(domain_allows.c.domain == domain).returning(domain_allows.c.id)
    )
    return found.first() is not None


async def all_allows(conn: Conn) -> list[DomainAllow]:
    found = await conn.execute(
        select(domain_allows.c.domain, domain_allows.c.created_at).order_by(domain_allows.c.domain)
    )
    return [DomainAllow(r.domain, r.created_at) for r in found]


async def account_domains_under(conn: Conn, domain: str) -> list[str]:
    """The distinct `domain_key`s of accounts on the domain or a subdomain, any port."""
    key = accounts.c.domain_key
    found = await conn.execute(
        select(key)
        .where(
            or_(
                key == domain,
                key.like(f"{domain}:%"),
                key.like(f"%.{domain}"),
                key.like(f"%.{domain}:%"),
            )
        )
        .distinct()
    )
    return [r[0] for r in found]


async def account_domains(conn: Conn) -> list[str]:
    """The distinct domains of known remote accounts, sorted."""
    key = accounts.c.domain_key
    found = await conn.execute(select(key).where(key != "").distinct().order_by(key))
    return [r[0] for r in found]


async def accounts_on(
    conn: Conn, domain_keys: Sequence[str], *, suspended_at: datetime | None
) -> list[Account]:
    """The accounts of these domains (`domain_key`s) not suspended (None), or suspended at
    exactly that moment (a domain block's)."""
    state = (
        accounts.c.suspended_at.is_(None)
        if suspended_at is None
        else accounts.c.suspended_at == suspended_at
    )
    found: list[Account] = []
    for part in _chunks(list(domain_keys)):
        rows = await conn.execute(
            select(accounts).where(accounts.c.domain_key.in_(part), state).order_by(accounts.c.id)
        )
        found += [account_store.from_mapping(r._mapping) for r in rows]
    return found


async def _local_pairs(conn: Conn, table: Table, remote_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(account, target) rows of a pair table between a local account and one of these."""
    local = select(accounts.c.id).where(accounts.c.domain.is_(None))
    pairs: set[tuple[int, int]] = set()
    for part in _chunks(list(remote_ids)):
        rows = await conn.execute(
            select(table.c.account_id, table.c.target_account_id).where(
                or_(
                    and_(table.c.account_id.in_(part), table.c.target_account_id.in_(local)),
                    and_(table.c.target_account_id.in_(part), table.c.account_id.in_(local)),
                )
            )
        )
        pairs.update((r[0], r[1]) for r in rows)
    return pairs


async def follows_with_local(conn: Conn, remote_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(follower, followed) follows between these remote accounts and local ones, both ways."""
    return await _local_pairs(conn, follows, remote_ids)


async def requests_with_local(conn: Conn, remote_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(requester, target) pending follow requests between these and local accounts."""
    return await _local_pairs(conn, follow_requests, remote_ids)
