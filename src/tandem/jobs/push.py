"""deliver_push: one Web Push message to one subscription, in its dialect's payload shape.

The body is JSON encrypted for the subscription (RFC 8291 `aes128gcm`), signed for the push
service with the server's VAPID key (RFC 8292), and sent with TTL and Urgency headers. A
push service answering 404 or 410 has forgotten the subscription: it is dropped. 429, 5xx
and network failures are retried with backoff (the worker's attempts); other answers are
final. Like webhooks, only public addresses are reached (loopback with
`allow_loopback_fetch`).

Misskey: `{type, body, userId, dateTime}` with type `notification` (sent only if the
notification is still unread when the job runs, two seconds after it was made; the note's
text becomes a summary, and its cw, reply, renote and user are left out),
`readAllNotifications` (no body) or `newChatMessage` (a ChatMessage).
Mastodon: `{access_token, preferred_locale, notification_id, notification_type, icon,
title, body}`, as its Web::NotificationSerializer, if the subscription's alerts take the
type and its policy the sender.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import httpx
import orjson

from tandem.api.misskey.entities.chat import chat_message
from tandem.api.misskey.entities.common import Ctx
from tandem.api.misskey.entities.notifications import HIDDEN, notification
from tandem.core import chat_messages, clock, notifications, push, sessions, urls, vapid
from tandem.core.errors import DomainError
from tandem.core.i18n import Text, render
from tandem.core.models import Account, Notification, Status
from tandem.core.notification_kinds import MISSKEY_ONLY_TYPES
from tandem.core.notifications import NotificationPage
from tandem.core.push import Subscription
from tandem.jobs.outbound import may_reach
from tandem.jobs.worker import JobContext
from tandem.tls import client_context

TTL = {"mastodon": 48 * 3600, "misskey": 28 * 86400}  # each server's own choice
BODY_LENGTH = 140
_TAGS = re.compile(r"<[^>]*>")

# Mastodon's push titles, per notification type (its notification e-mails' subjects).
TITLES = {
    "mention": Text("You were mentioned by {name}"),
    "status": Text("{name} just posted"),
    "reblog": Text("{name} boosted your post"),
    "follow": Text("{name} is now following you"),
    "follow_request": Text("Pending follower: {name}"),
    "favourite": Text("{name} favorited your post"),
    "poll": Text("A poll by {name} has ended"),
    "update": Text("{name} edited a post"),
    "admin.sign_up": Text("{name} signed up"),
    "admin.report": Text("{name} submitted a report"),
    "quote": Text("{name} quoted your post"),
    "quoted_update": Text("{name} edited a post you have quoted"),
}


class PushFailed(Exception):
    """A delivery worth trying again."""


def _status_of(page: NotificationPage, n: Notification) -> Status | None:
    return next((s for s in page.statuses.statuses if s.id == n.status_id), None)


def _summary(note: dict[str, Any]) -> str:
    """What a Misskey push shows of a note: its cw, else its text, and how many files."""
    text = note.get("cw") or note.get("text") or ""
    files = note.get("files") or []
    return f"{text} (📎{len(files)})".strip() if files else str(text)


async def _misskey_body(ctx: JobContext, owner: Account) -> dict[str, Any] | None:
    """The `body` of a `notification` or `newChatMessage` push; None: nothing to push."""
    p, db = ctx.payload, ctx.services.db
    render_ctx = Ctx(ctx.services.settings, owner.id)
    if p["event"] == "newChatMessage":
        found = await chat_messages.message_for(db, owner, p["message_id"])
        return dict(chat_message(render_ctx, found)) if found is not None else None
    if not await push.still_unread(db, p["notification_id"]):
        return None
    try:
        page = await notifications.one(db, owner, p["notification_id"])
    except DomainError:
        return None
    if not page.items or page.items[0].type in HIDDEN:
        return None
    shown: dict[str, Any] = dict(notification(render_ctx, page, page.items[0]))
    note = shown.get("note")
    if isinstance(note, dict):
        slim = {k: v for k, v in note.items() if k not in ("cw", "reply", "renote", "user")}
        slim["text"] = _summary(note)
        shown["note"] = slim
    return shown


def _plain(html_or_text: str) -> str:
    text = unescape(_TAGS.sub("", html_or_text))
    if len(text) > BODY_LENGTH:  # Rails' truncate: the omission counts in the length
        text = text[: BODY_LENGTH - 3] + "..."
    return text


async def _mastodon_body(
    ctx: JobContext, sub: Subscription, owner: Account
) -> dict[str, Any] | None:
    p, services = ctx.payload, ctx.services
    db, settings = services.db, services.settings
    if p["event"] != "notification":
        return None
    if not await push.token_usable(db, sub):  # the token went: so does its subscription
        await push.drop(db, sub.id)
        return None
    try:
        page = await notifications.one(db, owner, p["notification_id"])
    except DomainError:
        return None
    n = page.items[0] if page.items else None
    if n is None or n.type in MISSKEY_ONLY_TYPES or not sub.alerts.get(n.type):
        return None
    if not await push.policy_allows(db, sub, n.from_account_id):
        return None
    sender = page.accounts.get(n.from_account_id) if n.from_account_id else None
    if sender is None:
        return None
    found = await sessions.user_of(db, owner.id)
    locale = (found[1].locale if found else None) or "en"
    status = _status_of(page, n)
    body = (status.spoiler_text or status.text) if status is not None else sender.note
    images = urls.image_urls(settings, sender.avatar) if not sender.suspended else None
    template = TITLES.get(n.type, TITLES["mention"]).template
    title = Text(template, name=sender.display_name or sender.username)
    return {
        "access_token": vapid.unseal(settings.secret_key, sub.sealed_token),
        "preferred_locale": locale,
        "notification_id": str(n.id),
        "notification_type": n.type,
        "icon": images[1] if images else urls.missing_image(settings, "avatar"),
        "title": render(title, locale),
        "body": _plain(body),
    }


async def _message(ctx: JobContext, sub: Subscription) -> dict[str, Any] | None:
    owner = await sessions.user_of(ctx.services.db, sub.account_id)
    if owner is None:
        return None
    if sub.dialect == "mastodon":
        return await _mastodon_body(ctx, sub, owner[0])
    message: dict[str, Any] = {"type": ctx.payload["event"]}
    if message["type"] != "readAllNotifications":  # (which has no body)
        body = await _misskey_body(ctx, owner[0])
        if body is None:
            return None
        message["body"] = body
    message["userId"] = str(sub.account_id)
    message["dateTime"] = int(clock.now().timestamp() * 1000)
    return message


async def deliver_push(ctx: JobContext) -> None:
    services = ctx.services
    settings = services.settings
    sub = await push.get(services.db, int(ctx.payload["subscription_id"]))
    if sub is None:
        return
    message = await _message(ctx, sub)
    if message is None:
        return
    url = sub.endpoint
    if not await may_reach(url, settings.allow_loopback_fetch):
        return  # a private address will not become public by retrying
    headers = {
        "Authorization": vapid.authorization(settings.data_dir, url, settings.base_url),
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "TTL": str(TTL.get(sub.dialect, TTL["mastodon"])),
        "Urgency": "normal",
    }
    try:
        body = vapid.encrypt(orjson.dumps(message), sub.p256dh, sub.auth)
    except ValueError:
        await push.drop(services.db, sub.id)  # keys no browser made: nothing can read it
        return
    try:
        async with httpx.AsyncClient(
            timeout=15, follow_redirects=False, verify=client_context()
        ) as client:
            response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise PushFailed(f"could not reach {url}: {exc}") from None
    status = response.status_code
    if status in (404, 410):
        await push.drop(services.db, sub.id)
    elif status >= 500 or status == 429:
        raise PushFailed(f"{url} answered {status}")
