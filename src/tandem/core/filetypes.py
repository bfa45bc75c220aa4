"""What an uploaded file really is, decided from its bytes (never from what the client says),
and how a stored file may be served.

A browser renders some types as a page with scripts (HTML, SVG, XML, PDF…); on the server's
own origin such a page could read the consent page's CSRF token. So a file's type is sniffed
from its first bytes, it is stored under an extension chosen from that type, and only the
types a browser shows without running anything (still images, audio, video) are served
inline; everything else is a download.
"""

from __future__ import annotations

from dataclasses import dataclass

OCTET_STREAM = "application/octet-stream"
SVG = "image/svg+xml"


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str


# Recognised binary formats: the type recorded and the extension the file is stored under.
_EXTENSIONS: dict[str, str] = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/avif": "avif",
    "image/heic": "heic",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
    "audio/mp4": "m4a",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
    "audio/flac": "flac",
    "application/pdf": "pdf",
    "application/zip": "zip",
    "application/gzip": "gz",
    "text/plain": "txt",
    "text/csv": "csv",
    "application/json": "json",
    SVG: "svg",
    OCTET_STREAM: "bin",
}
# Text types a client may name for a text file (imports need CSV and JSON); any other text,
# HTML and JavaScript included, is recorded as plain text.
_TEXT_TYPES = frozenset({"text/plain", "text/csv", "application/json"})
_TEXT_BY_SUFFIX = {"csv": "text/csv", "json": "application/json", "txt": "text/plain"}

# Served inline: types browsers display as media, never as a document that runs script.
INLINE: dict[str, str] = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "m4a": "audio/mp4",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
    "flac": "audio/flac",
}
# Served as a download with their own type; anything else is a download of octet-stream
# (SVG, HTML, XML, scripts and unknown extensions included).
DOWNLOAD: dict[str, str] = {
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "zip": "application/zip",
    "gz": "application/gzip",
}
# Brands of ISO base media files (MP4 and friends), at bytes 8..12.
_FTYP_BRANDS = {
    b"avif": "image/avif",
    b"avis": "image/avif",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heic",
    b"M4A ": "audio/mp4",
    b"M4B ": "audio/mp4",
    b"qt  ": "video/quicktime",
}


def _binary(data: bytes) -> str | None:
    head = data[:64]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and len(head) >= 12:
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav"}.get(head[8:12])
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], "video/mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if b"webm" in head else "video/x-matroska"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if head.startswith(b"\x1f\x8b"):
        return "application/gzip"
    return None


def _text(data: bytes) -> str | None:
    """The file as text, if it is UTF-8 text (no NUL bytes)."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _looks_like_svg(text: str) -> bool:
    start = text.lstrip("\ufeff \t\r\n")[:4096].lower()
    return start.startswith("<") and "<svg" in start


def sniff(data: bytes, declared: str | None = None, filename: str | None = None) -> FileType:
    """The type of `data`; what the client declared only picks between harmless text types."""
    found = _binary(data)
    if found is None:
        text = _text(data)
        if text is None:
            found = OCTET_STREAM
        elif _looks_like_svg(text):
            found = SVG
        else:
            found = _text_type(declared, filename)
    return FileType(found, _EXTENSIONS[found])


def _text_type(declared: str | None, filename: str | None) -> str:
    given = (declared or "").split(";")[0].strip().lower()
    if given in _TEXT_TYPES:
        return given
    name = filename or ""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return _TEXT_BY_SUFFIX.get(suffix, "text/plain")


def served(path: str) -> tuple[str, bool]:
    """(Content-Type, inline?) for a stored file, from the extension it was stored under."""
    name = path.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in INLINE:
        return INLINE[extension], True
    return DOWNLOAD.get(extension, OCTET_STREAM), False
