"""Stored files and their WeCom media; content items as WeCom message attachments.

Bytes are kept in the database (``content_files``): every API and worker process on every
machine reads the same rows, backups include them, and WeCom's own limits (≤20 MB) keep them
small. Temporary media ids (``media/upload``) live 3 days: an id older than 3 days minus one
hour is uploaded again before use, and a message WeCom refuses with 40007 (expired or unknown
media) is retried once after a fresh upload (:func:`attachment` with ``fresh=True``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.content.models import ContentFile, ContentItem
from siyu.core import filetypes
from siyu.core.errors import InvalidInput, NotFound
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.wecom import media_api
from siyu.wecom.client import WeComClient

MEDIA_MARGIN = timedelta(hours=1)
MB = 1024 * 1024
#: kind -> (allowed content types, max bytes): WeCom's limits for temporary media
LIMITS: dict[str, tuple[tuple[str, ...], int]] = {
    "image": (("image/jpeg", "image/png"), 10 * MB),
    "video": (("video/mp4",), 10 * MB),
    "file": ((), 20 * MB),
}
UPLOADIMG_MAX = 2 * MB
MIN_BYTES = 6  # WeCom: every media file is larger than 5 bytes
ATTACHABLE = ("link", "article", "image", "miniprogram", "file", "video")


def check_upload(kind: str, *, filename: str, content: bytes) -> str:
    """WeCom's size and type limits, as a clear 4xx before anything is stored; the file's
    type detected from its bytes (the type the client sent is never trusted)."""
    if kind not in LIMITS:
        raise InvalidInput("an uploaded item is an image, a file or a video")
    types, limit = LIMITS[kind]
    size = len(content)
    if size < MIN_BYTES:
        raise InvalidInput("the uploaded file is empty (WeCom needs more than 5 bytes)")
    if size > limit:
        raise InvalidInput(f"a {kind} may be at most {limit // MB} MB (WeCom's limit)")
    sniffed = filetypes.sniff(content, filename=filename)
    if types and sniffed not in types:
        allowed = ", ".join(t.split("/")[1].upper() for t in types)
        raise InvalidInput(f"a {kind} must be {allowed} (its bytes say {sniffed or 'neither'})")
    return filetypes.detect(content, filename=filename)


async def store(
    s: AsyncSession,
    corp_id: int,
    *,
    kind: str,
    filename: str,
    content: bytes,
) -> ContentFile:
    """Store an upload under the type detected from its bytes (:mod:`.filetypes`)."""
    content_type = check_upload(kind, filename=filename, content=content)
    f = ContentFile(
        corp_id=corp_id,
        filename=(filename or "upload")[:200],
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    s.add(f)
    await s.flush()
    return f


async def file_of(s: AsyncSession, item: ContentItem) -> ContentFile:
    if item.file_id is None:
        raise NotFound(f"content item {item.id} has no file")
    f = await s.scalar(scoped(ContentFile, item.corp_id).where(ContentFile.id == item.file_id))
    if f is None:
        raise NotFound(f"the file of content item {item.id} is gone")
    return f


def media_alive(item: ContentItem, now: datetime) -> bool:
    at = item.media_uploaded_at
    return bool(item.media_id) and at is not None and at + media_api.MEDIA_TTL - MEDIA_MARGIN > now


async def ensure_media(
    s: AsyncSession, item: ContentItem, client: WeComClient, *, fresh: bool = False
) -> str:
    """The item's temporary media id, uploaded (again) when missing, old or ``fresh``."""
    now = utcnow()
    if not fresh and media_alive(item, now):
        return item.media_id
    f = await file_of(s, item)
    kind = "image" if item.kind in ("image", "miniprogram") else item.kind
    if kind not in ("image", "video", "file"):
        kind = "image"  # covers
    item.media_id = await media_api.upload_temporary(
        client, kind=kind, filename=f.filename, content=f.content, content_type=f.content_type
    )
    item.media_uploaded_at = now
    return item.media_id


async def ensure_image_url(s: AsyncSession, item: ContentItem, client: WeComClient) -> str:
    """A permanent WeCom URL of the item's cover (``media/uploadimg``, uploaded once)."""
    if item.image_url:
        return item.image_url
    f = await file_of(s, item)
    if f.size > UPLOADIMG_MAX:
        raise InvalidInput("a cover image may be at most 2 MB (WeCom's limit)")
    item.image_url = await media_api.upload_image(
        client, filename=f.filename, content=f.content, content_type=f.content_type
    )
    return item.image_url


def _clip(text: str, limit: int) -> str:
    """At most ``limit`` UTF-8 bytes, cut on a character boundary."""
    data = text.encode()
    return text if len(data) <= limit else data[:limit].decode(errors="ignore")


async def attachment(
    s: AsyncSession,
    item: ContentItem,
    client: WeComClient,
    *,
    link_url: str,
    fresh: bool = False,
) -> dict[str, Any]:
    """The item as one WeCom message attachment (link-type items point at ``link_url``,
    the radar link)."""
    if item.kind not in ATTACHABLE:
        raise InvalidInput(f"a {item.kind} item cannot be attached to a message")
    if item.kind in ("link", "article"):
        link: dict[str, Any] = {"title": _clip(item.title, 128), "url": link_url}
        if item.description:
            link["desc"] = _clip(item.description, 512)
        picurl = item.cover
        if item.file_id is not None:
            picurl = await ensure_image_url(s, item, client)
        if picurl:
            link["picurl"] = picurl
        return {"msgtype": "link", "link": link}
    media_id = await ensure_media(s, item, client, fresh=fresh)
    if item.kind == "miniprogram":
        return {
            "msgtype": "miniprogram",
            "miniprogram": {
                "title": _clip(item.title, 64),
                "pic_media_id": media_id,
                "appid": item.appid,
                "page": item.page,
            },
        }
    return {"msgtype": item.kind, item.kind: {"media_id": media_id}}
