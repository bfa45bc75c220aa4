"""A post's media in the order the client listed them (Mastodon's ordered_media_attachment_ids):
on create, on edit (each version of the history in its own order), in scheduled posts and in
Misskey's notes/create; and an audio file's embedded cover picture as its thumbnail. The audio
files are made here: a tone from PyAV, with an ID3v2 APIC frame built by hand (MP3) or a cover
stream PyAV writes itself (M4A, FLAC); no binary fixtures."""

from __future__ import annotations

import io
import os
import struct
import tempfile
import time
import zlib
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import av
import httpx
import pytest
from PIL import Image

from support.api import Api, User, register
from support.images import png
from support.misskey import Misskey, mk_user
from support.schemas import assert_valid
from support.server import RunningServer
from test_media_av import _tone, served_as, sound, wait_ready
from test_scheduled_statuses import at


def _photo(user: User, color: tuple[int, int, int]) -> str:
    r = user.api.post("/api/v2/media", files={"file": ("p.png", png(32, 32, color), "image/png")})
    assert r.status_code in (200, 202), r.text
    return str(r.json()["id"])


def _ids(status: dict[str, Any]) -> list[str]:
    return [m["id"] for m in status["media_attachments"]]


def test_create_and_edit_keep_the_clients_order(
    server: RunningServer, alice: User, bob: User
) -> None:
    a, b, c = (_photo(alice, color) for color in ((200, 0, 0), (0, 200, 0), (0, 0, 200)))
    r = alice.api.post("/api/v1/statuses", json={"status": "three", "media_ids": [b, a]})
    assert r.status_code == 200, r.text
    status = r.json()
    assert_valid("Status", status)
    assert _ids(status) == [b, a]
    assert _ids(Api(server).get(f"/api/v1/statuses/{status['id']}").json()) == [b, a]
    # The batched timeline read shows the same order.
    mine = alice.api.get(f"/api/v1/accounts/{alice.id}/statuses").json()
    assert _ids(next(s for s in mine if s["id"] == status["id"])) == [b, a]
    # Only the order changes: that is an edit, with a version of its own.
    r = alice.api.put(
        f"/api/v1/statuses/{status['id']}", json={"status": "three", "media_ids": [a, b]}
    )
    assert r.status_code == 200, r.text
    assert _ids(r.json()) == [a, b]
    assert r.json()["edited_at"] is not None
    assert _ids(bob.api.get(f"/api/v1/statuses/{status['id']}").json()) == [a, b]
    r = alice.api.put(
        f"/api/v1/statuses/{status['id']}",
        json={
            "status": "three again",
            "media_ids": [c, a],
            "media_attributes": [{"id": a, "description": "red"}],
        },
    )
    assert r.status_code == 200, r.text
    assert _ids(r.json()) == [c, a]
    assert r.json()["media_attachments"][1]["description"] == "red"
    history = Api(server).get(f"/api/v1/statuses/{status['id']}/history").json()
    for version in history:
        assert_valid("StatusEdit", version)
    assert [_ids(v) for v in history] == [[b, a], [a, b], [c, a]]
    assert [m["description"] for m in history[1]["media_attachments"]] == [None, None]
    source = alice.api.get(f"/api/v1/statuses/{status['id']}/source").json()
    assert source["text"] == "three again"
    # Sent again as it is: no new version; b, taken off, can go on another post.
    r = alice.api.put(
        f"/api/v1/statuses/{status['id']}", json={"status": "three again", "media_ids": [c, a]}
    )
    assert _ids(r.json()) == [c, a]
    assert len(Api(server).get(f"/api/v1/statuses/{status['id']}/history").json()) == 3
    other = alice.api.post("/api/v1/statuses", json={"status": "b", "media_ids": [b]}).json()
    assert _ids(other) == [b]
    # Misskey shows the post's files in the same order.
    note = Misskey(server)("notes/show", {"noteId": status["id"]})
    assert note["fileIds"] == [c, a]
    assert [f["id"] for f in note["files"]] == [c, a]


@pytest.mark.parametrize("field", ["fileIds", "mediaIds"])
def test_misskey_note_files_in_the_order_sent(server: RunningServer, field: str) -> None:
    user = mk_user(server)
    files = [
        user.mk.upload(png(16, 16, (i * 60, 10, 10)), f"{i}.png", "image/png")["id"]
        for i in range(3)
    ]
    wanted = [files[2], files[0], files[1]]
    note = user.mk("notes/create", {"text": "ordered", field: wanted})["createdNote"]
    assert note["fileIds"] == wanted
    assert [f["id"] for f in note["files"]] == wanted
    shown = Misskey(server)("notes/show", {"noteId": note["id"]})
    assert shown["fileIds"] == wanted
    assert _ids(Api(server).get(f"/api/v1/statuses/{note['id']}").json()) == wanted
    timeline = user.mk("users/notes", {"userId": user.id})
    assert next(n for n in timeline if n["id"] == note["id"])["fileIds"] == wanted


def test_scheduled_post_keeps_the_order(make_server: Callable[..., RunningServer]) -> None:
    server = make_server(schedule_min_ahead_seconds=0)
    alice = register(server)
    a, b = _photo(alice, (90, 0, 0)), _photo(alice, (0, 90, 0))
    r = alice.api.post(
        "/api/v1/statuses",
        json={"status": "later", "media_ids": [b, a], "scheduled_at": at(1)},
    )
    assert r.status_code == 200, r.text
    assert r.json()["params"]["media_ids"] == [b, a]
    deadline = time.monotonic() + 20
    posted: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not posted:
        posted = alice.api.get(f"/api/v1/accounts/{alice.id}/statuses").json()
        time.sleep(0.2)
    assert [_ids(s) for s in posted] == [[b, a]]


# Audio with a cover picture.


def _synchsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def id3_cover(picture: bytes, mime: bytes = b"image/png") -> bytes:
    """An ID3v2.3 tag holding one APIC frame (front cover) with `picture`."""
    body = b"\x00" + mime + b"\x00" + b"\x03" + b"cover\x00" + picture
    frame = b"APIC" + struct.pack(">I", len(body)) + b"\x00\x00" + body
    return b"ID3\x03\x00\x00" + _synchsafe(len(frame)) + frame


def with_cover_stream(fmt: str, codec: str, picture: bytes, size: tuple[int, int]) -> bytes:
    """A second of tone with `picture` as an attached-picture stream, written by FFmpeg."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"out.{fmt}")
        with av.open(path, "w", format=fmt) as out:
            rate = 44100
            audio = out.add_stream(codec, rate=rate)
            cover = out.add_stream("png")
            cover.width, cover.height = size
            cover.pix_fmt = "rgb24"
            cover.disposition = av.stream.Disposition.attached_pic
            for i in range(rate // 1024):
                out.mux(audio.encode(_tone(i, rate)))
            out.mux(audio.encode(None))
            packet = av.Packet(picture)
            packet.stream = cover
            packet.pts = packet.dts = 0
            packet.time_base = Fraction(1, 90000)
            out.mux(packet)
        with open(path, "rb") as written:
            return written.read()


def huge_png() -> bytes:
    """A PNG whose header claims 10000x10000 pixels (past the image bounds)."""
    data = bytearray(png(8, 8))
    ihdr = 8 + 8  # signature, then the IHDR chunk's length and type
    data[ihdr : ihdr + 8] = struct.pack(">II", 10_000, 10_000)
    crc = zlib.crc32(bytes(data[ihdr - 4 : ihdr + 13]))
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


def _upload(user: User, version: str, name: str, data: bytes, kind: str, **files: Any) -> Any:
    sent: dict[str, Any] = {"file": (name, data, kind), **files}
    r = user.api.post(f"/api/{version}/media", files=sent)
    assert r.status_code in (200, 202), r.text
    return wait_ready(user, r.json()["id"]) if r.status_code == 202 else r.json()


def _has_cover(media: dict[str, Any], size: tuple[int, int]) -> None:
    assert_valid("MediaAttachment", media)
    assert media["type"] == "audio"
    assert media["preview_url"] is not None
    assert media["blurhash"]
    small = media["meta"]["small"]
    assert (small["width"], small["height"]) == size
    with Image.open(io.BytesIO(served_as(media["preview_url"], "image/jpeg"))) as thumb:
        assert thumb.size == size
        assert thumb.getpixel((1, 1))[0] > 150  # the red cover


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_mp3_cover_art_is_the_thumbnail(alice: User, version: str) -> None:
    cover = png(120, 80, (220, 20, 20))
    media = _upload(alice, version, "song.mp3", id3_cover(cover) + sound(), "audio/mpeg")
    _has_cover(media, (120, 80))
    assert media["meta"]["original"]["duration"] > 0.5
    # The served file is the sound alone (the cover went into the thumbnail).
    with av.open(io.BytesIO(httpx.get(media["url"]).content)) as kept:
        assert not kept.streams.video
    # Posted, the status shows it as well.
    status = alice.api.post("/api/v1/statuses", json={"media_ids": [media["id"]]}).json()
    assert status["media_attachments"][0]["preview_url"] == media["preview_url"]


def test_m4a_and_flac_covers(alice: User) -> None:
    cover = png(40, 30, (230, 40, 40))
    m4a = with_cover_stream("mp4", "aac", cover, (40, 30))
    _has_cover(_upload(alice, "v1", "song.m4a", m4a, "audio/mp4"), (40, 30))
    flac = with_cover_stream("flac", "flac", cover, (40, 30))
    media = _upload(alice, "v2", "song.flac", flac, "audio/flac")
    _has_cover(media, (40, 30))
    assert httpx.get(media["url"]).headers["content-type"] == "audio/mpeg"  # converted


def test_audio_without_a_usable_cover_has_no_thumbnail(alice: User) -> None:
    for data in (
        sound(),
        id3_cover(huge_png()) + sound(),
        id3_cover(b"not a picture at all") + sound(),
    ):
        media = _upload(alice, "v1", "song.mp3", data, "audio/mpeg")
        assert media["type"] == "audio"
        assert media["preview_url"] is None
        assert media["blurhash"] is None
        assert "small" not in media["meta"]


def test_the_clients_thumbnail_wins_over_the_cover(alice: User) -> None:
    data = id3_cover(png(120, 80)) + sound()
    thumbnail = ("t.png", png(20, 20, (10, 10, 240)), "image/png")
    for version in ("v1", "v2"):
        media = _upload(alice, version, "song.mp3", data, "audio/mpeg", thumbnail=thumbnail)
        assert media["meta"]["small"]["width"] == 20
        with Image.open(io.BytesIO(served_as(media["preview_url"], "image/jpeg"))) as thumb:
            assert thumb.size == (20, 20)
