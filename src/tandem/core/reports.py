"""Reports: a user tells this server's moderators about an account (and some of its posts).

Both dialects file them (Mastodon `POST /api/v1/reports`, Misskey `users/report-abuse`), and
other servers send theirs as Flag activities (federation/inbox_jobs.py). A report of a remote
account may be forwarded to its server: a Flag sent by this server's instance actor, as
Mastodon forwards reports (anonymously). The moderation queue that reads and resolves them
comes on top of this (issue 13).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from tandem.config import Settings
from tandem.core import clock, federation_outbox, urls
from tandem.core.errors import Errors, Forbidden, NotFound
from tandem.core.i18n import Text, too_long
from tandem.core.ids import new_id, parse_id
from tandem.core.models import Account, Status
from tandem.core.statuses import can_see
from tandem.store import accounts as account_store
from tandem.store import federation as federation_store
from tandem.store import reports as store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database
from tandem.store.reports import Report

__all__ = ["CATEGORIES", "Category", "Filed", "Report", "about", "file", "get", "received"]

Category = Literal["spam", "legal", "violation", "other"]
CATEGORIES: tuple[Category, ...] = get_args(Category)
MAX_COMMENT = 1000  # Mastodon's limit for its own users
MISSKEY_MAX_COMMENT = 2048  # Misskey's (users/report-abuse)
MAX_RECEIVED_COMMENT = 5000  # what Mastodon keeps of a Flag's content
MAX_STATUSES = 100  # posts attached to one report (more is not evidence, it is a flood)
# The ids of this server's rules (Mastodon's /api/v1/instance/rules): tandem has none yet,
# so a `violation` report cannot name one and is refused, as Mastodon refuses a report that
# names no valid rule.
RULE_IDS: frozenset[int] = frozenset()
ADMIN_ROLES = frozenset({"admin", "owner"})  # whom Misskey's report-abuse refuses to report

INVALID_RULES = Text("does not reference valid rules")
INVALID_STATUSES = Text("must be posts of the reported account")


@dataclass(frozen=True)
class Filed:
    """A report as its reporter sees it, with the reported account."""

    report: Report
    target: Account


def _ids(raw: Sequence[str | int]) -> list[int] | None:
    """Ids as sent; None when one of them cannot be an id."""
    found = [parse_id(v) for v in raw]
    if any(i is None for i in found):
        return None
    return sorted({i for i in found if i is not None})


def _category_and_rules(
    errors: Errors, category: str | None, rule_ids: Sequence[str | int]
) -> tuple[Category, list[int]]:
    """Naming rules makes a report a violation (as Mastodon decides); a violation must name
    rules of this server's, and only those."""
    rules = _ids(rule_ids)
    chosen = "violation" if rule_ids else (category or "other")
    if chosen not in CATEGORIES:
        errors.add("category", "inclusion", "is not included in the list")
        return "other", []
    picked = _category(chosen)
    if picked == "violation" and (not rules or not set(rules) <= RULE_IDS):
        errors.add("rule_ids", "invalid", INVALID_RULES)
    return picked, rules or []


def _category(value: str) -> Category:
    for known in CATEGORIES:
        if known == value:
            return known
    return "other"


async def file(
    db: Database,
    reporter: Account,
    target_id: int | None,
    *,
    comment: str | None = None,
    category: str | None = None,
    status_ids: Sequence[str | int] = (),
    rule_ids: Sequence[str | int] = (),
    forward: bool = False,
    forward_to_domains: Sequence[str] | None = None,
    refuse_self_and_admins: bool = False,
    max_comment: int = MAX_COMMENT,
) -> Filed:
    """A local user reports an account, attaching some of its posts they can see.

    `forward`: a report of a remote account goes to its server too (when
    `forward_to_domains`, if given, names that server). `refuse_self_and_admins`: Misskey's
    rules, under which nobody reports themselves or an administrator (`max_comment`: its
    longer comments too)."""
    errors = Errors()
    text = comment or ""
    if len(text) > max_comment:
        errors.add("comment", "too_long", too_long(max_comment))
    picked, rules = _category_and_rules(errors, category, rule_ids)
    wanted = _ids(status_ids)
    if wanted is None or len(wanted) > MAX_STATUSES:
        errors.add("status_ids", "invalid", INVALID_STATUSES)
    errors.raise_if_any()
    now = clock.now()
    async with db.write() as conn:
        target = await account_store.get_functional(conn, target_id) if target_id else None
        if target is None or target.suspended:
            raise NotFound("account")
        if refuse_self_and_admins and target.id == reporter.id:
            raise Forbidden(Text("Cannot report yourself."), code="CANNOT_REPORT_YOURSELF")
        if refuse_self_and_admins and target.role in ADMIN_ROLES:
            raise Forbidden(Text("Cannot report the admin."), code="CANNOT_REPORT_THE_ADMIN")
        found = await status_store.get_many(conn, wanted or [])
        attached = [found[i] for i in wanted or [] if i in found]
        if len(attached) != len(wanted or []) or not all(
            [s.account_id == target.id and await can_see(conn, reporter, s) for s in attached]
        ):
            errors.add("status_ids", "invalid", INVALID_STATUSES)
            errors.raise_if_any()
        forward = forward and not target.local
        domains = _domains(forward_to_domains, target)
        forwarded = forward and (target.domain or "").lower() in domains
        # As Mastodon: the servers of the accounts the reported posts reply to hear of it
        # too, when the reporter named them (by default only the target's own server).
        replied_to = await _replied_to(conn, attached, target, domains) if forward else []
        report = Report(
            id=new_id(),
            account_id=reporter.id,
            target_account_id=target.id,
            category=picked,
            comment=text,
            status_ids=[s.id for s in attached],
            rule_ids=rules,
            forwarded=forwarded,
            uri=None,
            assigned_account_id=None,
            action_taken_at=None,
            action_taken_by_account_id=None,
            created_at=now,
            updated_at=now,
        )
        await store.insert(conn, report)
        if forwarded or replied_to:
            await federation_outbox.reported(
                conn, reporter, target, report.id, to_origin=forwarded, replied_to=replied_to
            )
    return Filed(report, target)


def _domains(domains: Sequence[str] | None, target: Account) -> set[str]:
    """The servers the reporter chose to forward to (no choice: the target's own)."""
    chosen = [target.domain or ""] if domains is None else domains
    return {d.strip().lower().rstrip(".") for d in chosen if d.strip()}


async def _replied_to(
    conn: Conn, attached: Sequence[Status], target: Account, domains: set[str]
) -> list[int]:
    """The remote accounts, on the chosen servers, that the reported posts reply to."""
    ids = {s.in_reply_to_account_id for s in attached if s.in_reply_to_account_id}
    found = await account_store.get_many(conn, ids - {target.id})
    return sorted(a.id for a in found.values() if (a.domain or "").lower() in domains)


async def received(
    db: Database,
    settings: Settings,
    sender: Account,
    object_uris: Sequence[str],
    content: str,
    flag_uri: str | None,
) -> list[Report]:
    """A Flag from another server (its actor `sender`): one report per local account it
    names, with the named posts of that account the sender's server could have seen; and, as
    Mastodon does, one per remote account it names whose named posts (known here) reply to
    local accounts, citing those. A Flag delivered again stores nothing new."""
    account_ids: set[int] = set()
    status_ids: set[int] = set()
    others: list[str] = []
    for uri in object_uris:
        actor_id = urls.local_actor_id(settings, uri)
        status_id = urls.local_status_id(settings, uri)
        if actor_id is not None:
            account_ids.add(actor_id)
        elif status_id is not None:
            status_ids.add(status_id)
        else:
            others.append(uri)
    comment = content.replace("\x00", "")[:MAX_RECEIVED_COMMENT]
    now = clock.now()
    created: list[Report] = []
    async with db.write() as conn:
        for uri in others[: MAX_STATUSES + 1]:
            known = await federation_store.account_by_uri(conn, uri)
            if known is not None:
                account_ids.add(known.id)
            elif (found_id := await federation_store.status_id_by_uri(conn, uri)) is not None:
                status_ids.add(found_id)
        if not account_ids:
            return []
        targets = await account_store.get_many(conn, account_ids)
        found = await status_store.get_many(conn, status_ids)
        replied = await account_store.get_many(
            conn, {s.in_reply_to_account_id for s in found.values() if s.in_reply_to_account_id}
        )
        for target in sorted(targets.values(), key=lambda a: a.id):
            if target.suspended:
                continue
            statuses = sorted(
                (s for s in found.values() if s.account_id == target.id), key=lambda s: s.id
            )
            if target.local:
                cited = [s.id for s in statuses if await _citable(conn, sender, target, s)]
            else:  # a remote account: only for its replies to accounts of this server
                cited = [
                    s.id
                    for s in statuses
                    if (to := replied.get(s.in_reply_to_account_id or 0)) is not None and to.local
                ]
                if not cited:
                    continue
            report = Report(
                id=new_id(),
                account_id=sender.id,
                target_account_id=target.id,
                category="other",
                comment=comment,
                status_ids=cited,
                rule_ids=[],
                forwarded=False,
                uri=flag_uri,
                assigned_account_id=None,
                action_taken_at=None,
                action_taken_by_account_id=None,
                created_at=now,
                updated_at=now,
            )
            if await store.insert(conn, report):
                created.append(report)
    return created


async def _citable(conn: Conn, sender: Account, target: Account, status: Status) -> bool:
    """Whether the sender's server could have seen a post: public or unlisted, one that
    mentions someone there, or followers-only with followers there. (Its actor is often the
    server's instance actor, which follows nobody: the server is what counts.)"""
    if status.visibility in ("public", "unlisted"):
        return True
    domain = (sender.domain or "").lower()
    if any((m.domain or "").lower() == domain for m in status.mentions):
        return True
    return status.visibility == "private" and await store.has_follower_on(conn, target.id, domain)


async def get(db: Database, report_id: int) -> Report | None:
    async with db.read() as conn:
        return await store.get(conn, report_id)


async def about(db: Database, target_account_id: int) -> list[Report]:
    """The reports of an account, oldest first."""
    async with db.read() as conn:
        return await store.about(conn, target_account_id)


@dataclass(frozen=True)
class FlagParts:
    """What a forwarded report's Flag names: the report and its posts' ActivityPub ids."""

    report: Report
    status_uris: list[str]


async def flag_parts(db: Database, settings: Settings, report_id: int) -> FlagParts | None:
    async with db.read() as conn:
        report = await store.get(conn, report_id)
        if report is None:
            return None
        found = await status_store.get_many(conn, report.status_ids)
        authors = await account_store.get_many(conn, {s.account_id for s in found.values()})
    uris = [
        urls.note_uri(settings, authors[s.account_id], s)
        for i in report.status_ids
        if (s := found.get(i)) is not None and s.account_id in authors
    ]
    return FlagParts(report, uris)
