"""Statuses (Misskey notes): posting, who may see what, reblogs, pins, deletion."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from tandem.config import Settings
from tandem.core import (
    clock,
    conversations,
    federation_outbox,
    hashtags,
    home_feeds,
    languages,
    poll_rules,
    preview_cards,
    quote_rules,
    status_subscriptions,
    stream_events,
    text,
    urls,
    webhooks,
)
from tandem.core import media as media_rules
from tandem.core.accounts import require
from tandem.core.errors import (
    Errors,
    Forbidden,
    NotFound,
    NotFoundKind,
    Unprocessable,
)
from tandem.core.i18n import Plural, Text
from tandem.core.ids import new_id
from tandem.core.models import (
    VISIBILITIES,
    Account,
    Application,
    CustomEmoji,
    Page,
    Poll,
    Status,
    User,
    Visibility,
)
from tandem.core.poll_rules import NewPoll
from tandem.core.profiles import default_privacy
from tandem.store import accounts as account_store
from tandem.store import blocks, mutes
from tandem.store import custom_emojis as emoji_store
from tandem.store import media as media_store
from tandem.store import notifications as notification_store
from tandem.store import oauth as oauth_store
from tandem.store import polls as poll_store
from tandem.store import preview_cards as card_store
from tandem.store import quotes as quote_store
from tandem.store import reactions as reaction_store
from tandem.store import scheduled_statuses as scheduled_store
from tandem.store import status_threads as thread_store
from tandem.store import statuses as store
from tandem.store.db import Conn, Database

MEDIA_DESCRIPTION_LIMIT = 1500


@dataclass(frozen=True)
class NewStatus:
    text: str = ""
    spoiler_text: str = ""
    visibility: str | None = None
    sensitive: bool | None = None
    language: str | None = None
    in_reply_to_id: int | None = None
    media_ids: Sequence[int] = ()
    recipient_ids: Sequence[int] = ()  # Misskey's visibleUserIds: addressed without @mention
    poll: NewPoll | None = None
    scheduled_id: int | None = None  # published from this scheduled status (taken with it)
    quoted_status_id: int | None = None  # the status this one quotes (core/quote_rules.py)
    quote_policy: str | None = None  # who may quote this one (None: the author's default)


@dataclass
class StatusBundle:
    """Statuses plus everything needed to show them to one viewer, loaded in a few queries."""

    statuses: list[Status]
    originals: dict[int, Status] = field(default_factory=dict)  # reblogged statuses by id
    accounts: dict[int, Account] = field(default_factory=dict)
    applications: dict[int, Application] = field(default_factory=dict)
    reblogged: set[int] = field(default_factory=set)
    pinned: set[int] = field(default_factory=set)
    favorited: set[int] = field(default_factory=set)  # Misskey favorites, Mastodon bookmarks
    viewer_id: int | None = None
    reactions: dict[int, dict[str, int]] = field(default_factory=dict)  # stored form: count
    my_reactions: dict[int, str] = field(default_factory=dict)  # the viewer's, stored form
    muted: set[int] = field(default_factory=set)  # statuses in threads the viewer muted
    polls: dict[int, Poll] = field(default_factory=dict)  # by poll id, with the viewer's votes
    emojis: dict[str, CustomEmoji] = field(default_factory=dict)  # custom reactions' emoji
    cards: dict[int, card_store.PreviewCard] = field(default_factory=dict)  # by status id
    # Quotes: the quoted statuses by id (also in `originals`), each quote's state for the
    # viewer by quoting status id, and the authors (of quoted statuses, or whose statuses
    # only followers may quote) the viewer follows.
    quoted: dict[int, Status] = field(default_factory=dict)
    quote_states: dict[int, quote_rules.QuoteState] = field(default_factory=dict)
    following: set[int] = field(default_factory=set)


async def bundle(conn: Conn, viewer_id: int | None, found: list[Status]) -> StatusBundle:
    reblogged_ids = {s.reblog_of_id for s in found if s.reblog_of_id}
    # Reblogged and quoted statuses in one load, with those the reblogged ones quote.
    originals = await store.get_many_with_quoted(
        conn, reblogged_ids | {s.quote_of_id for s in found if s.quote_of_id}, reblogged_ids
    )
    everything = found + list(originals.values())
    account_ids = {s.account_id for s in everything}
    account_ids |= {m.account_id for s in everything for m in s.mentions}
    app_ids = {s.application_id for s in everything if s.application_id}
    applications = await oauth_store.apps_by_ids(conn, app_ids)
    ids = [s.id for s in everything]
    # Only statuses with reactions cost a query (most have none).
    reacted = [s.id for s in everything if s.favourites_count > 0]
    poll_ids = [s.poll_id for s in everything if s.poll_id]
    # Only statuses with a link may show a card (a link in the rendered text: no query else).
    linked = [s.id for s in everything if 'href="http' in s.content and _may_have_card(s)]
    tallied, mine = await reaction_store.tallies(conn, viewer_id, reacted)
    no_marks = store.ViewerMarks(set(), set(), set())
    marks = await store.viewer_marks(conn, viewer_id, ids) if viewer_id else no_marks
    shown = StatusBundle(
        statuses=found,
        originals=originals,
        accounts=await account_store.get_many(conn, account_ids),
        applications=applications,
        reblogged=marks.reblogged,
        pinned=marks.pinned,
        favorited=marks.bookmarked,
        viewer_id=viewer_id,
        reactions=tallied,
        my_reactions=mine,
        polls=await poll_store.by_ids(conn, poll_ids, viewer_id) if poll_ids else {},
        cards=await card_store.of_statuses(conn, linked) if linked else {},
    )
    await _quotes(conn, shown, [*found, *(originals[i] for i in reblogged_ids if i in originals)])
    custom = {
        name[1:-1] for counts in shown.reactions.values() for name in counts if name[:1] == ":"
    }
    for shortcode in sorted(custom):  # a handful at most: reactions on these statuses
        emoji = await emoji_store.by_shortcode(conn, shortcode)
        if emoji is not None:
            shown.emojis[shortcode] = emoji
    return shown


async def _quotes(conn: Conn, shown: StatusBundle, shown_directly: list[Status]) -> None:
    """The states of the page's quotes (and of the reblogged statuses' quotes) for the viewer:
    one statement for the viewer's relations with the authors involved, only when a page has
    quotes or statuses that only followers may quote."""
    quoting = [s for s in shown_directly if s.quote_of_id]
    for s in quoting:
        assert s.quote_of_id is not None
        quoted = shown.originals.get(s.quote_of_id)
        if quoted is not None:
            shown.quoted[quoted.id] = quoted
    viewer_id = shown.viewer_id
    rel = quote_store.Relations()
    if viewer_id is not None:
        authors = {q.account_id for q in shown.quoted.values()}
        authors |= {s.account_id for s in shown.statuses if s.quote_policy == "followers"}
        authors |= {s.account_id for s in shown.originals.values() if s.quote_policy == "followers"}
        authors.discard(viewer_id)
        if authors:
            rel = await quote_store.relations(conn, viewer_id, authors, clock.now())
    shown.following = rel.following
    for s in quoting:
        quoted = shown.quoted.get(s.quote_of_id or 0)
        author = quoted.account_id if quoted is not None else 0
        shown.quote_states[s.id] = quote_rules.state(
            s,
            quoted,
            viewer_id,
            blocked_by=author in rel.blocked_by,
            blocking=author in rel.blocking,
            muting=author in rel.muting,
            following=author in rel.following,
        )


def _may_have_card(status: Status) -> bool:
    return preview_cards.first_link(status) is not None


async def can_see(conn: Conn, viewer: Account | None, status: Status) -> bool:
    if viewer is not None and viewer.id == status.account_id:
        return True
    if viewer is not None and await blocks.exists(conn, status.account_id, viewer.id):
        return False
    if status.visibility in ("public", "unlisted"):
        return True
    if viewer is None:
        return False
    if status.visibility == "private":
        return await store.is_follower(conn, viewer.id, status.account_id) or (
            await store.mentions_account(conn, status.id, viewer.id)
        )
    return await store.mentions_account(conn, status.id, viewer.id)


async def visible(
    conn: Conn, viewer: Account | None, status_id: int, kind: NotFoundKind = "status"
) -> Status:
    status = await store.get(conn, status_id)
    if status is None or not await can_see(conn, viewer, status):
        raise NotFound(kind)
    return status


async def show(db: Database, viewer: Account | None, status_id: int) -> StatusBundle:
    async with db.read() as conn:
        status = await visible(conn, viewer, status_id)
        return await bundle(conn, viewer.id if viewer else None, [status])


def _check(
    new: NewStatus, settings: Settings, account: Account, user: User
) -> tuple[Visibility, str | None]:
    errors = Errors()
    body = new.text.strip()
    if new.quote_policy is not None and new.quote_policy not in quote_rules.POLICIES:
        errors.add(
            "quote_approval_policy",
            "inclusion",
            Text("must be one of {choices}", choices=", ".join(quote_rules.POLICIES)),
        )
    if not body and not new.media_ids and new.poll is None:
        errors.add("text", "blank", "can't be blank")
    if new.poll is not None:
        poll_rules.check(new.poll, clock.now(), errors)
    length = text.countable_length(body) + text.countable_length(new.spoiler_text)
    if length > settings.max_status_characters:
        errors.add(
            "text",
            "too_long",
            Text("character limit of {max} exceeded", max=settings.max_status_characters),
        )
    visibility = new.visibility or default_privacy(account, user)
    if visibility not in VISIBILITIES:
        errors.add(
            "visibility",
            "inclusion",
            Text("must be one of {choices}", choices=", ".join(VISIBILITIES)),
        )
    language = new.language or user.settings.default_language
    if language is not None and not languages.is_language(language):
        errors.add("language", "inclusion", "must be an ISO 639-1 language code (like en)")
    if len(new.media_ids) > settings.max_media_attachments:
        errors.add(
            "media_attachments",
            "too_long",
            Plural(
                "is too long (maximum is {count} attachment)",
                "is too long (maximum is {count} attachments)",
                settings.max_media_attachments,
            ),
        )
    errors.raise_if_any()
    return cast(Visibility, visibility), language


def validate(
    new: NewStatus, settings: Settings, account: Account, user: User
) -> tuple[Visibility, str | None]:
    """The checks of a new post (also applied to an edit): its visibility and language."""
    return _check(new, settings, account, user)


async def mentioned_accounts(
    conn: Conn, settings: Settings, body: str
) -> dict[tuple[str, str | None], Account]:
    """The local accounts a text mentions, by (username, domain) as written."""
    return await _mentioned_accounts(conn, settings, body)


async def create(
    db: Database,
    settings: Settings,
    account: Account,
    user: User,
    new: NewStatus,
    application_id: int | None = None,
) -> StatusBundle:
    visibility, language = _check(new, settings, account, user)
    now = clock.now()
    async with db.write() as conn:
        parent = (
            await visible(conn, account, new.in_reply_to_id, "reply_target")
            if new.in_reply_to_id
            else None
        )
        quoted = (
            await visible(conn, account, new.quoted_status_id) if new.quoted_status_id else None
        )
        if quoted is not None:
            await quote_rules.check(conn, account, quoted)
        # Lock order (store/writes.py): the parent and the quoted status (their counters
        # move), then our account, then the media to attach (so two posts cannot both take
        # the same attachment).
        moving = [s.id for s in (parent, quoted) if s is not None]
        locked = await store.lock_statuses(conn, moving)
        if parent is not None and parent.id not in locked:
            raise NotFound("reply_target")  # deleted meanwhile
        if quoted is not None and quoted.id not in locked:
            raise NotFound("status")
        await account_store.lock_accounts(conn, account.id)
        await store.lock_attachments(conn, new.media_ids)
        if new.scheduled_id is not None and not await scheduled_store.take(conn, new.scheduled_id):
            raise NotFound("row")  # published or cancelled meanwhile
        media = await media_store.get_many(conn, new.media_ids)
        for media_id in new.media_ids:
            item = media.get(media_id)
            if item is None or item.account_id != account.id:
                raise NotFound("file")
            if item.status_id is not None:
                raise Unprocessable("Media has already been attached to another post")
        media_rules.check_attachable(media.values())
        mentioned = await _mentioned_accounts(conn, settings, new.text)
        known = {
            text.mention_key(u, d): (urls.profile_url(settings, a), a.acct())
            for (u, d), a in mentioned.items()
        }
        status = Status(
            id=new_id(),
            account_id=account.id,
            text=new.text.strip(),
            content=text.render(new.text.strip(), base_url=settings.base_url, mention_urls=known),
            created_at=now,
            visibility=visibility,
            spoiler_text=new.spoiler_text.strip(),
            sensitive=bool(new.sensitive) or bool(new.spoiler_text.strip()),
            language=language,
            in_reply_to_id=parent.id if parent else None,
            in_reply_to_account_id=parent.account_id if parent else None,
            application_id=application_id,
            poll_id=poll_rules.new_poll_id() if new.poll is not None else None,
            quote_of_id=quoted.id if quoted else None,
            quote_state="accepted" if quoted else None,
            quote_policy=quote_rules.initial_policy(
                visibility, new.quote_policy, user.settings.default_quote_policy
            ),
        )
        recipients = await account_store.get_many(conn, new.recipient_ids, only_functional=True)
        if len(recipients) != len(set(new.recipient_ids)):
            raise NotFound("recipient")
        mention_ids = list(dict.fromkeys([*(a.id for a in mentioned.values()), *new.recipient_ids]))
        tag_ids = await store.ensure_tags(conn, text.hashtags(status.text), now)
        await store.insert(conn, status, mention_ids, tag_ids)
        await hashtags.on_posted(conn, account, visibility, tag_ids, now)
        if new.poll is not None and status.poll_id is not None:
            await poll_rules.attach(conn, status.id, account.id, status.poll_id, new.poll)
        await media_store.attach(conn, new.media_ids, status.id)
        await home_feeds.on_posted(conn, account, status)  # feed entries go with the row
        await account_store.adjust_counts(conn, account.id, statuses=1, last_status_at=now)
        if parent is not None:
            await store.adjust(conn, parent.id, replies=1)
        if quoted is not None:
            await store.adjust(conn, quoted.id, quotes=1)
        reached: list[int] = []  # the mentioned accounts this post notifies
        held: set[int] = set()  # …and those whose policy filtered or dropped the mention
        for target in mention_ids:
            if target != account.id and not await ignores(conn, target, account.id, status.id):
                _, verdict = await notification_store.insert(
                    conn,
                    account_id=target,
                    from_account_id=account.id,
                    type="mention",
                    status_id=status.id,
                    now=now,
                )
                if verdict != "accept":  # held back: no webhook, no conversation (yet)
                    held.add(target)
                    continue
                reached.append(target)
                await webhooks.emit(conn, target, "mention", note_id=status.id)
        await webhooks.emit(conn, account.id, "note", note_id=status.id)
        await status_subscriptions.notify(conn, status, now)
        if parent is not None and parent.account_id not in (account.id, *held):
            await webhooks.emit(conn, parent.account_id, "reply", note_id=status.id)
        if quoted is not None:
            await _notify_quoted(conn, account, quoted, status, now)
        stored = await store.get(conn, status.id)
        assert stored is not None
        await conversations.on_posted(conn, stored, reached)
        await preview_cards.on_saved(conn, stored)
        await stream_events.status_posted(conn, stored)
        await federation_outbox.posted(conn, account, stored)
        return await bundle(conn, account.id, [stored])


async def _notify_quoted(
    conn: Conn, account: Account, quoted: Status, quote: Status, now: datetime
) -> None:
    """A `quote` notification (and Misskey's `renote` webhook) for the quoted author."""
    if quoted.account_id == account.id or await ignores(
        conn, quoted.account_id, account.id, quoted.id
    ):
        return
    _, verdict = await notification_store.insert(
        conn,
        account_id=quoted.account_id,
        from_account_id=account.id,
        type="quote",
        status_id=quote.id,
        now=now,
    )
    if verdict == "accept":
        await webhooks.emit(conn, quoted.account_id, "renote", note_id=quote.id)


async def _mentioned_accounts(
    conn: Conn, settings: Settings, body: str
) -> dict[tuple[str, str | None], Account]:
    found: dict[tuple[str, str | None], Account] = {}
    for username, domain in text.mentions(body):
        local = domain is None or domain.lower() == settings.domain.lower()
        account = await account_store.by_username(conn, username, None if local else domain)
        if account is not None:
            found[(username, domain)] = account
    return found


async def ignores(conn: Conn, account_id: int, other_id: int, status_id: int | None = None) -> bool:
    """Does the account block or mute the other, or mute the thread of the status (so it gets
    no notification from it)?"""
    return await _ignores(conn, account_id, other_id) or (
        status_id is not None and await thread_store.thread_muted(conn, account_id, status_id)
    )


async def _ignores(conn: Conn, account_id: int, other_id: int) -> bool:
    """Does the account block or mute the other (so it gets no notification from it)?"""
    return await blocks.exists(conn, account_id, other_id) or await mutes.mutes_now(
        conn, account_id, other_id, clock.now()
    )


async def reblog(
    db: Database, account: Account, status_id: int, visibility: str | None = None
) -> StatusBundle:
    now = clock.now()
    async with db.write() as conn:
        original = await visible(conn, account, status_id)
        if original.reblog_of_id:
            original = await visible(conn, account, original.reblog_of_id)
        private_own = original.visibility == "private" and original.account_id == account.id
        if original.visibility == "direct" or (
            original.visibility == "private" and not private_own
        ):
            raise Forbidden("This action is not allowed")
        # Lock order (store/writes.py): the original (its reblogs_count moves), then our account.
        if not await store.lock_statuses(conn, [original.id]):
            raise NotFound("status")  # deleted meanwhile
        await account_store.lock_accounts(conn, account.id)
        existing = await store.reblog_by(conn, account.id, original.id)
        if existing is None:
            chosen = visibility if visibility in ("public", "unlisted", "private") else "public"
            if private_own:
                chosen = "private"
            made = Status(
                id=new_id(),
                account_id=account.id,
                text="",
                created_at=now,
                visibility=cast(Visibility, chosen),
                reblog_of_id=original.id,
            )
            # One reblog per account and status (a unique index): a racing twin inserts
            # nothing and answers with the reblog that won, like a repeated request.
            if await store.insert(conn, made, [], []):
                existing = made
                await _counted_reblog(conn, account, original, existing, now)
                await home_feeds.on_posted(conn, account, made, original.account_id)
                await federation_outbox.reblogged(conn, account, made, original)
            else:
                existing = await store.reblog_by(conn, account.id, original.id)
                if existing is None:
                    raise NotFound("status")  # the winner was undone meanwhile
        stored = await store.get(conn, existing.id)
        if stored is None:
            raise NotFound("status")
        return await bundle(conn, account.id, [stored])


async def _counted_reblog(
    conn: Conn, account: Account, original: Status, existing: Status, now: datetime
) -> None:
    """Counters, notification and webhooks of a reblog this transaction created."""
    await account_store.adjust_counts(conn, account.id, statuses=1, last_status_at=now)
    await store.adjust(conn, original.id, reblogs=1)
    if original.account_id != account.id and not await ignores(
        conn, original.account_id, account.id, original.id
    ):
        await notification_store.insert(
            conn,
            account_id=original.account_id,
            from_account_id=account.id,
            type="reblog",
            status_id=original.id,
            now=now,
        )
        await webhooks.emit(conn, original.account_id, "renote", note_id=existing.id)
    await webhooks.emit(conn, account.id, "note", note_id=existing.id)


async def unreblog(db: Database, account: Account, status_id: int) -> StatusBundle:
    async with db.write() as conn:
        original = await visible(conn, account, status_id)
        # Lock order (store/writes.py): the original, then our account (as delete and reblog).
        if not await store.lock_statuses(conn, [original.id]):
            raise NotFound("status")  # deleted meanwhile (its reblogs went with it)
        await account_store.lock_accounts(conn, account.id)
        undone = await store.reblog_by(conn, account.id, original.id)
        if undone is not None:  # in home feeds, a reblog held back behind it takes its place
            await home_feeds.on_reblog_removing(conn, undone, original.account_id)
        if await store.delete_reblog(conn, account.id, original.id):
            await account_store.adjust_counts(conn, account.id, statuses=-1)
            await store.adjust(conn, original.id, reblogs=-1)
            if undone is not None:
                await federation_outbox.unreblogged(conn, account, undone.id, original)
        refreshed = await store.get(conn, original.id)
        assert refreshed is not None
        return await bundle(conn, account.id, [refreshed])


@dataclass(frozen=True)
class AccountStatusesQuery:
    only_media: bool = False
    exclude_replies: bool = False
    exclude_reblogs: bool = False
    pinned: bool = False
    tagged: str | None = None
    exclude_direct: bool = False


async def of_account(
    db: Database,
    viewer: Account | None,
    account_id: int,
    page: Page,
    query: AccountStatusesQuery,
) -> StatusBundle:
    """An account's statuses as the viewer may see them, newest first."""
    async with db.read() as conn:
        owner = await require(conn, account_id)
        if owner.suspended:
            return StatusBundle(statuses=[])
        viewer_id = viewer.id if viewer else None
        visibilities: tuple[Visibility, ...] = ("public", "unlisted")
        mentioned: int | None = None
        if viewer is not None and viewer.id == owner.id:
            visibilities = VISIBILITIES
        elif viewer is not None:
            if await blocks.exists(conn, owner.id, viewer.id):
                return StatusBundle(statuses=[])
            if await store.is_follower(conn, viewer.id, owner.id):
                visibilities = ("public", "unlisted", "private")
            mentioned = viewer.id
        if query.exclude_direct:
            visibilities = tuple(v for v in visibilities if v != "direct")
            mentioned = None
        found = await store.by_account(
            conn,
            owner.id,
            page,
            store.AccountFilter(
                visibilities=visibilities,
                mentioned_viewer=mentioned,
                only_media=query.only_media,
                exclude_replies=query.exclude_replies,
                exclude_reblogs=query.exclude_reblogs,
                pinned=query.pinned,
                tagged=query.tagged,
                hide_reblogs_of=viewer_id if viewer_id != owner.id else None,
            ),
            clock.now(),
        )
        return await bundle(conn, viewer_id, found)
