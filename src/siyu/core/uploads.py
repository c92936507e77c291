"""Reading an uploaded file with a cap: at most ``limit + 1`` bytes, in chunks.

The body limit of the route (siyu.api.limits) bounds what the multipart parser spools; this
bounds what a handler holds in memory and says which limit a file passed, before any work."""

from __future__ import annotations

from typing import Protocol

from siyu.core.errors import InvalidInput

CHUNK = 1024 * 1024


class Readable(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


def describe(limit: int) -> str:
    mb = limit / (1024 * 1024)
    return f"{mb:g} MB" if mb >= 1 else f"{limit // 1024} KB"


async def read_capped(upload: Readable, limit: int) -> bytes:
    """The file's bytes, or InvalidInput as soon as more than ``limit`` were read."""
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = await upload.read(min(CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        size += len(chunk)
    raise InvalidInput(f"the uploaded file exceeds {describe(limit)}")
