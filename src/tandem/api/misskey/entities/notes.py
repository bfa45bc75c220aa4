"""Note (a status seen through Misskey)."""

from __future__ import annotations

from tandem.api.misskey.entities.common import TO_MISSKEY, Ctx, iso, sid
from tandem.api.misskey.entities.drive import drive_file
from tandem.api.misskey.entities.types import Note
from tandem.api.misskey.entities.user_lite import user_lite
from tandem.core import reactions
from tandem.core.models import Status
from tandem.core.statuses import StatusBundle


def note(ctx: Ctx, s: Status, b: StatusBundle) -> Note:
    author = b.accounts[s.account_id]
    renote = b.originals.get(s.reblog_of_id) if s.reblog_of_id else None
    renote_id = s.reblog_of_id
    if s.quote_of_id is not None:  # a quote is a renote with content
        renote, renote_id = _quoted(s, b)
    data: Note = {
        "id": str(s.id),
        "createdAt": iso(s.created_at),
        "userId": str(s.account_id),
        "user": user_lite(ctx, author),
        "text": s.text or None,
        "cw": s.spoiler_text or None,
        "visibility": TO_MISSKEY[s.visibility],
        "localOnly": False,
        "reactionAcceptance": None,
        "renoteCount": s.reblogs_count,
        "repliesCount": s.replies_count,
        "reactionCount": s.favourites_count,
        "reactions": _reactions(b.reactions.get(s.id, {})),
        "reactionEmojis": {},
        # Misskey sends `emojis` only on remote notes; megalodon maps any present value as a list.
        "fileIds": [str(m.id) for m in s.media],
        "files": [drive_file(ctx, m) for m in s.media],
        "replyId": sid(s.in_reply_to_id),
        "renoteId": sid(renote_id),
        "clippedCount": 0,
    }
    if s.uri:  # another server's note (Misskey: present on remote notes only)
        data["uri"] = s.uri
        data["url"] = s.url or s.uri
    if s.tags:
        data["tags"] = [t.lower() for t in s.tags]
    if s.mentions:
        data["mentions"] = [str(m.account_id) for m in s.mentions]
    if s.visibility == "direct":
        data["visibleUserIds"] = [str(m.account_id) for m in s.mentions]
    if renote is not None:
        data["renote"] = note(ctx, renote, b)
    poll = b.polls.get(s.poll_id) if s.poll_id else None
    if poll is not None:
        data["poll"] = {
            "multiple": poll.multiple,
            "expiresAt": iso(poll.expires_at),
            "choices": [
                {"text": text, "votes": count, "isVoted": i in poll.mine}
                for i, (text, count) in enumerate(zip(poll.options, poll.counts, strict=True))
            ],
        }
    if ctx.viewer_id is not None:
        mine = b.my_reactions.get(s.id)
        data["myReaction"] = reactions.decode(mine) if mine else None
    return data


def _quoted(s: Status, b: StatusBundle) -> tuple[Status | None, int | None]:
    """The quoted note as this viewer gets it packed, and the `renoteId` shown: none once
    the quoted note is gone; the id without the note when it is not for the viewer."""
    state = b.quote_states.get(s.id)
    if state is None:  # a quoted note's own quote, one level down: the id alone
        return None, s.quote_of_id if s.quote_state != "revoked" else None
    if state == "deleted":
        return None, None
    quoted = b.quoted.get(s.quote_of_id or 0)
    shown = quoted if quoted is not None and state in ("accepted", "muted_account") else None
    return shown, s.quote_of_id


def _reactions(stored: dict[str, int]) -> dict[str, int]:
    shown: dict[str, int] = {}
    for name, count in stored.items():
        key = reactions.decode(name)
        shown[key] = shown.get(key, 0) + count
    return shown


def notes(ctx: Ctx, b: StatusBundle) -> list[Note]:
    return [note(ctx, s, b) for s in b.statuses]
