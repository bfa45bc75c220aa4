"""Real image files made with Pillow for upload tests."""

from __future__ import annotations

import io

from PIL import Image


def png(width: int = 600, height: int = 300, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg(width: int = 2000, height: int = 1000) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera Co"  # Make: must not survive processing
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def animated_gif(width: int = 120, height: int = 80, frames: int = 3) -> bytes:
    out = io.BytesIO()
    images = [Image.new("RGB", (width, height), (40 * i, 100, 200 - 40 * i)) for i in range(frames)]
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return out.getvalue()


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def is_animated(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(getattr(image, "is_animated", False))
