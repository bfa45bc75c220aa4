"""Every write to a row the per-worker caches hold bumps its generation (store/generations.py).

The caches (core/caller_cache.py) hold accounts, users, tokens, the count of follow
requests waiting for an account, unread notification counts and the relationship flags
between two accounts (the tables behind the last two need their own bumps: BUMPED_BY). This
reads the source of every module under src/tandem (its syntax tree, not by running it) and
finds each write to those tables:
`update(t)`, `delete(t)`, `insert(t)`, `t.update()`, `t.delete()`, `t.insert()`, a store helper
handed the table (`insert_new(conn, t, …)`, `pairs.remove(conn, t, …)`…) and SQL text naming
the table after UPDATE / INSERT INTO / DELETE FROM. Such a write must be in one of the store
modules that own the table, inside a function that also calls one of the `*_changed`
functions of store/generations.py. New rows need no bump (a miss is never cached), except a
new follow request, which changes a count.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "tandem"
# The writes to each table that change what is cached: a new account, user or token is not
# cached yet (misses never are), a new follow request changes a count, its options do not.
CHANGING = {
    "accounts": {"update", "delete"},
    "users": {"update", "delete"},
    "oauth_access_tokens": {"update", "delete"},
    "follow_requests": {"insert", "update", "delete"},  # a count; its options are flags
    "oauth_applications": {"update", "delete"},  # a cached caller holds its app
    "status_pins": {"insert", "delete"},  # an account's pinned ids
    # Unread badges: a notification's arrival, removal or reading (read_at).
    "notifications": {"insert", "update", "delete"},
    # The relationship flags between two accounts (store/relationship_flags.py reads these).
    "follows": {"insert", "update", "delete"},
    "blocks": {"insert", "update", "delete"},
    "mutes": {"insert", "update", "delete"},
    "account_pins": {"insert", "delete"},  # endorsements
    "account_notes": {"insert", "update", "delete"},
    # MeDetailed's unread announcements: any announcement written, or one of its reads.
    "announcements": {"insert", "update", "delete"},
    "announcement_reads": {"insert", "update", "delete"},
    # Each host's policy (core/domain_policies.py): blocks and the allow-list.
    "domain_policies": {"insert", "update", "delete"},
    "domain_allows": {"insert", "update", "delete"},
}
CACHED = set(CHANGING)
OWNERS = {
    "store/accounts.py",
    "store/users.py",
    "store/oauth.py",
    "store/follows.py",
    "store/statuses.py",  # pins
    "store/notifications.py",
    "store/notification_groups.py",
    "store/blocks.py",
    "store/mutes.py",
    "store/endorsements.py",  # endorsements and notes
    "store/announcements.py",
    "store/domain_policies.py",
}
BUMPS = {
    "accounts_changed",
    "tokens_changed",
    "everything_changed",
    "changed",
    "notifications_changed",
    "relations_changed",
    "domain_policies_changed",
}
# Tables whose caches only some bumps reach: a write to them must call one of these.
BUMPED_BY = {
    "notifications": {"notifications_changed", "everything_changed"},
    **{
        table: {"relations_changed", "everything_changed"}
        for table in ("follows", "follow_requests", "blocks", "mutes", "account_pins")
    },
    "account_notes": {"relations_changed", "everything_changed"},
    "announcement_reads": {"notifications_changed", "everything_changed"},
    **{
        table: {"domain_policies_changed", "everything_changed"}
        for table in ("domain_policies", "domain_allows")
    },
}
SKIPPED = ("store/schema.py", "store/generations.py", "store/migrations/")
# Helpers that write whatever table they are handed.
TABLE_WRITERS = {
    "insert_new": "insert",
    "insert_ignoring": "insert",
    "_add": "insert",
    "add": "insert",
    "add_pair": "insert",
    "remove": "delete",
    "delete_all_for": "delete",
    "_set_options": "update",
    "set_options": "update",
}
SQL_WRITE = re.compile(
    r"\b(UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+\"?(" + "|".join(sorted(CACHED)) + r")\b",
    re.IGNORECASE,
)


def _plain_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local names of schema tables imported under another name (`… import x as blocks`)."""
    return {
        alias.asname: alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "tandem.store.schema"
        for alias in node.names
        if alias.asname
    }


def _writes(tree: ast.AST, aliases: dict[str, str] | None = None) -> list[tuple[str, str, int]]:
    """(kind, table, line) of each write to a cached table inside `tree`."""
    renamed = aliases or {}

    def _name(node: ast.AST) -> str | None:
        found = _plain_name(node)
        return renamed.get(found, found) if found is not None else None

    found: list[tuple[str, str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for verb, table in SQL_WRITE.findall(node.value):
                kind = verb.split()[0].lower()
                found.append((kind, table.lower(), node.lineno))
        if not isinstance(node, ast.Call):
            continue
        callee = _plain_name(node.func)
        # `update(accounts)`, `sa.update(accounts)` (not a dict's `x.update(accounts)`)
        function = isinstance(node.func, ast.Name) or (
            isinstance(node.func, ast.Attribute)
            and _plain_name(node.func.value) in ("sa", "sqlalchemy")
        )
        if callee in ("update", "delete", "insert") and node.args and function:
            table = _name(node.args[0])
            if table in CACHED:
                found.append((callee, table, node.lineno))
        # `accounts.update()` or `schema.accounts.update()` (not a dict's `x.accounts.update(y)`)
        method = node.func if isinstance(node.func, ast.Attribute) else None
        if callee in ("update", "delete", "insert") and method is not None and not node.args:
            receiver = method.value
            table = _name(receiver)
            plain = isinstance(receiver, ast.Name) or (
                isinstance(receiver, ast.Attribute) and _plain_name(receiver.value) == "schema"
            )
            if table in CACHED and plain:
                found.append((callee, table, node.lineno))
        if callee in TABLE_WRITERS:
            for arg in node.args:
                table = _name(arg)
                if table in CACHED:
                    found.append((TABLE_WRITERS[callee], table, node.lineno))
    return found


def _bumps(function: ast.AST, table: str | None = None) -> bool:
    wanted = BUMPED_BY.get(table, BUMPS) if table is not None else BUMPS
    return any(
        isinstance(node, ast.Call) and _plain_name(node.func) in wanted
        for node in ast.walk(function)
    )


def _needs_bump(kind: str, table: str) -> bool:
    return kind in CHANGING[table]


def violations() -> list[str]:
    problems: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith(SKIPPED):
            continue
        tree = ast.parse(path.read_text(), filename=rel)
        functions = [
            n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        aliases = _aliases(tree)
        inside: set[int] = set()
        for function in functions:
            for kind, table, line in _writes(function, aliases):
                inside.add(line)
                where = f"{rel}:{line} ({function.name}: {kind} {table})"
                if rel not in OWNERS:
                    problems.append(f"{where}: write it through a function of {sorted(OWNERS)}")
                elif _needs_bump(kind, table) and not _bumps(function, table):
                    wanted = sorted(BUMPED_BY.get(table, BUMPS))
                    problems.append(f"{where}: call one of {wanted} of store/generations")
        for kind, table, line in _writes(tree, aliases):
            if line not in inside:
                problems.append(f"{rel}:{line}: {kind} {table} outside any function")
    return problems


def test_every_write_to_a_cached_table_bumps_its_generation() -> None:
    assert violations() == []


def test_the_check_finds_writes() -> None:
    """The finder itself: each form of write is seen, and an unbumped one is reported."""
    source = """
async def bad(conn, account_id):
    await conn.execute(update(accounts).where(accounts.c.id == account_id).values(x=1))
    await conn.execute(users.delete())
    await conn.execute(text('UPDATE "oauth_access_tokens" SET revoked_at = now()'))
    await pairs.remove(conn, follow_requests, 1, 2)
    await insert_new(conn, follow_requests, {})
    await insert_new(conn, accounts, {})
"""
    found = _writes(ast.parse(source))
    kinds = {(kind, table) for kind, table, _ in found}
    assert kinds == {
        ("update", "accounts"),
        ("delete", "users"),
        ("update", "oauth_access_tokens"),
        ("delete", "follow_requests"),
        ("insert", "follow_requests"),
        ("insert", "accounts"),
    }
    assert not _bumps(ast.parse(source))
    assert _bumps(ast.parse("def f():\n    accounts_changed(1)\n"))
