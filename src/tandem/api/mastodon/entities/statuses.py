"""Status, MediaAttachment, mentions and tags; Notification (which may carry a status)."""

from __future__ import annotations

from typing import cast

from tandem.api.mastodon.entities import cards
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.accounts import Render, account
from tandem.api.mastodon.formats import iso_ms
from tandem.config import Settings
from tandem.core import polls, quote_rules, reactions, urls
from tandem.core.models import MediaAttachment, Poll, Status
from tandem.core.statuses import StatusBundle


def _size(width: int, height: int) -> t.MediaSize:
    return {
        "width": width,
        "height": height,
        "size": f"{width}x{height}",
        "aspect": round(width / height, 6) if height else 0,
    }


def media_attachment(settings: Settings, media: MediaAttachment) -> t.MediaAttachment:
    """Mastodon's MediaAttachment; a video or audio file has `url: null` until processed,
    its meta.original is what FFmpeg says of it, and meta.small is its thumbnail's size."""
    meta: t.MediaMeta = {"focus": {"x": media.focus[0], "y": media.focus[1]}}
    small = media.thumbnail
    original: t.MediaSize | t.MediaFileMeta | None = None
    if media.type in ("video", "gifv", "audio"):
        if media.processed and media.meta is not None:
            original = cast(t.MediaFileMeta, media.meta)
    else:
        small = small or media.file
        original = _size(media.file.width, media.file.height)
    if small is not None:  # keys in Mastodon's order: original, small, focus
        meta = {"small": _size(small.width, small.height), **meta}
    if original is not None:
        meta = {"original": original, **meta}
    return {
        "id": str(media.id),
        "type": media.type,
        "url": urls.file_url(settings, media.file.path) if media.processed else None,
        "preview_url": urls.file_url(settings, small.path) if small is not None else None,
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": media.description or None,
        "blurhash": media.blurhash,
    }


def status(
    s: Status, b: StatusBundle, r: Render, *, with_source: bool = False, nested: bool = False
) -> t.Status:
    """A Status; `nested` (a quoted status shown inside a quote) gives its own quote as a
    ShallowQuote, as Mastodon does, so quotes never nest further."""
    settings = r.settings
    author = b.accounts[s.account_id]
    original = b.originals.get(s.reblog_of_id) if s.reblog_of_id else None
    shown = original or s
    data: t.Status = {
        "id": str(s.id),
        # iso_ms is typed for an optional moment; a present one always gives a string.
        "created_at": cast(str, iso_ms(s.created_at)),
        "in_reply_to_id": str(s.in_reply_to_id) if s.in_reply_to_id else None,
        "in_reply_to_account_id": str(s.in_reply_to_account_id)
        if s.in_reply_to_account_id
        else None,
        "sensitive": s.sensitive,
        "spoiler_text": s.spoiler_text,
        "visibility": s.visibility,
        "language": s.language,
        "uri": urls.note_uri(settings, author, s) + ("/activity" if original and not s.uri else ""),
        "url": None if original else urls.note_url(settings, author, s),
        "replies_count": s.replies_count,
        "reblogs_count": s.reblogs_count,
        "favourites_count": s.favourites_count,
        "edited_at": iso_ms(s.edited_at),
        "content": "" if original else s.content,
        "reblog": status(original, b, r, nested=nested) if original else None,
        "application": None,
        "account": account(author, r),
        "media_attachments": [media_attachment(settings, m) for m in s.media],
        "mentions": [_mention(settings, b, m.account_id) for m in s.mentions],
        "tags": [{"name": t.lower(), "url": urls.tag_url(settings, t.lower())} for t in s.tags],
        "emojis": [],
        "card": cards.preview_card(settings, b.cards[s.id]) if s.id in b.cards else None,
        "poll": poll(b.polls[s.poll_id], b.viewer_id) if s.poll_id in b.polls else None,
        "reactions": _reactions(s, b, settings),
        "quote": _quote(s, b, r, nested),
        "quote_approval": {
            "automatic": quote_rules.automatic(s),
            "manual": [],
            "current_user": quote_rules.approval(s, b.viewer_id, s.account_id in b.following),
        },
        "quotes_count": s.quotes_count,
    }
    app = b.applications.get(s.application_id) if s.application_id else None
    if app is not None:
        data["application"] = {"name": app.name, "website": app.website}
    if b.viewer_id is not None:
        data["favourited"] = shown.id in b.my_reactions
        data["reblogged"] = shown.id in b.reblogged
        data["muted"] = s.id in b.muted
        data["bookmarked"] = shown.id in b.favorited
        data["filtered"] = []
        if s.account_id == b.viewer_id and not original and s.visibility != "direct":
            data["pinned"] = s.id in b.pinned
    if with_source:
        data["text"] = s.text
    return data


def _quote(s: Status, b: StatusBundle, r: Render, nested: bool) -> t.Quote | t.ShallowQuote | None:
    if s.quote_of_id is None:
        return None
    state = b.quote_states.get(s.id)
    if nested or state is None:  # one level down: the id and the stored state only
        shallow = "revoked" if s.quote_state == "revoked" else "accepted"
        shown_id = str(s.quote_of_id) if shallow == "accepted" else None
        return {"state": shallow, "quoted_status_id": shown_id}
    quoted = b.quoted.get(s.quote_of_id)
    shown = quoted is not None and quote_rules.shows_quoted(state)
    return {
        "state": state,
        "quoted_status": status(quoted, b, r, nested=True) if shown and quoted else None,
    }


def poll(p: Poll, viewer_id: int | None) -> t.Poll:
    ended = polls.expired(p)
    hidden = p.hide_totals and not ended and viewer_id != p.account_id
    data: t.Poll = {
        "id": str(p.id),
        "expires_at": iso_ms(p.expires_at),
        "expired": ended,
        "multiple": p.multiple,
        "votes_count": sum(p.counts),
        "voters_count": p.voters if p.multiple else None,
        "options": [
            {"title": title, "votes_count": None if hidden else count}
            for title, count in zip(p.options, p.counts, strict=True)
        ],
        "emojis": [],
    }
    if viewer_id is not None:
        data["voted"] = bool(p.mine) or viewer_id == p.account_id
        data["own_votes"] = list(p.mine)
    return data


def _reactions(s: Status, b: StatusBundle, settings: Settings) -> list[t.StatusReaction]:
    """Unicode reactions by their emoji; custom ones by shortcode with their image, as
    GoToSocial and Pleroma-family servers show them."""
    mine = b.my_reactions.get(s.id)
    counts = b.reactions.get(s.id, {})
    shown: list[t.StatusReaction] = []
    for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        shortcode = reactions.custom_shortcode(name)
        emoji = b.emojis.get(shortcode) if shortcode else None
        url = urls.file_url(settings, emoji.image.path) if emoji else None
        shown.append(
            {
                "name": shortcode or reactions.decode(name),
                "count": count,
                "me": name == mine,
                "url": url,
                "static_url": url,
            }
        )
    return shown


def _mention(settings: Settings, b: StatusBundle, account_id: int) -> t.StatusMention:
    mentioned = b.accounts[account_id]
    return {
        "id": str(mentioned.id),
        "username": mentioned.username,
        "url": urls.profile_url(settings, mentioned),
        "acct": mentioned.acct(),
    }


def statuses(b: StatusBundle, r: Render) -> list[t.Status]:
    return [status(s, b, r) for s in b.statuses]
