"""Image checks and processing with Pillow: avatars, headers and media thumbnails.

Every image is decoded and re-encoded, which strips metadata (EXIF, GPS, ICC) and proves the
bytes are the image type they claim to be.
"""

from __future__ import annotations

import io
import math
import struct
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import blurhash
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from tandem.core.i18n import Text, too_large

MAX_PIXELS = 7680 * 4320  # 33,177,600: Mastodon's cap for any image
MAX_GIF_PIXELS = 1280 * 720  # animated GIFs are costlier to process (Mastodon's cap too)
# Every frame of an animation is decoded, transformed and encoded again, one at a time (memory
# holds one frame, not the animation: some 40 MB of peak RSS for the largest one allowed). The
# time grows with frames x pixels: 30-60 ms of one core a 1280x720 frame (a header's resize is
# the dearest), so 5-9 s for the largest. Past these caps an upload is refused before any frame
# is decoded (GIF frames are counted from the file's blocks, stopping past the cap: a bomb of
# 3000 frames costs nothing).
MAX_ANIMATION_FRAMES = 1000  # 40 seconds at 25 frames a second, for smaller animations
MAX_ANIMATION_PIXELS = 1280 * 720 * 150  # 6 seconds of 1280x720 at 25 frames a second
MAX_PROCESSING_SECONDS = 20.0  # a backstop: an animation still being worked on then is refused
TOO_COMPLEX = "too_complex"
AVATAR_SIZE = 400
HEADER_PIXELS = 1500 * 500
MEDIA_ORIGINAL_PIXELS = 3840 * 2160
MEDIA_SMALL_PIXELS = 640 * 360

_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
ALLOWED_TYPES = frozenset(_FORMATS.values())

Image.MAX_IMAGE_PIXELS = MAX_PIXELS
Transform = Callable[[Image.Image], Image.Image]


class ImageProblem(ValueError):
    """The upload cannot be used; `code` is the rule it broke, the message says how."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Upload:
    data: bytes
    content_type: str | None = None
    filename: str | None = None


@dataclass(frozen=True)
class Encoded:
    data: bytes
    content_type: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


@dataclass(frozen=True)
class ProcessedImage:
    original: Encoded
    static: Encoded | None  # PNG of the first frame when the original is animated


@dataclass(frozen=True)
class ProcessedMedia:
    original: Encoded
    small: Encoded
    blurhash: str
    animated: bool


def _open(upload: Upload, max_bytes: int) -> tuple[Image.Image, str]:
    if len(upload.data) > max_bytes:
        raise ImageProblem("less_than", too_large(max_bytes))
    if not upload.data:
        raise ImageProblem("blank", "can't be blank (the file is empty)")
    try:
        with warnings.catch_warnings():
            # The pixel count is checked below with an error that says what to do.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(upload.data))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError):
        raise ImageProblem("invalid", "is invalid (send a JPEG, PNG, GIF or WebP image)") from None
    content_type = _FORMATS.get(image.format or "")
    if content_type is None:
        raise ImageProblem("invalid", "is invalid (send a JPEG, PNG, GIF or WebP image)")
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageProblem(
            "too_big",
            Text(
                "is too big ({width}x{height}; at most {max} pixels)",
                width=width,
                height=height,
                max=f"{MAX_PIXELS:,}",
            ),
        )
    if _animated(image):
        if width * height > MAX_GIF_PIXELS:
            raise ImageProblem(
                "too_big",
                Text(
                    "is too big for an animation ({width}x{height}; at most {max} pixels)",
                    width=width,
                    height=height,
                    max=f"{MAX_GIF_PIXELS:,}",
                ),
            )
        _check_animation(_frame_count(image, upload.data), width, height)
    try:
        image.load()
    except (OSError, Image.DecompressionBombError, SyntaxError):
        raise ImageProblem("invalid", "is invalid (the image data is damaged)") from None
    return image, content_type


def _animated(image: Image.Image) -> bool:
    # `is_animated` looks at the second frame only; `n_frames` would walk the whole file.
    return bool(getattr(image, "is_animated", False))


def _too_complex(frames: int, width: int, height: int) -> ImageProblem:
    many: str = (
        Text("more than {count}", count=f"{MAX_ANIMATION_FRAMES:,}")
        if frames > MAX_ANIMATION_FRAMES
        else f"{frames:,}"
    )
    return ImageProblem(
        TOO_COMPLEX,
        Text(
            "is too complex an animation ({frames} frames of {width}x{height}; at most "
            "{max_frames} frames and {max_pixels} pixels in all frames together, send a "
            "shorter or smaller animation)",
            frames=many,
            width=width,
            height=height,
            max_frames=f"{MAX_ANIMATION_FRAMES:,}",
            max_pixels=f"{MAX_ANIMATION_PIXELS:,}",
        ),
    )


def _check_animation(frames: int, width: int, height: int) -> None:
    if frames > MAX_ANIMATION_FRAMES or frames * width * height > MAX_ANIMATION_PIXELS:
        raise _too_complex(frames, width, height)


check_animation = _check_animation  # also the rule for an animated GIF made into a video


def _frame_count(image: Image.Image, data: bytes) -> int:
    """Frames in the animation; for a GIF counted from its blocks, stopping past the cap."""
    if image.format == "GIF":
        return gif_frames(data, MAX_ANIMATION_FRAMES + 1)
    return int(getattr(image, "n_frames", 1))


def gif_frames(data: bytes, limit: int) -> int:
    """Image blocks in a GIF, counting at most `limit` (cheap: sub-blocks are skipped)."""
    if len(data) < 13:
        return 0
    pos = 13
    flags = data[10]
    if flags & 0x80:
        pos += 3 * (2 << (flags & 7))
    count, size = 0, len(data)
    while pos < size and count < limit:
        block = data[pos]
        if block == 0x3B:  # trailer
            break
        if block == 0x21:  # extension: label, then sub-blocks
            pos += 2
        elif block == 0x2C:  # image: descriptor, local colour table, LZW size, sub-blocks
            if pos + 10 > size:
                break
            local = data[pos + 9]
            pos += 10
            if local & 0x80:
                pos += 3 * (2 << (local & 7))
            pos += 1
            count += 1
        else:
            break
        while pos < size and data[pos] != 0:
            pos += data[pos] + 1
        pos += 1
    return count


def _encode(image: Image.Image, content_type: str) -> Encoded:
    out = io.BytesIO()
    if content_type == "image/jpeg":
        image.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
    elif content_type == "image/webp":
        image.save(out, "WEBP", quality=90)
    elif content_type == "image/gif":
        image.save(out, "GIF")
    else:
        image.save(out, "PNG", optimize=True)
    return Encoded(out.getvalue(), content_type, image.width, image.height)


class _GifWriter:
    """An animated GIF written a frame at a time, so that only one frame is ever in memory
    (Pillow's own writer keeps every frame until the end). Each frame is encoded by Pillow as
    a GIF of its own; its image block is copied over with its palette as the frame's local
    colour table and a graphic control block of ours (delay, "restore to background", the
    frame's transparent colour). Anything else in the frame's file (comments) is dropped."""

    def __init__(self, loop: int) -> None:
        self.out = io.BytesIO()
        self.loop = loop
        self.size: tuple[int, int] | None = None

    def add(self, frame: Image.Image, duration_ms: int) -> None:
        if self.size is None:
            self.size = frame.size
            self.out.write(b"GIF89a" + struct.pack("<HHBBB", *frame.size, 0, 0, 0))
            loop = max(0, min(self.loop, 0xFFFF))
            self.out.write(b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", loop) + b"\x00")
        single = io.BytesIO()
        frame.save(single, "GIF", optimize=False)
        self.out.write(_frame_blocks(single.getvalue(), duration_ms))

    def finish(self) -> Encoded:
        assert self.size is not None
        self.out.write(b";")
        return Encoded(self.out.getvalue(), "image/gif", *self.size)


def _frame_blocks(data: bytes, duration_ms: int) -> bytes:
    """The first image of a one-frame GIF written by Pillow, ready to go into an animation."""
    screen_flags = data[10]
    pos = 13
    palette = b""
    if screen_flags & 0x80:
        palette = data[pos : pos + 3 * (2 << (screen_flags & 7))]
        pos += len(palette)
    transparent: int | None = None
    while pos < len(data):
        block = data[pos]
        if block == 0x21:  # an extension: keep only what the control block says of transparency
            if data[pos + 1] == 0xF9 and data[pos + 3] & 1:
                transparent = data[pos + 6]
            pos = _skip_sub_blocks(data, pos + 2)
        elif block == 0x2C:
            descriptor = bytearray(data[pos : pos + 10])
            pos += 10
            if descriptor[9] & 0x80:  # a local colour table already
                size = 3 * (2 << (descriptor[9] & 7))
                table = data[pos : pos + size]
                pos += size
            else:
                descriptor[9] = (descriptor[9] & 0x40) | 0x80 | (screen_flags & 7)
                table = palette
            end = _skip_sub_blocks(data, pos + 1)  # the LZW code size, then the data
            flags = (2 << 2) | (1 if transparent is not None else 0)  # disposal 2
            delay = max(0, min(duration_ms // 10, 0xFFFF))
            control = b"!\xf9\x04" + struct.pack("<BHB", flags, delay, transparent or 0) + b"\x00"
            return control + bytes(descriptor) + table + data[pos:end]
        else:
            break
    raise ImageProblem("invalid", "is invalid (an animation frame cannot be encoded)")


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    """The position after the data sub-blocks starting at `pos` (and their terminator)."""
    while pos < len(data) and data[pos] != 0:
        pos += data[pos] + 1
    return pos + 1


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF rotation before the EXIF data is dropped."""
    return ImageOps.exif_transpose(image) or image


def _transform_all(image: Image.Image, content_type: str, transform: Transform) -> ProcessedImage:
    if _animated(image):
        writer = _GifWriter(int(image.info.get("loop", 0)))
        static: Encoded | None = None
        deadline = time.monotonic() + MAX_PROCESSING_SECONDS
        for count, frame in enumerate(ImageSequence.Iterator(image), start=1):
            # Checked again frame by frame: a file may hold more frames than it declares.
            _check_animation(count, image.width, image.height)
            if time.monotonic() > deadline:
                raise _too_complex(count - 1, image.width, image.height)
            done = transform(frame.convert("RGBA"))
            if static is None:
                static = _encode(done, "image/png")
            writer.add(done, int(frame.info.get("duration", 100)))
        return ProcessedImage(writer.finish(), static)
    still = transform(_upright(image))
    if content_type == "image/gif":  # a one-frame GIF is stored as PNG, losslessly
        content_type = "image/png"
    if content_type == "image/jpeg" and still.mode not in ("RGB", "L"):
        still = still.convert("RGB")
    return ProcessedImage(_encode(still, content_type), None)


def _resampling(image: Image.Image) -> Image.Resampling:
    """Lanczos for a still image; the cheaper bilinear filter for every frame of an animation
    (twice as fast, and GIF's 256 colours hide the difference)."""
    return Image.Resampling.BILINEAR if _animated(image) else Image.Resampling.LANCZOS


class _SquareCrop:
    """Centre-crop to a square; shrink to `size`, never enlarge."""

    def __init__(self, size: int, resample: Image.Resampling = Image.Resampling.LANCZOS) -> None:
        self.size = size
        self.resample = resample

    def __call__(self, image: Image.Image) -> Image.Image:
        side = min(image.width, image.height, self.size)
        if image.width == image.height == side:
            return image.copy()
        return ImageOps.fit(image, (side, side), self.resample)


class _MaxPixels:
    """Shrink to at most `pixels` keeping the aspect ratio; never enlarge."""

    def __init__(self, pixels: int, resample: Image.Resampling = Image.Resampling.LANCZOS) -> None:
        self.pixels = pixels
        self.resample = resample

    def __call__(self, image: Image.Image) -> Image.Image:
        area = image.width * image.height
        if area <= self.pixels:
            return image.copy()
        scale = math.sqrt(self.pixels / area)
        size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
        return image.resize(size, self.resample)


def process_avatar(upload: Upload, max_bytes: int) -> ProcessedImage:
    image, content_type = _open(upload, max_bytes)
    return _transform_all(image, content_type, _SquareCrop(AVATAR_SIZE, _resampling(image)))


def process_header(upload: Upload, max_bytes: int) -> ProcessedImage:
    image, content_type = _open(upload, max_bytes)
    return _transform_all(image, content_type, _MaxPixels(HEADER_PIXELS, _resampling(image)))


def process_media(upload: Upload, max_bytes: int) -> ProcessedMedia:
    image, content_type = _open(upload, max_bytes)
    animated = _animated(image)
    resize = _MaxPixels(MEDIA_ORIGINAL_PIXELS, _resampling(image))
    processed = _transform_all(image, content_type, resize)
    first = Image.open(io.BytesIO((processed.static or processed.original).data))
    small = _MaxPixels(MEDIA_SMALL_PIXELS)(first.convert("RGB"))
    small_encoded = _encode(small, "image/jpeg")
    hash_source = small.copy()
    hash_source.thumbnail((100, 100))
    return ProcessedMedia(
        original=processed.original,
        small=small_encoded,
        blurhash=blurhash.encode(hash_source, x_components=4, y_components=4),
        animated=animated,
    )
