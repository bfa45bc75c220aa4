"""Misskey's export and import file formats: CSV of handles, JSON of notes, antennas, clips."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from tandem.api.misskey.entities.common import TO_MISSKEY, Ctx, iso, sid
from tandem.api.misskey.entities.drive import drive_file
from tandem.core import urls
from tandem.core.antennas import SOURCES, AntennaSpec
from tandem.core.exports import KINDS, Batch
from tandem.core.i18n import Text
from tandem.core.models import Account, Status
from tandem.core.statuses import StatusBundle


def file_name(kind: str, now: datetime) -> str:
    return f"{kind}-{now.strftime('%Y-%m-%d-%H-%M-%S')}.{KINDS[kind][1]}"


def content_type(kind: str) -> str:
    return "text/csv" if KINDS[kind][1] == "csv" else "application/json"


def opening(kind: str) -> str:
    return "[" if KINDS[kind][1] == "json" else ""


def closing(kind: str) -> str:
    return "]" if KINDS[kind][1] == "json" else ""


def _acct(ctx: Ctx, account: Account) -> str:
    return f"{account.username}@{account.domain or ctx.settings.domain}"


def _note(ctx: Ctx, s: Status, b: StatusBundle) -> dict[str, Any]:
    return {
        "id": str(s.id),
        "text": s.text or None,
        "createdAt": iso(s.created_at),
        "fileIds": [str(m.id) for m in s.media],
        "files": [drive_file(ctx, m) for m in s.media],
        "replyId": sid(s.in_reply_to_id),
        "renoteId": sid(s.reblog_of_id),
        "poll": None,
        "cw": s.spoiler_text or None,
        "visibility": TO_MISSKEY[s.visibility],
        "visibleUserIds": [str(m.account_id) for m in s.mentions]
        if s.visibility == "direct"
        else [],
        "localOnly": False,
        "reactionAcceptance": None,
    }


def _favorite_note(ctx: Ctx, s: Status, b: StatusBundle) -> dict[str, Any]:
    author = b.accounts[s.account_id]
    data = _note(ctx, s, b)
    data.pop("files")
    data.update(
        {
            "uri": urls.note_uri(ctx.settings, author, s),
            "url": urls.note_url(ctx.settings, author, s),
            "user": {
                "id": str(author.id),
                "name": author.display_name or None,
                "username": author.username,
                "host": author.domain,
                "uri": author.uri,
            },
        }
    )
    return data


def _items(ctx: Ctx, kind: str, batch: Batch) -> list[Any]:
    """The batch's entries: CSV lines, or JSON values."""
    if kind in ("following", "blocking", "mute"):
        return [_acct(ctx, a) for a in batch.accounts]
    if kind == "user-lists":
        return [f"{title},{_acct(ctx, a)}" for title, a in batch.memberships]
    if kind == "notes" and batch.notes is not None:
        return [_note(ctx, s, batch.notes) for s in batch.notes.statuses]
    if kind == "favorites" and batch.notes is not None:
        notes = {s.id: s for s in batch.notes.statuses}
        shown = zip(batch.favorites, batch.notes.statuses, strict=False)
        return [
            {
                "id": str(fav_id),
                "createdAt": iso(created),
                "note": _favorite_note(ctx, notes[s.id], batch.notes),
            }
            for (fav_id, created), s in shown
        ]
    if kind == "antennas":
        return [
            {
                "name": a.name,
                "src": a.src,
                "userListAccts": [_acct(ctx, m) for m in batch.antenna_lists.get(a.list_id, [])]
                if a.list_id is not None
                else None,
                "keywords": a.keywords,
                "excludeKeywords": a.exclude_keywords,
                "users": a.users,
                "caseSensitive": a.case_sensitive,
                "localOnly": a.local_only,
                "excludeBots": a.exclude_bots,
                "withReplies": a.with_replies,
                "withFile": a.with_file,
            }
            for a in batch.antennas
        ]
    return [
        {
            "id": str(clip.id),
            "name": clip.name,
            "description": clip.description,
            "lastClippedAt": iso(clip.last_clipped_at),
            "clipNotes": [{"note": _note(ctx, s, notes)} for s in notes.statuses],
        }
        for clip, notes in batch.clips
    ]


def chunk(ctx: Ctx, kind: str, batch: Batch, written_before: int) -> tuple[bytes, int]:
    """The bytes to append for one batch, and how many entries they hold."""
    items = _items(ctx, kind, batch)
    if KINDS[kind][1] == "csv":
        return "".join(f"{line}\n" for line in items).encode(), len(items)
    parts = [orjson.dumps(item).decode() for item in items]
    text = ",".join(parts)
    if parts and written_before:
        text = "," + text
    return text.encode(), len(items)


# Imports


class BadFile(ValueError):
    """The file is not in the format the import expects; the message says what is wrong."""

    def __init__(self, message: Text) -> None:
        super().__init__(message)
        self.message = message


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadFile(Text("the file is not UTF-8 text")) from None


def accts(data: bytes) -> list[str]:
    """One handle per line; Mastodon's CSV (handle in the first column, a header) works too."""
    found = []
    for line in _text(data).splitlines():
        acct = line.split(",")[0].strip()
        if acct and "@" in acct.lstrip("@"):
            found.append(acct)
    return found


def list_rows(data: bytes) -> list[tuple[str, str]]:
    """`list name,handle` lines."""
    rows = []
    for line in _text(data).splitlines():
        title, _, acct = line.rpartition(",")
        if title.strip() and acct.strip():
            rows.append((title.strip(), acct.strip()))
    return rows


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _groups(value: Any) -> list[list[str]]:
    return [_strings(g) for g in value if isinstance(g, list)] if isinstance(value, list) else []


def antenna_specs(data: bytes) -> list[tuple[AntennaSpec, list[str] | None]]:
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise BadFile(Text("the file is not JSON")) from None
    if not isinstance(parsed, list):
        raise BadFile(Text("the file must hold a JSON array of antennas"))
    specs = []
    for entry in parsed:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise BadFile(Text("each antenna must be an object with a name"))
        if entry.get("src") not in SOURCES:
            raise BadFile(Text("antenna {name} has an unknown src", name=repr(entry["name"])))
        spec = AntennaSpec(
            name=entry["name"],
            src=entry["src"],
            keywords=_groups(entry.get("keywords")),
            exclude_keywords=_groups(entry.get("excludeKeywords")),
            users=_strings(entry.get("users")),
            case_sensitive=bool(entry.get("caseSensitive")),
            local_only=bool(entry.get("localOnly")),
            exclude_bots=bool(entry.get("excludeBots")),
            with_replies=bool(entry.get("withReplies")),
            with_file=bool(entry.get("withFile")),
        )
        members = entry.get("userListAccts")
        specs.append((spec, _strings(members) if isinstance(members, list) else None))
    return specs
