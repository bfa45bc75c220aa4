"""Media files on disk under the data folder (served at /system/...)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def id_partition(record_id: int) -> str:
    """`110357222516183152` → `110/357/222/516/183/152`, as Mastodon lays out its files."""
    digits = str(record_id).zfill(9)
    digits = digits.zfill(-(-len(digits) // 3) * 3)
    return "/".join(digits[i : i + 3] for i in range(0, len(digits), 3))


class MediaFiles:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, relative: str) -> Path:
        target = (self.root / relative).resolve()
        if not target.is_relative_to(self.root):
            raise ValueError(f"media path escapes the media folder: {relative}")
        return target

    def new_name(self, prefix: str, record_id: int, style: str, extension: str) -> str:
        return f"{prefix}/{id_partition(record_id)}/{style}/{secrets.token_hex(8)}.{extension}"

    def write(self, relative: str, data: bytes) -> None:
        """Write atomically: readers never see half a file."""
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)

    def read(self, relative: str) -> bytes:
        return self.path(relative).read_bytes()

    def delete(self, *relatives: str | None) -> None:
        for relative in relatives:
            if relative:
                self.path(relative).unlink(missing_ok=True)
