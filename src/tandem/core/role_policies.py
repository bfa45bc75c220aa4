"""Misskey's role policies per role: what the operator set (`tandem admin role-policy`), else
Misskey's defaults (core/RoleService.ts DEFAULT_POLICIES).

Only the policies tandem enforces can be set: the invitation ones. Administrators and owners
pass a policy check whatever their role's values say, as Misskey's administrators and its
root user do.

The whole table is a few rows: each worker keeps one copy per database, used while the
generation of `role_policies.CHANGED` is the one read before the copy was (a change from the
admin CLI bumps it: the running servers read the table again on their next request).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Literal, get_args
from weakref import WeakKeyDictionary

from tandem.core import clock
from tandem.core.errors import ValidationFailed
from tandem.core.i18n import Text, one_of
from tandem.core.models import RoleName
from tandem.store import role_policies as store
from tandem.store.db import Database
from tandem.store.generations import TrackedDatabase, recording

ROLES: tuple[RoleName, ...] = get_args(RoleName)
BYPASS: frozenset[RoleName] = frozenset({"admin", "owner"})
PolicyName = Literal["canInvite", "inviteLimit", "inviteLimitCycle", "inviteExpirationTime"]
MAX_MINUTES = 100 * 365 * 24 * 60  # a century: larger values are surely typos
MAX_COUNT = 1_000_000


@dataclass(frozen=True)
class RolePolicies:
    """One role's policies (Misskey's names in `NAMES`)."""

    can_invite: bool = False
    invite_limit: int = 0  # codes per cycle; 0: unlimited
    invite_limit_cycle: int = 7 * 24 * 60  # minutes
    invite_expiration_time: int = 0  # minutes a new code lasts; 0: it never expires


DEFAULTS = RolePolicies()


@dataclass(frozen=True)
class _Spec:
    attribute: str
    kind: type[bool] | type[int]
    minimum: int = 0
    maximum: int = MAX_COUNT


SPECS: dict[PolicyName, _Spec] = {
    "canInvite": _Spec("can_invite", bool),
    "inviteLimit": _Spec("invite_limit", int),
    "inviteLimitCycle": _Spec("invite_limit_cycle", int, 1, MAX_MINUTES),
    "inviteExpirationTime": _Spec("invite_expiration_time", int, 0, MAX_MINUTES),
}
NAMES: tuple[PolicyName, ...] = tuple(SPECS)
assert {s.attribute for s in SPECS.values()} == {f.name for f in fields(RolePolicies)}

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def value_of(policies: RolePolicies, name: PolicyName) -> bool | int:
    found: bool | int = getattr(policies, SPECS[name].attribute)
    return found


def _check_role(role: str) -> RoleName:
    for known in ROLES:
        if role == known:
            return known
    raise ValidationFailed.one("role", "inclusion", one_of(ROLES))


def _check_name(name: str) -> PolicyName:
    for known in NAMES:
        if name == known:
            return known
    raise ValidationFailed.one("name", "inclusion", one_of(NAMES))


def parse(name: str, raw: str) -> tuple[PolicyName, bool | int]:
    """A policy's name and value as the operator typed them, checked."""
    policy = _check_name(name)
    spec = SPECS[policy]
    given = raw.strip().lower()
    if spec.kind is bool:
        if given in _TRUE:
            return policy, True
        if given in _FALSE:
            return policy, False
        raise ValidationFailed.one("value", "invalid", Text("must be true or false"))
    try:
        number = int(given)
    except ValueError:
        raise ValidationFailed.one("value", "invalid", Text("must be a whole number")) from None
    if not spec.minimum <= number <= spec.maximum:
        raise ValidationFailed.one(
            "value",
            "inclusion",
            Text("must be from {low} to {high}", low=spec.minimum, high=spec.maximum),
        )
    return policy, number


def _apply(base: RolePolicies, values: dict[str, store.PolicyValue]) -> RolePolicies:
    changes: dict[str, Any] = {}  # attribute -> value, each checked against its spec
    by_name: dict[str, _Spec] = {name: spec for name, spec in SPECS.items()}
    for name, value in values.items():
        spec = by_name.get(name)
        if spec is not None and isinstance(value, spec.kind):
            changes[spec.attribute] = value  # a stored value of another type is ignored
    return replace(base, **changes)


@dataclass
class _Kept:
    seen: tuple[int, ...]
    table: dict[str, RolePolicies]


_kept: WeakKeyDictionary[Database, _Kept] = WeakKeyDictionary()
_KEYS = (store.CHANGED,)


async def _read(db: Database) -> dict[str, RolePolicies]:
    async with db.read() as conn:
        stored = await store.all_set(conn)
    return {role: _apply(DEFAULTS, stored.get(role, {})) for role in ROLES}


async def _table(db: Database) -> dict[str, RolePolicies]:
    if not isinstance(db, TrackedDatabase):
        return await _read(db)
    seen = await db.generations.read(_KEYS)
    kept = _kept.get(db)
    if kept is not None and kept.seen == seen:
        found = recording()
        if found is not None:  # a replayed answer shown with these policies ends with them
            found.note(_KEYS, seen)
        return kept.table
    table = await _read(db)
    _kept[db] = _Kept(seen, table)
    return table


async def of_role(db: Database, role: str) -> RolePolicies:
    """The policies of a role (an unknown role has the defaults)."""
    return (await _table(db)).get(role, DEFAULTS)


async def allows(db: Database, role: str, name: PolicyName) -> bool:
    """Whether an account of this role passes a boolean policy check (Misskey's
    `requiredRolePolicy`): administrators and owners always do."""
    if role in BYPASS:
        return True
    return bool(value_of(await of_role(db, role), name))


async def set_policies(
    db: Database, role: str, given: list[tuple[str, str]]
) -> list[tuple[PolicyName, bool | int]]:
    """Set policies of one role from the operator's text (name, value), all or none; the
    values now in force."""
    checked_role = _check_role(role)
    values = [parse(name, raw) for name, raw in given]
    async with db.write() as conn:
        now = clock.now()
        for policy, value in values:
            await store.put(conn, checked_role, policy, value, now)
    return values


async def reset_policy(db: Database, role: str, name: str | None) -> int:
    """Back to Misskey's default: one policy of the role, or all of them; how many values
    the operator had set went."""
    checked_role = _check_role(role)
    names: list[str] | None = None if name is None else [_check_name(name)]
    async with db.write() as conn:
        return await store.remove(conn, checked_role, names)


async def overview(
    db: Database, role: str | None
) -> list[tuple[RoleName, PolicyName, bool | int, bool]]:
    """(role, policy, value in force, set by the operator) for one role or every role."""
    roles = ROLES if role is None else (_check_role(role),)
    async with db.read() as conn:
        stored = await store.all_set(conn)
    rows = []
    for r in roles:
        policies = _apply(DEFAULTS, stored.get(r, {}))
        for name in NAMES:
            rows.append((r, name, value_of(policies, name), name in stored.get(r, {})))
    return rows
