"""hashtags: who used each tag, who wears it in their profile, and its recent activity

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 08:00:00.000000

Misskey's hashtag counters: `tag_mentioners` holds each account that used a tag in a public or
unlisted post (never removed, as Misskey), `account_tags` the tags in each profile description;
the six counters on `tags` move only when a row of those tables is inserted or deleted in the
same transaction, so they cannot drift. Recent activity: `tag_use_buckets` (one row per tag,
10-minute bucket and account: the trend ranking and its chart), `tag_day_accounts` (one per tag,
day and account) and `tag_history` (uses and accounts per tag and day: Mastodon's history).
Those three are pruned after a week and have no account foreign key, so deleting an account
does not scan them. `shared_results` holds values computed at most once a minute for every
process (the trend ranking) when no Redis is configured. Three account indexes let
`hashtags/users` walk accounts in its sort order for tags many profiles wear.

Existing rows are counted: mentioners from the tags of public and unlisted statuses, profile
tags from the descriptions (parsed with the same extractor the server uses).
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTERS = (
    "mentioned_users",
    "mentioned_local_users",
    "mentioned_remote_users",
    "attached_users",
    "attached_local_users",
    "attached_remote_users",
)
PROFILE_TAG_LIMIT = 32


def _tag_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tag_id"], ["tags.id"], name=op.f(f"fk_{table}_tag_id_tags"), ondelete="CASCADE"
    )


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"],
        ["accounts.id"],
        name=op.f(f"fk_{table}_account_id_accounts"),
        ondelete="CASCADE",
    )


def _pair_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        _tag_fk(name),
        _account_fk(name),
        sa.PrimaryKeyConstraint("tag_id", "account_id", name=op.f(f"pk_{name}")),
    )
    op.create_index(f"ix_{name}_account", name, ["account_id"])


def upgrade() -> None:
    with op.batch_alter_table("tags") as batch_op:
        for column in COUNTERS:
            batch_op.add_column(sa.Column(column, sa.Integer(), server_default="0", nullable=False))
    for column in COUNTERS:
        op.create_index(f"ix_tags_{column}", "tags", [column, "id"])
    _pair_table("tag_mentioners")
    _pair_table("account_tags")
    op.create_table(
        "tag_use_buckets",
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        sa.Column("bucket", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        _tag_fk("tag_use_buckets"),
        sa.PrimaryKeyConstraint("tag_id", "bucket", "account_id", name=op.f("pk_tag_use_buckets")),
    )
    op.create_index("ix_tag_use_buckets_bucket", "tag_use_buckets", ["bucket"])
    op.create_table(
        "tag_day_accounts",
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        _tag_fk("tag_day_accounts"),
        sa.PrimaryKeyConstraint("tag_id", "day", "account_id", name=op.f("pk_tag_day_accounts")),
    )
    op.create_index("ix_tag_day_accounts_day", "tag_day_accounts", ["day"])
    op.create_table(
        "tag_history",
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("uses", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accounts", sa.Integer(), server_default="0", nullable=False),
        _tag_fk("tag_history"),
        sa.PrimaryKeyConstraint("tag_id", "day", name=op.f("pk_tag_history")),
    )
    op.create_index("ix_tag_history_day", "tag_history", ["day"])
    op.create_table(
        "shared_results",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", tandem.store.types.JSONText(), nullable=True),
        sa.Column("computed_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_shared_results")),
    )
    for column in ("followers_count", "created_at", "updated_at"):
        op.create_index(
            f"ix_accounts_{column}",
            "accounts",
            [column, "id"],
            postgresql_include=["suspended_at", "domain"],
        )
    _count_existing()


def _normalise_keys() -> None:
    """Keys were lower-cased names; now NFKC first, as Misskey and Mastodon compare them. A
    key whose normal form another tag holds already keeps its old key (rare: full-width)."""
    bind = op.get_bind()
    keys: dict[str, int] = dict(bind.execute(sa.text("SELECT name_key, id FROM tags")).all())
    for key, tag_id in list(keys.items()):
        normal = unicodedata.normalize("NFKC", key).lower()
        if normal != key and normal not in keys:
            bind.execute(
                sa.text("UPDATE tags SET name_key = :k WHERE id = :i"), {"k": normal, "i": tag_id}
            )
            keys[normal] = tag_id


def _count_existing() -> None:
    _normalise_keys()
    op.execute(
        "INSERT INTO tag_mentioners (tag_id, account_id) "
        "SELECT DISTINCT st.tag_id, s.account_id FROM status_tags st "
        "JOIN statuses s ON s.id = st.status_id WHERE s.visibility IN ('public', 'unlisted')"
    )
    _profile_tags()
    for table, prefix in (("tag_mentioners", "mentioned"), ("account_tags", "attached")):
        for suffix, where in (
            ("_users", ""),
            ("_local_users", " AND a.domain IS NULL"),
            ("_remote_users", " AND a.domain IS NOT NULL"),
        ):
            op.execute(
                f"UPDATE tags SET {prefix}{suffix} = (SELECT count(*) FROM {table} x "
                f"JOIN accounts a ON a.id = x.account_id WHERE x.tag_id = tags.id{where})"
            )


def _profile_tags() -> None:
    from tandem.core.text import hashtags  # the server's own extractor, as of this revision

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, note FROM accounts WHERE note LIKE '%#%'"))
    wanted: dict[int, list[str]] = {}
    for account_id, note in rows:
        keys = [unicodedata.normalize("NFKC", n).lower() for n in hashtags(note)]
        wanted[account_id] = list(dict.fromkeys(keys))[:PROFILE_TAG_LIMIT]
    if not wanted:
        return
    known: dict[str, int] = dict(bind.execute(sa.text("SELECT name_key, id FROM tags")).all())
    new_tags = sorted({k for keys in wanted.values() for k in keys} - set(known))
    if new_tags:
        from tandem.core.clock import now
        from tandem.core.ids import new_id

        ids = {k: new_id() for k in new_tags}
        made = [{"id": i, "name": k, "name_key": k, "created_at": now()} for k, i in ids.items()]
        columns: tuple[sa.ColumnClause[object], ...] = tuple(
            sa.column(c) for c in ("id", "name", "name_key")
        )
        created = sa.column("created_at", tandem.store.types.UTCDateTime(timezone=True))
        op.bulk_insert(sa.table("tags", *columns, created), made)
        known.update(ids)
    pairs = [{"tag_id": known[k], "account_id": a} for a, keys in wanted.items() for k in keys]
    op.bulk_insert(sa.table("account_tags", sa.column("tag_id"), sa.column("account_id")), pairs)


def downgrade() -> None:
    for index, table in (
        ("ix_accounts_updated_at", "accounts"),
        ("ix_accounts_created_at", "accounts"),
        ("ix_accounts_followers_count", "accounts"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "shared_results",
        "tag_history",
        "tag_day_accounts",
        "tag_use_buckets",
        "account_tags",
        "tag_mentioners",
    ):
        op.drop_table(table)
    for column in COUNTERS:
        op.drop_index(f"ix_tags_{column}", table_name="tags")
    with op.batch_alter_table("tags") as batch_op:
        for column in COUNTERS:
            batch_op.drop_column(column)
