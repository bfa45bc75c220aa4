"""Video, audio and GIFV uploads: Mastodon's v1 (converted at once) and v2 (a job converts them:
202 with `url: null`, GET 206 until done), meta as Mastodon serialises it, thumbnails (the first
frame, or the client's own), bounds, and Misskey's Drive view of the same files. Every clip is
made here with PyAV (a second of 64x64, a tone, an animated GIF): no binary fixtures."""

from __future__ import annotations

import io
import math
import struct
import time
from fractions import Fraction
from typing import Any

import av
import httpx
import pytest
from PIL import Image

from support.api import User, register
from support.images import png
from support.misskey import Misskey, mk_user, sign_in
from support.schemas import assert_valid
from support.server import RunningServer

NOT_READY = "Cannot attach files that have not finished processing. Try again in a moment!"


def _tone(index: int, rate: int) -> av.AudioFrame:
    frame = av.AudioFrame(format="s16", layout="mono", samples=1024)
    samples = (int(8000 * math.sin((index * 1024 + k) * 0.05)) for k in range(1024))
    frame.planes[0].update(b"".join(struct.pack("<h", s) for s in samples))
    frame.sample_rate = rate
    frame.pts = index * 1024
    frame.time_base = Fraction(1, rate)
    return frame


def clip(
    fmt: str = "mp4",
    codec: str = "libx264",
    *,
    sound: str | None = "aac",
    size: tuple[int, int] = (64, 64),
    frames: int = 25,
    rate: int = 25,
) -> bytes:
    """A short clip: `frames` frames changing colour, and a tone unless `sound` is None."""
    out_buffer = io.BytesIO()
    with av.open(out_buffer, "w", format=fmt) as out:
        video = out.add_stream(codec, rate=rate)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        audio_rate = 48000 if sound == "libopus" else 44100
        audio = out.add_stream(sound, rate=audio_rate) if sound else None
        for i in range(frames):
            picture = av.VideoFrame.from_image(Image.new("RGB", size, (i * 9 % 256, 90, 200)))
            out.mux(video.encode(picture))
        out.mux(video.encode(None))
        if audio is not None:
            for i in range(frames * audio_rate // rate // 1024):
                out.mux(audio.encode(_tone(i, audio_rate)))
            out.mux(audio.encode(None))
    return out_buffer.getvalue()


def sound(fmt: str = "mp3", codec: str = "libmp3lame") -> bytes:
    """About a second of a tone."""
    out_buffer = io.BytesIO()
    with av.open(out_buffer, "w", format=fmt) as out:
        rate = 48000 if codec == "libopus" else 44100
        stream = out.add_stream(codec, rate=rate)
        for i in range(rate // 1024):
            out.mux(stream.encode(_tone(i, rate)))
        out.mux(stream.encode(None))
    return out_buffer.getvalue()


def animated_gif(frames: int = 6, side: int = 32) -> bytes:
    images = [Image.new("RGB", (side, side), (i * 40, 20, 90)) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return out.getvalue()


def upload(user: User, version: str, name: str, data: bytes, kind: str, **extra: Any) -> Any:
    files: dict[str, Any] = {"file": (name, data, kind)}
    if "thumbnail" in extra:
        files["thumbnail"] = ("thumb.png", extra.pop("thumbnail"), "image/png")
    return user.api.post(f"/api/{version}/media", files=files, data=extra)


def wait_ready(user: User, media_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        r = user.api.get(f"/api/v1/media/{media_id}")
        assert r.status_code in (200, 206), r.text
        assert_valid("MediaAttachment", r.json())
        if r.status_code == 200:
            assert r.json()["url"] is not None
            return dict(r.json())
        assert r.json()["url"] is None
        assert time.monotonic() < deadline, "the media was never processed"
        time.sleep(0.1)


def served_as(url: str, content_type: str) -> bytes:
    r = httpx.get(url)
    assert r.status_code == 200
    assert r.headers["content-type"] == content_type
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "content-disposition" not in r.headers  # inline, never a download (nor a page)
    return r.content


def test_v2_video_is_processed_by_a_job(alice: User) -> None:
    r = upload(alice, "v2", "cat.mp4", clip(), "video/mp4", description="a cat", focus="-0.5,0.3")
    assert r.status_code == 202, r.text
    queued = r.json()
    assert_valid("MediaAttachment", queued)
    assert queued["type"] == "video"
    assert queued["url"] is None
    assert queued["meta"]["focus"] == {"x": -0.5, "y": 0.3}
    ready = wait_ready(alice, queued["id"])
    assert ready["type"] == "video"
    assert ready["description"] == "a cat"
    original = ready["meta"]["original"]
    assert (original["width"], original["height"]) == (64, 64)
    assert original["frame_rate"] == "25/1"
    assert 0.9 <= original["duration"] <= 1.2
    assert original["bitrate"] > 0
    assert ready["meta"]["small"]["width"] == 64
    assert ready["meta"]["focus"] == {"x": -0.5, "y": 0.3}
    assert ready["blurhash"]
    assert ready["url"].endswith(".mp4")
    with av.open(io.BytesIO(served_as(ready["url"], "video/mp4"))) as movie:
        assert movie.streams.video[0].codec_context.name == "h264"
        assert movie.streams.audio
    with Image.open(io.BytesIO(served_as(ready["preview_url"], "image/jpeg"))) as thumb:
        assert thumb.size == (64, 64)
    r = alice.api.post("/api/v1/statuses", data={"status": "look", "media_ids[]": ready["id"]})
    assert r.status_code == 200, r.text
    attached = r.json()["media_attachments"][0]
    assert_valid("MediaAttachment", attached)
    assert attached["meta"]["original"] == original


def test_unprocessed_media_cannot_be_attached(make_server: Any) -> None:
    # The job worker never comes back for the upload (nor for a confirmation e-mail).
    server = make_server(job_poll_interval=3600, require_email_confirmation=False)
    user = register(server)
    r = upload(user, "v2", "cat.mp4", clip(), "video/mp4")
    assert r.status_code == 202, r.text
    assert user.api.get(f"/api/v1/media/{r.json()['id']}").status_code == 206
    for post in (
        {"status": "x", "media_ids": [r.json()["id"]]},
        {"status": "x", "media_ids": [r.json()["id"]], "scheduled_at": "2099-01-01T00:00:00Z"},
    ):
        answer = user.api.post("/api/v1/statuses", json=post)
        assert answer.status_code == 422, answer.text
        assert answer.json() == {"error": NOT_READY}
    mk = Misskey(server)
    note = mk.client.post(
        "/api/notes/create", json={"i": sign_in(server, user.username), "fileIds": [r.json()["id"]]}
    )
    assert note.status_code == 400 or note.status_code == 422, note.text


def test_v1_converts_at_once_and_silent_video_is_gifv(alice: User) -> None:
    r = upload(alice, "v1", "loop.mp4", clip(sound=None), "video/mp4")
    assert r.status_code == 200, r.text
    media = r.json()
    assert_valid("MediaAttachment", media)
    assert media["type"] == "gifv"  # no sound: Mastodon's gifv
    assert media["url"].endswith(".mp4")
    assert alice.api.get(f"/api/v1/media/{media['id']}").status_code == 200


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_animated_gif_becomes_an_mp4_gifv(alice: User, version: str) -> None:
    r = upload(alice, version, "dance.gif", animated_gif(), "image/gif")
    assert r.status_code == (200 if version == "v1" else 202), r.text
    media = wait_ready(alice, r.json()["id"])
    assert media["type"] == "gifv"
    assert media["meta"]["original"]["width"] == 32
    with av.open(io.BytesIO(served_as(media["url"], "video/mp4"))) as movie:
        assert movie.streams.video[0].codec_context.name == "h264"
        assert not movie.streams.audio
    # A GIF of one frame stays an image.
    still = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(still, "GIF")
    r = upload(alice, version, "still.gif", still.getvalue(), "image/gif")
    assert r.status_code == 200, r.text
    assert r.json()["type"] == "image"


def test_webm_is_kept_as_webm(alice: User) -> None:
    r = upload(alice, "v1", "c.webm", clip("webm", "libvpx-vp9", sound="libopus"), "video/webm")
    assert r.status_code == 200, r.text
    assert r.json()["type"] == "video"
    served_as(r.json()["url"], "video/webm")


def test_audio(alice: User) -> None:
    r = upload(alice, "v2", "song.mp3", sound(), "audio/mpeg")
    assert r.status_code in (200, 202), r.text
    media = wait_ready(alice, r.json()["id"])
    assert media["type"] == "audio"
    assert set(media["meta"]["original"]) == {"duration", "bitrate"}
    assert "small" not in media["meta"]
    assert media["preview_url"] is None  # as Mastodon: no thumbnail, no preview
    served_as(media["url"], "audio/mpeg")
    # Ogg is kept; WAV (not for the web) becomes MP3, as Mastodon does with any audio.
    r = upload(alice, "v1", "a.ogg", sound("ogg", "libopus"), "audio/ogg")
    assert r.status_code == 200, r.text
    assert r.json()["url"].endswith(".ogg")
    r = upload(alice, "v1", "a.wav", sound("wav", "pcm_s16le"), "audio/wav")
    assert r.status_code == 200, r.text
    assert r.json()["type"] == "audio"
    served_as(r.json()["url"], "audio/mpeg")


def test_custom_thumbnails(alice: User) -> None:
    r = upload(alice, "v2", "c.mp4", clip(), "video/mp4", thumbnail=png(50, 30))
    assert r.status_code == 202, r.text
    media = wait_ready(alice, r.json()["id"])
    assert media["meta"]["small"]["width"] == 50  # the job kept the client's thumbnail
    with Image.open(io.BytesIO(served_as(media["preview_url"], "image/jpeg"))) as thumb:
        assert thumb.size == (50, 30)
    first = media["preview_url"]
    r = alice.api.put(
        f"/api/v1/media/{media['id']}",
        files={"thumbnail": ("t.png", png(40, 40), "image/png")},
        data={"description": "new text", "focus": "0.69,0.69"},
    )
    assert r.status_code == 200, r.text
    updated = r.json()
    assert_valid("MediaAttachment", updated)
    assert updated["preview_url"] != first
    assert updated["meta"]["small"]["width"] == 40
    assert updated["description"] == "new text"
    assert updated["meta"]["focus"] == {"x": 0.69, "y": 0.69}
    assert httpx.get(first).status_code == 404  # the old thumbnail is gone
    # Audio takes one too; an image does not.
    r = upload(alice, "v1", "s.mp3", sound(), "audio/mpeg", thumbnail=png(20, 20))
    assert r.status_code == 200, r.text
    assert r.json()["preview_url"] is not None
    r = upload(alice, "v1", "p.png", png(), "image/png", thumbnail=png(20, 20))
    assert r.status_code == 422, r.text
    assert "Thumbnail" in r.json()["error"]


def test_bad_and_oversized_videos_are_refused(alice: User) -> None:
    broken = clip()[:400]  # an MP4 header and nothing playable
    big = clip(size=(3842, 2162), frames=1, sound=None)
    for version in ("v1", "v2"):
        r = upload(alice, version, "x.mp4", broken, "video/mp4")
        assert r.status_code == 422, r.text
        r = upload(alice, version, "x.mp4", big, "video/mp4")
        assert r.status_code == 422, r.text
        assert "3842x2162 videos are not supported" in r.json()["error"]
        r = upload(alice, version, "x.mp4", b"", "video/mp4")
        assert r.status_code == 422, r.text


def test_instance_advertises_video_limits(server: RunningServer) -> None:
    config = httpx.get(f"{server.base_url}/api/v2/instance").json()["configuration"]
    limits = config["media_attachments"]
    assert limits["video_size_limit"] == 99 * 1024 * 1024
    assert limits["video_frame_rate_limit"] == 120
    assert limits["video_matrix_limit"] == 3840 * 2160
    assert "video/mp4" in limits["supported_mime_types"]


def test_misskey_drive_describes_video_and_audio(server: RunningServer) -> None:
    user = mk_user(server)
    data = clip()
    video = user.mk.upload(data, "cat.mp4", "video/mp4")
    assert video["type"] == "video/mp4"
    assert video["properties"] == {"width": 64, "height": 64}
    assert video["thumbnailUrl"] is not None
    assert video["blurhash"]
    assert video["size"] == len(data)  # Misskey keeps the file as sent
    served_as(video["url"], "video/mp4")
    audio = user.mk.upload(sound(), "song.mp3", "audio/mpeg")
    assert audio["type"] == "audio/mpeg"
    assert audio["properties"] == {}
    assert audio["thumbnailUrl"] is None
    # A file that only looks like a video is kept, as Misskey keeps any file.
    broken = user.mk.upload(data[:400], "x.mp4", "video/mp4")
    assert broken["thumbnailUrl"] is None
    assert broken["properties"] == {}
