"""Image checks and processing with Pillow: avatars, headers and media thumbnails.

Every image is decoded and re-encoded, which strips metadata (EXIF, GPS, ICC) and proves the
bytes are the image type they claim to be.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import blurhash
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

MAX_PIXELS = 7680 * 4320  # 33,177,600: Mastodon's cap for any image
MAX_GIF_PIXELS = 1280 * 720  # animated GIFs are costlier to process
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
        raise ImageProblem("less_than", f"must be less than {max_bytes // (1024 * 1024)} MB")
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
            "too_big", f"is too big ({width}x{height}; at most {MAX_PIXELS:,} pixels)"
        )
    if _animated(image) and width * height > MAX_GIF_PIXELS:
        raise ImageProblem(
            "too_big",
            f"is too big for an animation ({width}x{height}; at most {MAX_GIF_PIXELS:,} pixels)",
        )
    try:
        image.load()
    except (OSError, Image.DecompressionBombError, SyntaxError):
        raise ImageProblem("invalid", "is invalid (the image data is damaged)") from None
    return image, content_type


def _animated(image: Image.Image) -> bool:
    return bool(getattr(image, "is_animated", False)) and getattr(image, "n_frames", 1) > 1


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


def _encode_animation(frames: list[Image.Image], durations: list[int], loop: int) -> Encoded:
    out = io.BytesIO()
    frames[0].save(
        out,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=loop,
        disposal=2,
    )
    return Encoded(out.getvalue(), "image/gif", frames[0].width, frames[0].height)


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF rotation before the EXIF data is dropped."""
    return ImageOps.exif_transpose(image) or image


def _transform_all(image: Image.Image, content_type: str, transform: Transform) -> ProcessedImage:
    if _animated(image):
        frames: list[Image.Image] = []
        durations: list[int] = []
        for frame in ImageSequence.Iterator(image):
            frames.append(transform(frame.convert("RGBA")))
            durations.append(int(frame.info.get("duration", 100)))
        animation = _encode_animation(frames, durations, int(image.info.get("loop", 0)))
        return ProcessedImage(animation, _encode(frames[0], "image/png"))
    still = transform(_upright(image))
    if content_type == "image/gif":  # a one-frame GIF is stored as PNG, losslessly
        content_type = "image/png"
    if content_type == "image/jpeg" and still.mode not in ("RGB", "L"):
        still = still.convert("RGB")
    return ProcessedImage(_encode(still, content_type), None)


class _SquareCrop:
    """Centre-crop to a square; shrink to `size`, never enlarge."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __call__(self, image: Image.Image) -> Image.Image:
        side = min(image.width, image.height, self.size)
        if image.width == image.height == side:
            return image.copy()
        return ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS)


class _MaxPixels:
    """Shrink to at most `pixels` keeping the aspect ratio; never enlarge."""

    def __init__(self, pixels: int) -> None:
        self.pixels = pixels

    def __call__(self, image: Image.Image) -> Image.Image:
        area = image.width * image.height
        if area <= self.pixels:
            return image.copy()
        scale = math.sqrt(self.pixels / area)
        size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
        return image.resize(size, Image.Resampling.LANCZOS)


def process_avatar(upload: Upload, max_bytes: int) -> ProcessedImage:
    image, content_type = _open(upload, max_bytes)
    return _transform_all(image, content_type, _SquareCrop(AVATAR_SIZE))


def process_header(upload: Upload, max_bytes: int) -> ProcessedImage:
    image, content_type = _open(upload, max_bytes)
    return _transform_all(image, content_type, _MaxPixels(HEADER_PIXELS))


def process_media(upload: Upload, max_bytes: int) -> ProcessedMedia:
    image, content_type = _open(upload, max_bytes)
    animated = _animated(image)
    processed = _transform_all(image, content_type, _MaxPixels(MEDIA_ORIGINAL_PIXELS))
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
