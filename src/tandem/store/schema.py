"""The database schema, shared by SQLite and PostgreSQL. Change it only with a migration."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from tandem.store.types import JSONText, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id() -> Column[int]:
    return Column("id", BigInteger, primary_key=True, autoincrement=False)


def _account_fk(name: str = "account_id", nullable: bool = False) -> Column[int]:
    return Column(
        name, BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=nullable
    )


accounts = Table(
    "accounts",
    metadata,
    _id(),
    Column("username", String(2048), nullable=False),
    # Lower-cased username, and "" for local accounts: a unique key that works on both backends.
    Column("username_key", String(2048), nullable=False),
    Column("domain", String(255)),
    Column("domain_key", String(255), nullable=False, server_default=""),
    Column("display_name", Text, nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),
    Column("note_html", Text, nullable=False, server_default=""),
    Column("fields", JSONText, nullable=False, server_default="[]"),
    Column("locked", Boolean, nullable=False, server_default="0"),
    Column("bot", Boolean, nullable=False, server_default="0"),
    Column("is_group", Boolean, nullable=False, server_default="0"),
    Column("discoverable", Boolean),
    Column("indexable", Boolean, nullable=False, server_default="0"),
    Column("hide_collections", Boolean),
    Column("noindex", Boolean, nullable=False, server_default="0"),
    Column("show_media", Boolean, nullable=False, server_default="1"),
    Column("show_media_replies", Boolean, nullable=False, server_default="1"),
    Column("show_featured", Boolean, nullable=False, server_default="1"),
    Column("avatar", JSONText),
    Column("header", JSONText),
    Column("avatar_description", Text, nullable=False, server_default=""),
    Column("header_description", Text, nullable=False, server_default=""),
    Column("attribution_domains", JSONText, nullable=False, server_default="[]"),
    Column("followers_count", Integer, nullable=False, server_default="0"),
    Column("following_count", Integer, nullable=False, server_default="0"),
    Column("statuses_count", Integer, nullable=False, server_default="0"),
    Column("last_status_at", UTCDateTime),
    Column("suspended_at", UTCDateTime),
    Column("memorial", Boolean, nullable=False, server_default="0"),
    Column("role", String(16), nullable=False, server_default="user"),
    # Misskey profile attributes (Mastodon has no place for them, Misskey clients edit them).
    Column("location", String(255)),
    Column("birthday", String(10)),
    Column("lang", String(16)),
    Column("is_cat", Boolean, nullable=False, server_default="0"),
    Column("hide_online_status", Boolean, nullable=False, server_default="0"),
    Column("public_reactions", Boolean, nullable=False, server_default="1"),
    Column("following_visibility", String(16), nullable=False, server_default="public"),
    Column("followers_visibility", String(16), nullable=False, server_default="public"),
    # Who may start a chat with the account: everyone, followers, following, mutual, none.
    Column("chat_scope", String(16), nullable=False, server_default="mutual"),
    Column("prevent_ai_learning", Boolean, nullable=False, server_default="1"),
    Column("auto_accept_followed", Boolean, nullable=False, server_default="0"),
    Column("careful_bot", Boolean, nullable=False, server_default="0"),
    Column("avatar_file_id", BigInteger),
    Column("banner_file_id", BigInteger),
    Column("last_active_at", UTCDateTime),
    Column("uri", String(2048)),
    Column("url", String(2048)),
    # ActivityPub (0023): a remote actor's type and endpoints as its document gave them, when
    # it was last fetched; both kinds' aliases and the account they moved to.
    Column("actor_type", String(16)),
    Column("inbox_url", String(2048)),
    Column("shared_inbox_url", String(2048)),
    Column("outbox_url", String(2048)),
    Column("followers_url", String(2048)),
    Column("following_url", String(2048)),
    Column("featured_url", String(2048)),
    Column("fetched_at", UTCDateTime),
    Column("also_known_as", JSONText, nullable=False, server_default="[]"),
    Column("moved_to_account_id", BigInteger),
    # A remote account of a silenced server (0023): kept out of public timelines.
    Column("silenced_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("username_key", "domain_key", name="uq_accounts_username_domain"),
    Index("uq_accounts_uri", "uri", unique=True),  # local accounts: NULL, all distinct
    Index("ix_accounts_shared_inbox_url", "shared_inbox_url"),
    Index("ix_accounts_role", "role"),  # the instance's contact: the first owner or admin
    # hashtags/users walks accounts in its sort order for tags many profiles wear; on
    # PostgreSQL the walk's filters are in the index too (no heap read per account passed).
    *(
        Index(f"ix_accounts_{c}", c, "id", postgresql_include=["suspended_at", "domain"])
        for c in ("followers_count", "created_at", "updated_at")
    ),
)

users = Table(
    "users",
    metadata,
    _id(),
    _account_fk(),
    Column("email", String(320)),
    Column("password_hash", String(255), nullable=False),
    Column("confirmed_at", UTCDateTime),
    Column("confirmation_token", String(64), unique=True),
    Column("unconfirmed_email", String(320)),
    Column("approved", Boolean, nullable=False, server_default="1"),
    Column("disabled", Boolean, nullable=False, server_default="0"),
    Column("locale", String(16)),
    Column("settings", JSONText, nullable=False, server_default="{}"),
    Column("created_by_application_id", BigInteger),
    Column("date_of_birth", Date),
    Column("reason", Text),
    Column("invite_id", BigInteger),
    Column("sign_up_ip", String(64)),
    Column("two_factor_secret", String(64)),
    Column("two_factor_pending_secret", String(64)),
    Column("two_factor_backup_codes", JSONText, nullable=False, server_default="[]"),
    Column("two_factor_enabled", Boolean, nullable=False, server_default="0"),
    Column("password_less_login", Boolean, nullable=False, server_default="0"),
    # Client preferences Misskey clients round-trip (muted words, notification settings…).
    Column("client_prefs", JSONText, nullable=False, server_default="{}"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("account_id", name="uq_users_account_id"),
    UniqueConstraint("email", name="uq_users_email"),
)

oauth_applications = Table(
    "oauth_applications",
    metadata,
    _id(),
    Column("name", String(255), nullable=False),
    Column("website", String(2048)),
    Column("redirect_uris", Text, nullable=False),
    Column("scopes", String(2048), nullable=False),
    Column("client_id", String(64), nullable=False, unique=True),
    Column("client_secret", String(64), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("callback_url", Text),
    _account_fk("owner_account_id", nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

oauth_access_tokens = Table(
    "oauth_access_tokens",
    metadata,
    _id(),
    # Only SHA-256 digests are stored: a database leak does not leak usable tokens.
    Column("token_digest", String(64), nullable=False, unique=True),
    Column("refresh_token_digest", String(64), unique=True),
    Column(
        "application_id",
        BigInteger,
        ForeignKey("oauth_applications.id", ondelete="CASCADE"),
    ),
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")),
    Column("scopes", String(2048), nullable=False),
    # oauth (Mastodon apps), native (a Misskey sign-in), miauth / session (Misskey apps)
    Column("kind", String(16), nullable=False, server_default="oauth"),
    Column("name", String(255)),
    Column("description", Text),
    Column("icon_url", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("last_used_at", UTCDateTime),
    Column("last_used_ip", String(64)),
    Index("ix_oauth_access_tokens_account", "account_id"),
)

oauth_access_grants = Table(
    "oauth_access_grants",
    metadata,
    _id(),
    Column("code_digest", String(64), nullable=False, unique=True),
    Column(
        "application_id",
        BigInteger,
        ForeignKey("oauth_applications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    _account_fk(),
    Column("redirect_uri", Text, nullable=False),
    Column("scopes", String(2048), nullable=False),
    Column("code_challenge", String(128)),
    Column("code_challenge_method", String(16)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    _id(),
    Column("session_digest", String(64), nullable=False, unique=True),
    _account_fk(),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("ip", String(64)),
    Column("user_agent", Text),
)


def _pair_table(name: str, *extra: Column[object]) -> Table:
    """account → target rows (follows, blocks, mutes…): one per pair, found from either side."""
    return Table(
        name,
        metadata,
        _id(),
        _account_fk(),
        _account_fk("target_account_id"),
        *extra,
        Column("created_at", UTCDateTime, nullable=False),
        UniqueConstraint("account_id", "target_account_id", name=f"uq_{name}_pair"),
        # Lists page by row id from either side (keyset: `side = :a AND id < :max ORDER BY id`).
        Index(f"ix_{name}_target_id", "target_account_id", "id"),
        Index(f"ix_{name}_account_id", "account_id", "id"),
    )


# `uri`: the Follow activity's id when a remote account asked (0023), so Accept and Reject
# can name it; NULL for local follows.
follows = _pair_table(
    "follows",
    Column("show_reblogs", Boolean, nullable=False, server_default="1"),
    Column("notify", Boolean, nullable=False, server_default="0"),
    Column("languages", JSONText),
    Column("uri", String(2048)),
)
follow_requests = _pair_table(
    "follow_requests",
    Column("show_reblogs", Boolean, nullable=False, server_default="1"),
    Column("notify", Boolean, nullable=False, server_default="0"),
    Column("languages", JSONText),
    Column("uri", String(2048)),
)
blocks = _pair_table("blocks")
mutes = _pair_table(
    "mutes",
    Column("hide_notifications", Boolean, nullable=False, server_default="1"),
    Column("expires_at", UTCDateTime),
)
account_pins = _pair_table("account_pins")
account_notes = _pair_table("account_notes", Column("comment", Text, nullable=False))

# Word search (migration 0008, outside this metadata): on SQLite the FTS5 table
# `status_search` over `statuses`, kept in step by triggers (a migration that rebuilds
# `statuses` must create them again); on PostgreSQL the GIN index `ix_statuses_search`.
statuses = Table(
    "statuses",
    metadata,
    _id(),
    _account_fk(),
    Column("text", Text, nullable=False, server_default=""),
    Column("content", Text, nullable=False, server_default=""),
    Column("spoiler_text", Text, nullable=False, server_default=""),
    Column("visibility", String(16), nullable=False),
    Column("sensitive", Boolean, nullable=False, server_default="0"),
    Column("language", String(16)),
    Column("in_reply_to_id", BigInteger, ForeignKey("statuses.id", ondelete="SET NULL")),
    Column("in_reply_to_account_id", BigInteger),
    Column("reblog_of_id", BigInteger, ForeignKey("statuses.id", ondelete="CASCADE")),
    Column("application_id", BigInteger),
    Column("replies_count", Integer, nullable=False, server_default="0"),
    Column("reblogs_count", Integer, nullable=False, server_default="0"),
    Column("favourites_count", Integer, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("edited_at", UTCDateTime),
    Column("poll_id", BigInteger),  # polls.id, when the status carries one
    # The status this one quotes (no foreign key: a deleted one leaves the quote "deleted"),
    # the quote's state ("accepted", "revoked"), who may quote this status ("public",
    # "followers", "nobody"; NULL: its author alone) and its accepted quotes (0016).
    Column("quote_of_id", BigInteger),
    Column("quote_state", String(16)),
    Column("quote_policy", String(16)),
    Column("quotes_count", Integer, nullable=False, server_default="0"),
    # A remote status's ActivityPub id and page (0023); NULL for local ones.
    Column("uri", String(2048)),
    Column("url", String(2048)),
    Index("ix_statuses_account_id_id", "account_id", "id"),
    Index("uq_statuses_uri", "uri", unique=True),
    Index("ix_statuses_reblog_of_id", "reblog_of_id"),
    Index("ix_statuses_in_reply_to_id", "in_reply_to_id"),
    # One reblog per account and status (statuses that are no reblog have NULL: all distinct).
    Index("uq_statuses_account_reblog", "account_id", "reblog_of_id", unique=True),
    # A status's quotes (only rows of quotes are indexed).
    Index(
        "ix_statuses_quote_of_id",
        "quote_of_id",
        sqlite_where=text("quote_of_id IS NOT NULL"),
        postgresql_where=text("quote_of_id IS NOT NULL"),
    ),
)

status_pins = Table(
    "status_pins",
    metadata,
    _id(),
    _account_fk(),
    Column("status_id", BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("account_id", "status_id", name="uq_status_pins_pair"),
)

tags = Table(
    "tags",
    metadata,
    _id(),
    Column("name", String(255), nullable=False),
    Column("name_key", String(255), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    # Misskey's counters: accounts that used the tag in a public or unlisted post
    # (tag_mentioners), and accounts wearing it in their profile (account_tags).
    *(
        Column(f"{kind}{origin}_users", Integer, nullable=False, server_default="0")
        for kind in ("mentioned", "attached")
        for origin in ("", "_local", "_remote")
    ),
    *(
        Index(f"ix_tags_{kind}{origin}_users", f"{kind}{origin}_users", "id")
        for kind in ("mentioned", "attached")
        for origin in ("", "_local", "_remote")
    ),
)


def _tag_account_pair(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("tag_id", BigInteger, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
        Column(
            "account_id",
            BigInteger,
            ForeignKey("accounts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Index(f"ix_{name}_account", "account_id"),
    )


tag_mentioners = _tag_account_pair("tag_mentioners")
account_tags = _tag_account_pair("account_tags")


def _tag_key() -> Column[int]:
    return Column("tag_id", BigInteger, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)


# Recent activity, pruned after a week; no account foreign key (deleting an account would
# scan them).
tag_use_buckets = Table(
    "tag_use_buckets",
    metadata,
    _tag_key(),
    Column("bucket", UTCDateTime, primary_key=True),  # start of a 10-minute UTC window
    Column("account_id", BigInteger, primary_key=True),
    Index("ix_tag_use_buckets_bucket", "bucket"),
)

tag_day_accounts = Table(
    "tag_day_accounts",
    metadata,
    _tag_key(),
    Column("day", Date, primary_key=True),
    Column("account_id", BigInteger, primary_key=True),
    Index("ix_tag_day_accounts_day", "day"),
)

tag_history = Table(
    "tag_history",
    metadata,
    _tag_key(),
    Column("day", Date, primary_key=True),
    Column("uses", Integer, nullable=False, server_default="0"),
    Column("accounts", Integer, nullable=False, server_default="0"),
    Index("ix_tag_history_day", "day"),
)

# Values computed at most once a minute for every process (without Redis).
shared_results = Table(
    "shared_results",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSONText),
    Column("computed_at", UTCDateTime, nullable=False),
)

status_tags = Table(
    "status_tags",
    metadata,
    Column(
        "status_id",
        BigInteger,
        ForeignKey("statuses.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("tag_id", BigInteger, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_status_tags_tag", "tag_id", "status_id"),
)

mentions = Table(
    "mentions",
    metadata,
    Column(
        "status_id",
        BigInteger,
        ForeignKey("statuses.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "account_id",
        BigInteger,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Index("ix_mentions_account", "account_id"),
)

media_attachments = Table(
    "media_attachments",
    metadata,
    _id(),
    _account_fk(),
    Column("status_id", BigInteger, ForeignKey("statuses.id", ondelete="SET NULL")),
    Column("type", String(16), nullable=False),
    Column("file", JSONText, nullable=False),
    Column("thumbnail", JSONText),
    Column("description", Text, nullable=False, server_default=""),
    Column("blurhash", String(255)),
    Column("focus", JSONText, nullable=False, server_default="[0, 0]"),
    Column("name", String(255), nullable=False, server_default=""),
    Column("md5", String(32), nullable=False, server_default=""),
    Column("is_sensitive", Boolean, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    # queued (a job converts the video/audio), complete or failed
    Column("processing", String(16), nullable=False, server_default="complete"),
    Column("meta", JSONText),  # Mastodon's meta.original of a video or audio file
    # Its place among its status's media, as the client listed them (ties: by id).
    Column("position", Integer, nullable=False, server_default="0"),
    Index("ix_media_attachments_status", "status_id"),
    Index("ix_media_attachments_account", "account_id"),
)

featured_tags = Table(
    "featured_tags",
    metadata,
    _id(),
    _account_fk(),
    Column("tag_id", BigInteger, ForeignKey("tags.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("account_id", "tag_id", name="uq_featured_tags_pair"),
)

lists = Table(
    "lists",
    metadata,
    _id(),
    _account_fk(),
    Column("title", String(255), nullable=False),
    Column("replies_policy", String(16), nullable=False, server_default="list"),
    Column("exclusive", Boolean, nullable=False, server_default="0"),
    Column("is_public", Boolean, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
)

list_accounts = Table(
    "list_accounts",
    metadata,
    Column("list_id", BigInteger, ForeignKey("lists.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "account_id",
        BigInteger,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_list_accounts_account", "account_id"),
)

notifications = Table(
    "notifications",
    metadata,
    _id(),
    _account_fk(),
    _account_fk("from_account_id", nullable=True),
    Column("type", String(32), nullable=False),
    Column("status_id", BigInteger, ForeignKey("statuses.id", ondelete="CASCADE")),
    Column("payload", JSONText, nullable=False, server_default="{}"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("read_at", UTCDateTime),
    # Grouped notifications (v2): favourites/reblogs of one status, or follows, in one window.
    Column("group_key", String(128)),
    # Held back by the recipient's notification policy (0011): shown once its request is
    # accepted (core/notification_requests.py).
    Column("filtered", Boolean, nullable=False, server_default="0"),
    Index("ix_notifications_account_id_id", "account_id", "id"),
    Index("ix_notifications_account_group", "account_id", "group_key", "id"),
    Index("ix_notifications_account_sender", "account_id", "from_account_id"),
)

invites = Table(
    "invites",
    metadata,
    _id(),
    _account_fk(nullable=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("max_uses", Integer),
    Column("uses", Integer, nullable=False, server_default="0"),
    Column("expires_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    # Who used it first and when (0021): Misskey's usedBy/usedAt. The invite outlives that
    # account, so its creator's list and limit count stay the same.
    Column("used_by_id", BigInteger, ForeignKey("accounts.id", ondelete="SET NULL")),
    Column("used_at", UTCDateTime),
    Index("ix_invites_account_id_id", "account_id", "id"),
)

# Misskey's role policies as the operator set them per role (0021); a policy without a row
# has Misskey's default (core/role_policies.py).
role_policies = Table(
    "role_policies",
    metadata,
    Column("role", String(16), nullable=False),
    Column("name", String(64), nullable=False),
    Column("value", JSONText, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("role", "name"),
)

jobs = Table(
    "jobs",
    metadata,
    _id(),
    Column("kind", String(64), nullable=False),
    Column("payload", JSONText, nullable=False, server_default="{}"),
    # Handlers checkpoint here, so an interrupted job resumes where it stopped.
    Column("progress", JSONText, nullable=False, server_default="{}"),
    Column("state", String(16), nullable=False, server_default="queued"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("max_attempts", Integer, nullable=False, server_default="5"),
    Column("run_at", UTCDateTime, nullable=False),
    Column("locked_until", UTCDateTime),
    Column("locked_by", String(64)),
    Column("last_error", Text),
    Column("dedupe_key", String(255), unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Index("ix_jobs_state_run_at", "state", "run_at"),
)


signins = Table(
    "signins",
    metadata,
    _id(),
    _account_fk(),
    Column("ip", String(64), nullable=False),
    Column("headers", JSONText, nullable=False, server_default="{}"),
    Column("success", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_signins_account_id_id", "account_id", "id"),
)

registry_items = Table(
    "registry_items",
    metadata,
    _id(),
    _account_fk(),
    # "" for the account's own (native) registry; an app token's id string otherwise.
    Column("domain", String(64), nullable=False, server_default=""),
    Column("scope", JSONText, nullable=False),
    Column("scope_key", String(1024), nullable=False),
    Column("key", String(1024), nullable=False),
    Column("value", JSONText),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("account_id", "domain", "scope_key", "key", name="uq_registry_items_key"),
)

webhooks = Table(
    "webhooks",
    metadata,
    _id(),
    _account_fk(),
    Column("name", String(100), nullable=False),
    Column("url", String(1024), nullable=False),
    Column("secret", String(1024), nullable=False),
    Column("events", JSONText, nullable=False, server_default="[]"),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("latest_sent_at", UTCDateTime),
    Column("latest_status", Integer),
    Column("created_at", UTCDateTime, nullable=False),
)

favorites = Table(
    "favorites",
    metadata,
    _id(),
    _account_fk(),
    Column("status_id", BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("account_id", "status_id", name="uq_favorites_pair"),
    Index("ix_favorites_account_id_id", "account_id", "id"),
)

antennas = Table(
    "antennas",
    metadata,
    _id(),
    _account_fk(),
    Column("name", String(100), nullable=False),
    Column("src", String(32), nullable=False),
    Column("list_id", BigInteger, ForeignKey("lists.id", ondelete="SET NULL")),
    Column("keywords", JSONText, nullable=False, server_default="[]"),
    Column("exclude_keywords", JSONText, nullable=False, server_default="[]"),
    Column("users", JSONText, nullable=False, server_default="[]"),
    Column("case_sensitive", Boolean, nullable=False, server_default="0"),
    Column("local_only", Boolean, nullable=False, server_default="0"),
    Column("exclude_bots", Boolean, nullable=False, server_default="0"),
    Column("with_replies", Boolean, nullable=False, server_default="0"),
    Column("with_file", Boolean, nullable=False, server_default="0"),
    Column("is_active", Boolean, nullable=False, server_default="1"),
    Column("created_at", UTCDateTime, nullable=False),
)

clips = Table(
    "clips",
    metadata,
    _id(),
    _account_fk(),
    Column("name", String(100), nullable=False),
    Column("description", Text),
    Column("is_public", Boolean, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_clipped_at", UTCDateTime),
)

clip_notes = Table(
    "clip_notes",
    metadata,
    Column("clip_id", BigInteger, ForeignKey("clips.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "status_id",
        BigInteger,
        ForeignKey("statuses.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("created_at", UTCDateTime, nullable=False),
)

miauth_sessions = Table(
    "miauth_sessions",
    metadata,
    _id(),
    Column("session", String(128), nullable=False, unique=True),
    Column("name", String(255)),
    Column("icon_url", Text),
    Column("callback_url", Text),
    Column("permissions", String(2048), nullable=False, server_default=""),
    _account_fk(nullable=True),
    # The token is kept only until the app collects it with /check.
    Column("token", String(128)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("approved_at", UTCDateTime),
)

auth_sessions = Table(
    "auth_sessions",
    metadata,
    _id(),
    Column("token", String(128), nullable=False, unique=True),
    Column(
        "application_id",
        BigInteger,
        ForeignKey("oauth_applications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    _account_fk(nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

# Account search (store/accounts.search): kind 0 holds the lower-cased username, kind 1 each
# tail of the lower-cased display name that starts at a word ("alice smith", "smith"), so a
# prefix of the username or of any word of the name is one index range. Byte order ("C") on
# PostgreSQL keeps a prefix a plain range whatever the database's locale.
_SEARCH_TERM = String(100).with_variant(String(100, collation="C"), "postgresql")
account_search_terms = Table(
    "account_search_terms",
    metadata,
    Column("kind", SmallInteger, primary_key=True),
    Column("term", _SEARCH_TERM, primary_key=True),
    Column(
        "account_id",
        BigInteger,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Index("ix_account_search_terms_account", "account_id", "kind", "term"),
    sqlite_with_rowid=False,
)

# Home feeds, materialised on write (store/home_feeds.py): the key is a page's keyset.
home_feed_entries = Table(
    "home_feed_entries",
    metadata,
    # No foreign key: checking it would lock each reader's account row during a fan-out.
    Column("account_id", BigInteger, primary_key=True),
    Column(
        "status_id", BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("author_id", BigInteger, nullable=False),
    Column("origin_author_id", BigInteger),  # the reblogged status's author
    Column("reblog_of_id", BigInteger),  # the reblogged status (reblogs fold: 0015)
    Index("ix_home_feed_entries_status", "status_id"),
    # A feed's reblogs of one status, for folding them (only rows of reblogs are indexed).
    Index(
        "ix_home_feed_entries_reblog",
        "account_id",
        "reblog_of_id",
        sqlite_where=text("reblog_of_id IS NOT NULL"),
        postgresql_where=text("reblog_of_id IS NOT NULL"),
    ),
    sqlite_with_rowid=False,
)

# Reblogs folded out of a home feed because another reblog of the same status is near its top
# (Mastodon's `feed:…:reblogs:<id>` sets): one is put back when the shown reblog goes.
home_feed_held_reblogs = Table(
    "home_feed_held_reblogs",
    metadata,
    Column("account_id", BigInteger, primary_key=True),
    Column("reblog_of_id", BigInteger, primary_key=True),
    Column(
        "status_id", BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("author_id", BigInteger, nullable=False),
    Column("origin_author_id", BigInteger),
    Index("ix_home_feed_held_reblogs_status", "status_id"),
    sqlite_with_rowid=False,
)


# --- notifications v2, markers, filters, followed tags, custom emoji, domain blocks (0007) ---

markers = Table(
    "markers",
    metadata,
    _id(),
    _account_fk(),
    Column("timeline", String(32), nullable=False),
    Column("last_read_id", BigInteger, nullable=False),
    # Mastodon's optimistic-lock counter: every save moves it by one.
    Column("version", Integer, nullable=False, server_default="0"),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("account_id", "timeline", name="uq_markers_timeline"),
)

notification_policies = Table(
    "notification_policies",
    metadata,
    Column(
        "account_id",
        BigInteger,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("for_not_following", String(16), nullable=False, server_default="accept"),
    Column("for_not_followers", String(16), nullable=False, server_default="accept"),
    Column("for_new_accounts", String(16), nullable=False, server_default="accept"),
    Column("for_private_mentions", String(16), nullable=False, server_default="filter"),
    Column("for_limited_accounts", String(16), nullable=False, server_default="filter"),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Notification requests (0011): one per recipient and sender of filtered mentions or quotes.
notification_requests = Table(
    "notification_requests",
    metadata,
    _id(),
    _account_fk(),
    _account_fk("from_account_id"),
    Column("last_status_id", BigInteger, ForeignKey("statuses.id", ondelete="SET NULL")),
    Column("notifications_count", Integer, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("account_id", "from_account_id", name="uq_notification_requests_pair"),
    Index("ix_notification_requests_account_id_id", "account_id", "id"),
)

# Senders whose request was accepted: their notifications pass the policy (0011).
notification_permissions = Table(
    "notification_permissions",
    metadata,
    Column(
        "account_id",
        BigInteger,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "from_account_id",
        BigInteger,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("created_at", UTCDateTime, nullable=False),
)

filters = Table(
    "filters",
    metadata,
    _id(),
    _account_fk(),
    Column("title", String(256), nullable=False),
    Column("context", JSONText, nullable=False, server_default="[]"),
    Column("filter_action", String(16), nullable=False, server_default="warn"),
    Column("expires_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_filters_account_id_id", "account_id", "id"),
)

filter_keywords = Table(
    "filter_keywords",
    metadata,
    _id(),
    Column("filter_id", BigInteger, ForeignKey("filters.id", ondelete="CASCADE"), nullable=False),
    Column("keyword", String(512), nullable=False),
    Column("whole_word", Boolean, nullable=False, server_default="1"),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_filter_keywords_filter", "filter_id", "id"),
)

filter_statuses = Table(
    "filter_statuses",
    metadata,
    _id(),
    Column("filter_id", BigInteger, ForeignKey("filters.id", ondelete="CASCADE"), nullable=False),
    Column("status_id", BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("filter_id", "status_id", name="uq_filter_statuses_pair"),
)

tag_follows = Table(
    "tag_follows",
    metadata,
    _id(),
    _account_fk(),
    Column("tag_id", BigInteger, ForeignKey("tags.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("account_id", "tag_id", name="uq_tag_follows_pair"),
    Index("ix_tag_follows_tag", "tag_id"),
)

custom_emojis = Table(
    "custom_emojis",
    metadata,
    _id(),
    Column("shortcode", String(128), nullable=False, unique=True),
    Column("file", JSONText, nullable=False),
    Column("category", String(128)),
    Column("visible_in_picker", Boolean, nullable=False, server_default="1"),
    Column("created_at", UTCDateTime, nullable=False),
)

account_domain_blocks = Table(
    "account_domain_blocks",
    metadata,
    _id(),
    _account_fk(),
    Column("domain", String(255), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("account_id", "domain", name="uq_account_domain_blocks_pair"),
    Index("ix_account_domain_blocks_account_id_id", "account_id", "id"),
)

suggestion_dismissals = _pair_table("suggestion_dismissals")

# Reactions (Misskey) = favourites (Mastodon): one per account and status.
reactions = Table(
    "reactions",
    metadata,
    _id(),
    _account_fk(),
    Column("status_id", BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), nullable=False),
    Column("reaction", String(260), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("account_id", "status_id", name="uq_reactions_pair"),
    Index("ix_reactions_status_id_id", "status_id", "id"),
    Index("ix_reactions_account_id_id", "account_id", "id"),
)

# Muted threads (Mastodon conversation mutes, Misskey thread mutings), keyed by the root status.
status_mutes = Table(
    "status_mutes",
    metadata,
    _id(),
    _account_fk(),
    Column("status_id", BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("account_id", "status_id", name="uq_status_mutes_pair"),
)

# Versions of edited statuses (Mastodon's status edits): the original, then each edit.
status_edits = Table(
    "status_edits",
    metadata,
    _id(),
    Column("status_id", BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), nullable=False),
    _account_fk(),
    Column("text", Text, nullable=False, server_default=""),
    Column("spoiler_text", Text, nullable=False, server_default=""),
    Column("content", Text, nullable=False, server_default=""),
    Column("sensitive", Boolean, nullable=False, server_default="0"),
    Column("media_ids", JSONText, nullable=False, server_default="[]"),
    Column("poll_options", JSONText),
    Column("created_at", UTCDateTime, nullable=False),
    # Each medium's description in that version, parallel to media_ids (NULL: not kept).
    Column("media_descriptions", JSONText),
    Index("ix_status_edits_status_id_id", "status_id", "id"),
)

# Polls, one per status at most; votes are counted from their rows (counts cannot drift).
polls = Table(
    "polls",
    metadata,
    _id(),
    Column(
        "status_id",
        BigInteger,
        ForeignKey("statuses.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    _account_fk(),
    Column("options", JSONText, nullable=False),
    Column("multiple", Boolean, nullable=False, server_default="0"),
    Column("hide_totals", Boolean, nullable=False, server_default="0"),
    Column("expires_at", UTCDateTime),
    Column("ended_at", UTCDateTime),  # when its end was announced (the expiry job ran)
    Column("created_at", UTCDateTime, nullable=False),
)

poll_votes = Table(
    "poll_votes",
    metadata,
    _id(),
    Column("poll_id", BigInteger, ForeignKey("polls.id", ondelete="CASCADE"), nullable=False),
    _account_fk(),
    Column("choice", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("poll_id", "account_id", "choice", name="uq_poll_votes_choice"),
)

# Statuses to be posted later (Mastodon's scheduled statuses); `params` as the client sent them.
scheduled_statuses = Table(
    "scheduled_statuses",
    metadata,
    _id(),
    _account_fk(),
    Column("scheduled_at", UTCDateTime, nullable=False),
    Column("params", JSONText, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_scheduled_statuses_account_id_id", "account_id", "id"),
)


# Preview cards (Mastodon's PreviewCard): one per normalised URL, fetched by a job.
preview_cards = Table(
    "preview_cards",
    metadata,
    _id(),
    Column("url_key", String(2048), nullable=False, unique=True),
    Column("url", Text, nullable=False),
    Column("data", JSONText, nullable=False),  # title, description, type, author, provider…
    Column("image", JSONText),  # the re-encoded image (core.models.ImageRef) or NULL
    Column("blurhash", String(64)),
    Column("fetched_at", UTCDateTime, nullable=False),
)

status_preview_cards = Table(
    "status_preview_cards",
    metadata,
    Column(
        "status_id",
        BigInteger,
        ForeignKey("statuses.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "preview_card_id",
        BigInteger,
        ForeignKey("preview_cards.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Index("ix_status_preview_cards_card", "preview_card_id", "status_id"),
)

# Direct conversations as each participant sees them (Mastodon's AccountConversation).
account_conversations = Table(
    "account_conversations",
    metadata,
    _id(),
    _account_fk(),
    Column("root_id", BigInteger, nullable=False),  # the thread's first status
    Column("participants_key", String(2048), nullable=False),  # sorted other ids, comma list
    Column("participant_ids", JSONText, nullable=False),
    Column("status_ids", JSONText, nullable=False),
    Column("last_status_id", BigInteger, nullable=False),
    Column("unread", Boolean, nullable=False, server_default="0"),
    UniqueConstraint(
        "account_id", "root_id", "participants_key", name="uq_account_conversations_key"
    ),
    Index("ix_account_conversations_account_last", "account_id", "last_status_id"),
)

# Collections of featured accounts (Mastodon 4.6's Collection and CollectionItem).
account_collections = Table(
    "account_collections",
    metadata,
    _id(),
    _account_fk(),
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("language", String(16)),
    Column("sensitive", Boolean, nullable=False, server_default="0"),
    Column("discoverable", Boolean, nullable=False, server_default="0"),
    Column("tag_id", BigInteger, ForeignKey("tags.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_account_collections_account_id", "account_id", "id"),
)

account_collection_items = Table(
    "account_collection_items",
    metadata,
    _id(),
    Column(
        "collection_id",
        BigInteger,
        ForeignKey("account_collections.id", ondelete="CASCADE"),
        nullable=False,
    ),
    _account_fk(),
    Column("state", String(16), nullable=False),  # pending, accepted, rejected, revoked
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("collection_id", "account_id", name="uq_account_collection_items_pair"),
    Index("ix_account_collection_items_account", "account_id", "state", "collection_id"),
)


# Chat (Misskey's): direct messages and rooms. A room's owner has no membership row.
chat_rooms = Table(
    "chat_rooms",
    metadata,
    _id(),
    _account_fk("owner_id"),
    Column("name", String(256), nullable=False),
    Column("description", String(1024), nullable=False, server_default=""),
    Column("last_message_id", BigInteger),  # its newest message (chat/history in room mode)
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_chat_rooms_owner", "owner_id", "id"),
)


def _room_fk(nullable: bool = False) -> Column[int]:
    return Column(
        "room_id", BigInteger, ForeignKey("chat_rooms.id", ondelete="CASCADE"), nullable=nullable
    )


chat_room_memberships = Table(
    "chat_room_memberships",
    metadata,
    _id(),
    _room_fk(),
    _account_fk(),
    Column("muted", Boolean, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("room_id", "account_id", name="uq_chat_room_memberships_pair"),
    Index("ix_chat_room_memberships_account", "account_id", "id"),
)

chat_room_invitations = Table(
    "chat_room_invitations",
    metadata,
    _id(),
    _room_fk(),
    _account_fk(),  # the invitee
    Column("ignored", Boolean, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("room_id", "account_id", name="uq_chat_room_invitations_pair"),
    Index("ix_chat_room_invitations_account", "account_id", "id"),
)

chat_messages = Table(
    "chat_messages",
    metadata,
    _id(),
    _account_fk("from_account_id"),
    _account_fk("to_account_id", nullable=True),  # a direct message's recipient
    _room_fk(nullable=True),  # or a room message's room
    # A direct message's two accounts, lower id first: one index reads a conversation.
    Column("pair_low", BigInteger),
    Column("pair_high", BigInteger),
    Column("text", Text),
    Column("file_id", BigInteger, ForeignKey("media_attachments.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
    Index(
        "ix_chat_messages_pair",
        "pair_low",
        "pair_high",
        "id",
        sqlite_where=text("pair_low IS NOT NULL"),
        postgresql_where=text("pair_low IS NOT NULL"),
    ),
    Index(
        "ix_chat_messages_room",
        "room_id",
        "id",
        sqlite_where=text("room_id IS NOT NULL"),
        postgresql_where=text("room_id IS NOT NULL"),
    ),
    Index("ix_chat_messages_from", "from_account_id", "id"),
    # What an account received (chat/messages/search over all its chats; migration 0018).
    Index(
        "ix_chat_messages_to",
        "to_account_id",
        "id",
        sqlite_where=text("to_account_id IS NOT NULL"),
        postgresql_where=text("to_account_id IS NOT NULL"),
    ),
)

chat_message_reactions = Table(
    "chat_message_reactions",
    metadata,
    _id(),
    Column(
        "message_id",
        BigInteger,
        ForeignKey("chat_messages.id", ondelete="CASCADE"),
        nullable=False,
    ),
    _account_fk(),
    Column("reaction", String(256), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint(
        "message_id", "account_id", "reaction", name="uq_chat_message_reactions_triple"
    ),
)

# Each account's direct conversations with their newest message (chat/history, DM mode).
chat_conversations = Table(
    "chat_conversations",
    metadata,
    _account_fk(),
    _account_fk("other_account_id"),
    Column("last_message_id", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "other_account_id", name="pk_chat_conversations"),
    Index("ix_chat_conversations_account_last", "account_id", "last_message_id"),
)

# "You may always answer someone who wrote to you": the sender of a direct message gets a
# row naming its recipient, which lets the recipient write back whatever its chat scope.
chat_approvals = Table(
    "chat_approvals",
    metadata,
    _account_fk(),
    _account_fk("other_account_id"),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("account_id", "other_account_id", name="pk_chat_approvals"),
)

# Unread markers: one per account and conversation ("user:<other id>") or room
# ("room:<room id>") holding unread messages; `hasUnreadChatMessages` is "any row".
chat_unreads = Table(
    "chat_unreads",
    metadata,
    _account_fk(),
    Column("thread", String(40), nullable=False),
    _account_fk("other_account_id", nullable=True),  # (for the cascade when it is deleted)
    _room_fk(nullable=True),
    Column("message_id", BigInteger, nullable=False),  # the newest unread one
    PrimaryKeyConstraint("account_id", "thread", name="pk_chat_unreads"),
)

# Announcements (migration 0019): one row serves both dialects; a read is Misskey's
# i/read-announcement and Mastodon's dismiss, reactions are Mastodon's.
announcements = Table(
    "announcements",
    metadata,
    _id(),
    Column("title", String(256), nullable=False, server_default=""),
    Column("text", Text, nullable=False),
    Column("image_url", String(1024)),
    Column("icon", String(16), nullable=False, server_default="info"),
    Column("display", String(16), nullable=False, server_default="normal"),
    Column("need_confirmation", Boolean, nullable=False, server_default="0"),
    Column("silence", Boolean, nullable=False, server_default="0"),
    Column("for_existing_users", Boolean, nullable=False, server_default="0"),
    _account_fk(nullable=True),  # the one account it is for (Misskey's userId); null: all
    Column("is_active", Boolean, nullable=False, server_default="1"),
    Column("published", Boolean, nullable=False, server_default="1"),  # false: a draft
    Column("published_at", UTCDateTime),
    Column("starts_at", UTCDateTime),
    Column("ends_at", UTCDateTime),  # past it, the announcement is inactive
    Column("all_day", Boolean, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime),
    Index("ix_announcements_account", "account_id", "id"),
)


def _announcement_fk() -> Column[int]:
    return Column(
        "announcement_id",
        BigInteger,
        ForeignKey("announcements.id", ondelete="CASCADE"),
        nullable=False,
    )


announcement_reads = Table(
    "announcement_reads",
    metadata,
    _id(),
    _announcement_fk(),
    _account_fk(),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("announcement_id", "account_id", name="uq_announcement_reads_pair"),
    Index("ix_announcement_reads_account", "account_id"),
)

announcement_reactions = Table(
    "announcement_reactions",
    metadata,
    _id(),
    _announcement_fk(),
    _account_fk(),
    Column("name", String(256), nullable=False),  # a Unicode emoji or a custom shortcode
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint(
        "announcement_id", "account_id", "name", name="uq_announcement_reactions_triple"
    ),
    Index("ix_announcement_reactions_account", "account_id"),
)

# Web Push subscriptions of both dialects. Misskey's (`sw/register`) belong to the account,
# one per (endpoint, auth, publickey); Mastodon's belong to one access token (a new one
# replaces the old; revoking the token deletes it). `dedupe_key` holds either rule as one
# unique key. `sealed_token` keeps the access token Mastodon's payload carries, encrypted
# with the server's secret key (the tokens table keeps digests only).
push_subscriptions = Table(
    "push_subscriptions",
    metadata,
    _id(),
    _account_fk(),
    Column("token_id", BigInteger, ForeignKey("oauth_access_tokens.id", ondelete="CASCADE")),
    Column("dialect", String(16), nullable=False),  # misskey or mastodon
    Column("dedupe_key", String(64), nullable=False, unique=True),
    Column("endpoint", String(2048), nullable=False),
    Column("p256dh", String(256), nullable=False),
    Column("auth", String(256), nullable=False),
    Column("send_read_message", Boolean, nullable=False, server_default="0"),
    Column("alerts", JSONText, nullable=False, server_default="{}"),
    Column("policy", String(16), nullable=False, server_default="all"),
    Column("standard", Boolean),
    Column("sealed_token", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_push_subscriptions_account", "account_id"),
    Index("ix_push_subscriptions_token", "token_id"),
    Index("ix_push_subscriptions_endpoint", "endpoint"),
)

# --- ActivityPub (0023) ---

# An account's signing key: local accounts hold both halves (made on first federated use),
# remote ones the public key their actor document published. `key_id` is the keyId that
# signatures name.
actor_keys = Table(
    "actor_keys",
    metadata,
    Column(
        "account_id",
        BigInteger,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("key_id", String(2048), nullable=False, unique=True),
    Column("public_key_pem", Text, nullable=False),
    Column("private_key_pem", Text),
    Column("created_at", UTCDateTime, nullable=False),
)

# Delivery's circuit breaker: consecutive failures per receiving server, and until when
# deliveries to it wait instead of trying.
delivery_domains = Table(
    "delivery_domains",
    metadata,
    Column("domain", String(255), primary_key=True),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("open_until", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Signatures already accepted by the inbox, kept as long as their date is acceptable: the
# same signed request sent twice is refused (a replay).
seen_signatures = Table(
    "seen_signatures",
    metadata,
    Column("replay_key", String(64), primary_key=True),
    Column("seen_at", UTCDateTime, nullable=False),
    Index("ix_seen_signatures_seen_at", "seen_at"),
)

# --- Moderation of other servers (0024) ---

# The server's policy per remote domain (`tandem admin domain-block`): one row per domain,
# lower-case IDNA (ASCII), covering its subdomains unless one has a row of its own.
# `severity`: silence, suspend or noop (only the reject_* flags apply).
domain_policies = Table(
    "domain_policies",
    metadata,
    _id(),
    Column("domain", String(255), nullable=False, unique=True),
    Column("severity", String(16), nullable=False),
    Column("reject_media", Boolean, nullable=False, server_default="0"),
    Column("reject_reports", Boolean, nullable=False, server_default="0"),
    Column("private_comment", Text),
    Column("public_comment", Text),
    Column("obfuscate", Boolean, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# The domains federated with when `federation_mode` is "allowlist" (subdomains included).
domain_allows = Table(
    "domain_allows",
    metadata,
    _id(),
    Column("domain", String(255), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
)

# Remote accounts by domain: a domain's suspension finds its accounts, and the instance's
# peers are the distinct domains.
Index("ix_accounts_domain_key", accounts.c.domain_key)

# --- Reports (0025) ---

# A report of an account (and some of its posts) to this server's moderators: filed by a
# local user (either dialect), or arriving from another server as a Flag, whose sender is
# then the remote server's actor (often its instance actor) and `uri` the Flag's id (one
# Flag naming several local accounts makes one report each). `status_ids` and `rule_ids` are
# JSON lists of ids, kept as filed even if a post is deleted later (the evidence stays).
# `category`: spam, legal, violation or other (Mastodon's). The action_* and assigned
# columns are for the moderation queue (issue 13).
reports = Table(
    "reports",
    metadata,
    _id(),
    _account_fk(),
    _account_fk("target_account_id"),
    Column("category", String(16), nullable=False, server_default="other"),
    Column("comment", Text, nullable=False, server_default=""),
    Column("status_ids", JSONText, nullable=False, server_default="[]"),
    Column("rule_ids", JSONText, nullable=False, server_default="[]"),
    Column("forwarded", Boolean, nullable=False, server_default="0"),
    Column("uri", String(2048)),
    Column(
        "assigned_account_id",
        BigInteger,
        ForeignKey("accounts.id", ondelete="SET NULL"),
    ),
    Column("action_taken_at", UTCDateTime),
    Column(
        "action_taken_by_account_id",
        BigInteger,
        ForeignKey("accounts.id", ondelete="SET NULL"),
    ),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # A Flag delivered twice stores its reports once.
    UniqueConstraint("uri", "target_account_id"),
    Index("ix_reports_target_account", "target_account_id"),
    Index("ix_reports_account", "account_id"),
)
