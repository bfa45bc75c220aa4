"""Video, audio and GIFV with PyAV (FFmpeg's libraries, bundled in its wheels).

What Mastodon does, kept light: a file already playable in browsers is only remuxed (its
streams copied into a fresh container, which drops the container's metadata: GPS, device,
titles); anything else is transcoded, video to H.264 in MP4 (libx264) with AAC audio, audio to
MP3. An animated GIF becomes a soundless MP4 (`gifv`), and a video without sound is a `gifv`
too, as in Mastodon. A video gets a thumbnail from its first frame (JPEG, at most 640x640) and
the blurhash of that thumbnail. An audio file's embedded cover picture (ID3 APIC, M4A covr,
FLAC and Ogg pictures: FFmpeg's attached-picture stream) is its thumbnail, as in Mastodon,
through the same image path as an uploaded thumbnail; a cover past the image bounds is ignored.

Bounds (Mastodon 4.x's): at most 3840x2160 pixels a frame, 120 frames a second, 36,000 frames
transcoded (about 5 minutes at 120 fps); the size limit is checked before anything is decoded,
and every loop checks a wall-clock deadline, past which the file is refused as too complex.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Literal

import av
import av.error
import blurhash
from av.audio.stream import AudioStream
from av.container import InputContainer
from av.video.stream import VideoStream
from PIL import Image, ImageSequence

from tandem.core import filetypes
from tandem.core.i18n import Text, too_large
from tandem.core.images import (
    MAX_ANIMATION_FRAMES,
    MAX_GIF_PIXELS,
    TOO_COMPLEX,
    Encoded,
    ImageProblem,
    Upload,
    check_animation,
    gif_frames,
    process_media,
)

MAX_VIDEO_PIXELS = 3840 * 2160  # Mastodon's MAX_VIDEO_MATRIX_LIMIT
MAX_FRAME_RATE = 120  # Mastodon's MAX_VIDEO_FRAME_RATE
MAX_VIDEO_FRAMES = 36_000  # Mastodon's MAX_VIDEO_FRAMES: about 5 minutes at 120 fps
MAX_PROCESSING_SECONDS = 120.0  # wall clock for one file; past it the file is refused
THUMBNAIL_SIDE = 640  # Mastodon's small style for video: fits in 640x640
MAX_COVER_BYTES = 8 * 1024 * 1024  # an audio file's cover picture (the default image limit)
_COVER_PACKETS = 16  # FFmpeg queues a cover first when it opens a file: look no further

# Types an upload may be for the Mastodon dialect (sniffed from the bytes).
VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/webm", "video/x-matroska")
AUDIO_TYPES = ("audio/mpeg", "audio/ogg", "audio/mp4", "audio/wav", "audio/flac")
AV_TYPES = VIDEO_TYPES + AUDIO_TYPES

_INVALID = Text(
    "could not be read as video or audio (send MP4, WebM, MOV, MP3, OGG, M4A, WAV or FLAC)"
)
_MP4_FORMATS = {"mov", "mp4", "m4a", "3gp", "3g2", "mj2"}
_WEB_AUDIO = {"mp3": ("mp3", "audio/mpeg", "mp3"), "aac": ("mp4", "audio/mp4", "m4a")}

AvKind = Literal["video", "gifv", "audio"]


@dataclass(frozen=True)
class ProcessedAV:
    kind: AvKind
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    meta: dict[str, Any]  # Mastodon's meta.original: width, height, frame_rate, duration, bitrate
    thumbnail: Encoded | None
    blurhash: str | None


class _Clock:
    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise ImageProblem(
                TOO_COMPLEX,
                Text(
                    "took too long to process (send a shorter or smaller video, "
                    "at most {count} seconds of work)",
                    count=f"{MAX_PROCESSING_SECONDS:.0f}",
                ),
            )


def is_av(content_type: str) -> bool:
    return content_type in AV_TYPES


def is_animated_gif(data: bytes) -> bool:
    return data[:6] in (b"GIF87a", b"GIF89a") and gif_frames(data, 2) > 1


def process(data: bytes, max_bytes: int, seconds: float = MAX_PROCESSING_SECONDS) -> ProcessedAV:
    """Check, convert and describe one video, audio or animated GIF upload."""
    if not data:
        raise ImageProblem("blank", "can't be blank (the file is empty)")
    if len(data) > max_bytes:
        raise ImageProblem("less_than", too_large(max_bytes))
    clock = _Clock(seconds)
    try:
        if is_animated_gif(data):
            return _gifv(data, clock)
        with av.open(io.BytesIO(data), "r", options={"probesize": "5000000"}) as source:
            done = _process(source, data, clock)
        return _with_cover(done, data, clock) if done.kind == "audio" else done
    except ImageProblem:
        raise
    except (av.error.FFmpegError, ValueError, EOFError):  # damaged or odd streams
        raise ImageProblem("invalid", Text("is invalid ({problem})", problem=_INVALID)) from None


def check(data: bytes, max_bytes: int) -> AvKind:
    """The cheap checks of an upload whose conversion waits for a job (Mastodon checks the
    picture size and frame rate before it accepts one): what kind it will be."""
    if not data:
        raise ImageProblem("blank", "can't be blank (the file is empty)")
    if len(data) > max_bytes:
        raise ImageProblem("less_than", too_large(max_bytes))
    if is_animated_gif(data):
        _check_gif(data)
        return "gifv"
    try:
        with av.open(io.BytesIO(data), "r", options={"probesize": "5000000"}) as source:
            video, audio = _streams(source)
    except (av.error.FFmpegError, ValueError):
        raise ImageProblem("invalid", Text("is invalid ({problem})", problem=_INVALID)) from None
    if video is not None:
        _check_video(video)
        return "video" if audio is not None else "gifv"
    if audio is None:
        raise ImageProblem(
            "invalid", Text("is invalid (no video or audio stream; {problem})", problem=_INVALID)
        )
    return "audio"


def describe(data: bytes, seconds: float = 20.0) -> ProcessedAV | None:
    """A video or audio file described as it is (Misskey keeps Drive files byte for byte):
    its meta and a thumbnail; None when it cannot be read or is past the bounds."""
    content_type = filetypes.sniff(data).content_type
    try:
        with av.open(io.BytesIO(data), "r", options={"probesize": "5000000"}) as source:
            video, _ = _streams(source)
            if video is not None:
                _check_video(video)
        return _describe(data, content_type, filetypes.sniff(data).extension, _Clock(seconds))
    except (av.error.FFmpegError, ValueError, EOFError):  # ImageProblem is a ValueError
        return None


def _streams(source: InputContainer) -> tuple[VideoStream | None, AudioStream | None]:
    video = next(
        (s for s in source.streams.video if not s.disposition & av.stream.Disposition.attached_pic),
        None,
    )
    audio = next(iter(source.streams.audio), None)
    return video, audio


def _check_video(stream: VideoStream) -> None:
    width, height = stream.codec_context.width, stream.codec_context.height
    if not width or not height:
        raise ImageProblem("invalid", "is invalid (the video stream has no picture size)")
    if width * height > MAX_VIDEO_PIXELS:
        raise ImageProblem(
            "too_big",
            Text(
                "is too big ({width}x{height} videos are not supported; at most 3840x2160)",
                width=width,
                height=height,
            ),
        )
    rate = stream.average_rate or stream.guessed_rate
    if rate is not None and math.floor(rate) > MAX_FRAME_RATE:
        raise ImageProblem(
            "too_big",
            Text(
                "has too high a frame rate ({rate}fps videos are not supported; at most {max})",
                rate=math.floor(rate),
                max=MAX_FRAME_RATE,
            ),
        )


def _process(source: InputContainer, data: bytes, clock: _Clock) -> ProcessedAV:
    video, audio = _streams(source)
    container = set(source.format.name.split(","))
    if video is not None:
        _check_video(video)
        vcodec = video.codec_context.name
        acodec = audio.codec_context.name if audio is not None else None
        if (
            container & _MP4_FORMATS
            and vcodec == "h264"
            and video.codec_context.pix_fmt == "yuv420p"
            and acodec in ("aac", None)
        ):
            out, content_type, ext = (
                _remux(source, [video, audio], "mp4", clock),
                "video/mp4",
                "mp4",
            )
        elif (
            "webm" in container
            and vcodec in ("vp8", "vp9", "av1")
            and acodec in ("opus", "vorbis", None)
        ):
            out, content_type, ext = (
                _remux(source, [video, audio], "webm", clock),
                "video/webm",
                "webm",
            )
        else:
            out, content_type, ext = (
                _transcode_video(source, video, audio, clock),
                "video/mp4",
                "mp4",
            )
        return _describe(out, content_type, ext, clock)
    if audio is None:
        raise ImageProblem(
            "invalid", Text("is invalid (no video or audio stream; {problem})", problem=_INVALID)
        )
    acodec = audio.codec_context.name
    if acodec == "mp3" or (acodec == "aac" and container & _MP4_FORMATS):
        fmt, content_type, ext = _WEB_AUDIO[acodec]
        out = _remux(source, [audio], fmt, clock)
    elif acodec in ("opus", "vorbis") and "ogg" in container:
        content_type, ext = "audio/ogg", "ogg"
        out = _remux(source, [audio], "ogg", clock)
    else:
        content_type, ext = "audio/mpeg", "mp3"
        out = _transcode_audio(source, audio, clock)
    return _describe(out, content_type, ext, clock)


@contextlib.contextmanager
def _output(fmt: str, result: list[bytes]) -> Iterator[av.container.OutputContainer]:
    """A container written to a temporary file (MP4's faststart rewrites the file by name, which
    an in-memory buffer cannot do); its bytes land in `result` once it is closed."""
    options = {"movflags": "+faststart"} if fmt == "mp4" else {}
    with tempfile.TemporaryDirectory(prefix="tandem-av-") as folder:
        path = os.path.join(folder, "out")
        with av.open(path, "w", format=fmt, options=options) as out:
            yield out
        with open(path, "rb") as written:
            result.append(written.read())


def _remux(source: InputContainer, streams: list[Any], fmt: str, clock: _Clock) -> bytes:
    """The streams copied as they are into a new container (no container metadata)."""
    kept = [s for s in streams if s is not None]
    result: list[bytes] = []
    with _output(fmt, result) as out:
        mapping = {s.index: out.add_stream_from_template(s) for s in kept}
        for packet in source.demux(*kept):
            clock.check()
            if packet.dts is None:
                continue
            packet.stream = mapping[packet.stream_index]
            out.mux(packet)
    return result[0]


def _even(n: int) -> int:
    return max(2, n - n % 2)


def _transcode_video(
    source: InputContainer, video: VideoStream, audio: AudioStream | None, clock: _Clock
) -> bytes:
    result: list[bytes] = []
    width, height = _even(video.codec_context.width), _even(video.codec_context.height)
    rate = video.average_rate or video.guessed_rate or Fraction(30)
    step = 1 / Fraction(rate)
    with _output("mp4", result) as out:
        vout = out.add_stream("libx264", rate=rate)
        vout.codec_context.time_base = step
        vout.width, vout.height, vout.pix_fmt = width, height, "yuv420p"
        vout.options = {"crf": "23", "preset": "veryfast"}
        aout = out.add_stream("aac", rate=audio.rate or 48000) if audio is not None else None
        frames = 0
        kept: list[Any] = [video] + ([audio] if audio is not None else [])
        for packet in source.demux(*kept):
            clock.check()
            for frame in packet.decode():
                if isinstance(frame, av.VideoFrame):
                    frames += 1
                    if frames > MAX_VIDEO_FRAMES:
                        raise _too_long()
                    picture = frame.reformat(width=width, height=height, format="yuv420p")
                    picture.pts, picture.time_base = frames - 1, step  # constant frame rate
                    out.mux(vout.encode(picture))
                elif isinstance(frame, av.AudioFrame) and aout is not None:
                    frame.pts = None
                    out.mux(aout.encode(frame))
        out.mux(vout.encode(None))
        if aout is not None:
            out.mux(aout.encode(None))
    return result[0]


def _transcode_audio(source: InputContainer, audio: AudioStream, clock: _Clock) -> bytes:
    result: list[bytes] = []
    with _output("mp3", result) as out:
        aout = out.add_stream("libmp3lame", rate=audio.rate or 44100)
        for frame in source.decode(audio):
            clock.check()
            frame.pts = None
            out.mux(aout.encode(frame))
        out.mux(aout.encode(None))
    return result[0]


def _too_long() -> ImageProblem:
    return ImageProblem(
        TOO_COMPLEX,
        Text(
            "is too long to process (more than {count} frames; send a shorter video)",
            count=f"{MAX_VIDEO_FRAMES:,}",
        ),
    )


def _check_gif(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
    except (OSError, Image.DecompressionBombError):
        raise ImageProblem("invalid", "is invalid (the GIF cannot be read)") from None
    if image.width * image.height > MAX_GIF_PIXELS:
        raise ImageProblem(
            "too_big",
            Text(
                "is too big for an animation ({width}x{height}; at most {max} pixels)",
                width=image.width,
                height=image.height,
                max=f"{MAX_GIF_PIXELS:,}",
            ),
        )
    check_animation(gif_frames(data, MAX_ANIMATION_FRAMES + 1), image.width, image.height)
    return image


def _gifv(data: bytes, clock: _Clock) -> ProcessedAV:
    """An animated GIF as a soundless H.264 MP4 (Mastodon's `gifv`)."""
    image = _check_gif(data)
    width, height = _even(image.width), _even(image.height)
    result: list[bytes] = []
    try:
        with _output("mp4", result) as out:
            stream = out.add_stream("libx264", rate=Fraction(100))
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.codec_context.time_base = Fraction(1, 100)
            stream.options = {"crf": "23", "preset": "veryfast"}
            at = 0
            for frame in ImageSequence.Iterator(image):
                clock.check()
                rgb = frame.convert("RGB")
                if rgb.size != (width, height):
                    rgb = rgb.crop((0, 0, width, height))
                still = av.VideoFrame.from_image(rgb)  # type: ignore[no-untyped-call]
                picture = still.reformat(format="yuv420p")
                picture.pts = at
                picture.time_base = Fraction(1, 100)
                at += max(2, int(frame.info.get("duration", 100)) // 10)  # GIF delays: 1/100 s
                out.mux(stream.encode(picture))
            out.mux(stream.encode(None))
    except (OSError, EOFError):
        raise ImageProblem("invalid", "is invalid (the GIF data is damaged)") from None
    return _describe(result[0], "video/mp4", "mp4", clock)


def _describe(data: bytes, content_type: str, ext: str, clock: _Clock) -> ProcessedAV:
    """Meta, thumbnail and blurhash of a converted file, read back from it."""
    with av.open(io.BytesIO(data), "r") as out:
        video, audio = _streams(out)
        duration = round(out.duration / av.time_base, 3) if out.duration else None
        meta: dict[str, Any] = {}
        thumbnail: Encoded | None = None
        hashed: str | None = None
        width = height = 0
        if video is not None:
            width, height = video.codec_context.width, video.codec_context.height
            rate = video.average_rate or video.guessed_rate
            meta = {"width": width, "height": height}
            if rate is not None:
                meta["frame_rate"] = f"{rate.numerator}/{rate.denominator}"
            for frame in out.decode(video):
                clock.check()
                thumbnail, hashed = _thumbnail(frame.to_image())  # type: ignore[no-untyped-call]
                break
        if duration is not None:
            meta["duration"] = duration
        if out.bit_rate:
            meta["bitrate"] = int(out.bit_rate)
    kind: AvKind = "audio" if video is None else ("video" if audio is not None else "gifv")
    return ProcessedAV(kind, data, content_type, ext, width, height, meta, thumbnail, hashed)


def _with_cover(done: ProcessedAV, data: bytes, clock: _Clock) -> ProcessedAV:
    """An audio file with the cover picture of its source as thumbnail (the conversion keeps
    the sound only)."""
    cover = _cover(data, clock)
    if cover is None:
        return done
    return replace(done, thumbnail=cover[0], blurhash=cover[1])


def _cover(data: bytes, clock: _Clock) -> tuple[Encoded, str] | None:
    """The picture embedded in an audio file as a thumbnail and its blurhash; None when there
    is none, or it cannot be read, or it is past the image bounds (bytes, pixels)."""
    picture = b""
    try:
        with av.open(io.BytesIO(data), "r", options={"probesize": "5000000"}) as source:
            covers = [
                s.index
                for s in source.streams.video
                if s.disposition & av.stream.Disposition.attached_pic
            ]
            if not covers:
                return None
            for seen, packet in enumerate(source.demux()):
                clock.check()
                if packet.stream_index == covers[0] and packet.size:
                    if packet.size <= MAX_COVER_BYTES:
                        picture = bytes(packet)
                    break
                if seen >= _COVER_PACKETS:
                    break
    except (av.error.FFmpegError, ValueError, EOFError):
        return None
    if not picture:
        return None
    try:
        image = process_media(Upload(picture), MAX_COVER_BYTES)
    except ImageProblem:
        return None
    return image.small, image.blurhash


def _thumbnail(image: Image.Image) -> tuple[Encoded, str]:
    still = image.convert("RGB")
    still.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    still.save(out, "JPEG", quality=90, optimize=True)
    source = still.copy()
    source.thumbnail((100, 100))
    hashed = blurhash.encode(source, x_components=4, y_components=4)
    return Encoded(out.getvalue(), "image/jpeg", still.width, still.height), hashed
