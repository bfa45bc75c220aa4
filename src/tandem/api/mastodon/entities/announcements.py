"""Announcement (Mastodon's REST::AnnouncementSerializer), for the REST list and the
`announcement` stream events.

`content` is the text as Mastodon renders a post's (links, mentions of local accounts,
hashtags), after the title (Misskey's) in bold when there is one. `statuses` is always
empty: Mastodon fills it from links an admin attaches, which tandem's announcements have not.
"""

from __future__ import annotations

from tandem.api.mastodon.endpoint import Ctx
from tandem.api.mastodon.entities import announcement_types as at
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.formats import iso_ms
from tandem.core import text, urls
from tandem.core.announcements import Announcement, Shown
from tandem.core.models import CustomEmoji


def _emoji(ctx: Ctx, e: CustomEmoji) -> t.CustomEmoji:
    return {
        "shortcode": e.shortcode,
        "url": urls.file_url(ctx.settings, e.image.path),
        "static_url": urls.file_url(ctx.settings, e.image.static_path or e.image.path),
        "visible_in_picker": e.visible_in_picker,
        "category": e.category,
    }


def _content(ctx: Ctx, a: Announcement, shown: Shown) -> str:
    targets = {
        key: (urls.profile_url(ctx.settings, account), account.acct())
        for key, account in shown.mentioned.items()
    }
    body = text.render(a.text, base_url=ctx.settings.base_url, mention_urls=targets)
    if a.title:
        return f"<p><strong>{text.escape(a.title)}</strong></p>{body}"
    return body


def _reactions(ctx: Ctx, a: Announcement, shown: Shown) -> list[at.Reaction]:
    out: list[at.Reaction] = []
    for r in shown.reactions.get(a.id, []):
        emoji = shown.emojis.get(r.name)
        url = urls.file_url(ctx.settings, emoji.image.path) if emoji else None
        still = (
            urls.file_url(ctx.settings, emoji.image.static_path or emoji.image.path)
            if emoji
            else None
        )
        out.append({"name": r.name, "count": r.count, "me": r.me, "url": url, "static_url": still})
    return out


def announcement(ctx: Ctx, a: Announcement, shown: Shown) -> at.Announcement:
    mentioned = [
        shown.mentioned[text.mention_key(u, None)]
        for u, d in text.mentions(a.text)
        if d is None and text.mention_key(u, None) in shown.mentioned
    ]
    published = a.published_at or a.created_at
    return {
        "id": str(a.id),
        "content": _content(ctx, a, shown),
        "starts_at": iso_ms(a.starts_at),
        "ends_at": iso_ms(a.ends_at),
        "all_day": a.all_day and a.starts_at is not None,
        "published_at": iso_ms(published) or "",
        "updated_at": iso_ms(a.updated_at or published) or "",
        "read": shown.read is not None and a.id in shown.read,
        "mentions": [
            {
                "id": str(m.id),
                "username": m.username,
                "url": urls.profile_url(ctx.settings, m),
                "acct": m.acct(),
            }
            for m in mentioned
        ],
        "statuses": [],
        "tags": [
            {"name": tag, "url": urls.tag_url(ctx.settings, tag)} for tag in text.hashtags(a.text)
        ],
        "emojis": [_emoji(ctx, e) for code, e in shown.emojis.items() if f":{code}:" in a.text],
        "reactions": _reactions(ctx, a, shown),
    }


async def announcements(ctx: Ctx, shown: Shown) -> list[at.Announcement]:
    return [announcement(ctx, a, shown) for a in shown.items]
