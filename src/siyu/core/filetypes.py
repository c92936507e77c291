"""What an uploaded file really is, from its bytes: never the type the client claims.

Only an allowlist is stored: raster images (PNG, JPEG, GIF, WebP, decoded by Pillow and at most
:data:`MAX_PIXELS_SIDE` pixels a side), MP4 video, PDF, Office files (DOCX / XLSX / PPTX: a zip
whose ``[Content_Types].xml`` names the document's main part) and legacy Office files (DOC / XLS
/ PPT: an OLE compound file, told apart by the file name's extension). Anything else (SVG, HTML,
scripts, archives) is refused with a clear 4xx.

Signatures come from ``puremagic`` (pure Python, no libmagic to install, maintained; it reads
the magic numbers of the formats above). It cannot tell one zip from another, so the Office
check reads the zip's ``[Content_Types].xml`` itself.
"""

from __future__ import annotations

import io
import warnings
import zipfile

import puremagic
from PIL import Image

from siyu.core.errors import InvalidInput

MAX_PIXELS_SIDE = 10_000
#: the types served inline (displayed by the browser); everything else is an attachment
INLINE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "video/mp4"})
RASTER = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
SIGNED = {"image/png", "image/jpeg", "image/gif", "image/webp", "video/mp4", "application/pdf"}
OFFICE = {
    "word/document": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "spreadsheetml.sheet.main": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "presentationml.presentation.main": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
ALLOWED_TYPES = frozenset(SIGNED | set(OFFICE.values()) | set(OLE.values()))
ALLOWED_TEXT = "PNG, JPEG, GIF, WebP, MP4, PDF, Word, Excel or PowerPoint"


def _office(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            info = z.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:
                return None
            types = z.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    if "macroEnabled" in types:
        return None
    for marker, mime in OFFICE.items():
        if marker in types and "officedocument" in types:
            return mime
    return None


def _signed(content: bytes) -> str | None:
    try:
        matches = puremagic.magic_string(content)
    except (puremagic.PureError, ValueError):
        return None
    for m in matches:
        if m.mime_type in SIGNED:
            return str(m.mime_type)
    return None


def check_image(content: bytes) -> str:
    """The image's type after Pillow decoded its header; a 4xx for a broken or huge image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as img:
                fmt, (w, h) = img.format or "", img.size
                if w > MAX_PIXELS_SIDE or h > MAX_PIXELS_SIDE:
                    raise InvalidInput(
                        f"the image is {w} × {h} pixels; at most {MAX_PIXELS_SIDE:,} a side"
                    )
                img.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidInput("the image has too many pixels (a decompression bomb?)") from exc
    except InvalidInput:
        raise
    except Exception as exc:  # Pillow raises many types for a broken file
        raise InvalidInput("the image cannot be read (a broken or disguised file)") from exc
    if fmt not in RASTER:
        raise InvalidInput(f"images must be PNG, JPEG, GIF or WebP (got {fmt or 'unknown'})")
    return RASTER[fmt]


def sniff(content: bytes, *, filename: str = "") -> str | None:
    """The allowlisted MIME type the bytes of ``content`` announce, or None."""
    mime = _signed(content)
    if mime is not None:
        return mime
    if content.startswith(b"PK\x03\x04"):
        return _office(content)
    if content.startswith(OLE_MAGIC):
        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        return OLE.get(ext)
    return None


def detect(content: bytes, *, filename: str = "") -> str:
    """The allowlisted MIME type of ``content`` (images decoded by Pillow);
    :class:`InvalidInput` for anything else."""
    mime = sniff(content, filename=filename)
    if mime is None:
        raise InvalidInput(f"this file type is not accepted; upload {ALLOWED_TEXT}")
    return check_image(content) if mime.startswith("image/") else mime


def inline(content_type: str) -> bool:
    """Whether a stored file of this type may be displayed by the browser."""
    return content_type in INLINE
