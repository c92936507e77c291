"""Content items inside outgoing messages (broadcasts, SOP steps).

A message stores a reference ``{"msgtype": "content", "content": {"item_id": n}}`` among its
attachments; right before the WeCom call, :func:`resolve` turns each reference into WeCom's
attachment JSON: link-type items become a radar link for the sending employee (and the
broadcast, whose openers are identified by OAuth), files and images are uploaded as media.
The same message resolves to the same links every time (the expiry is derived from the
message, not the clock), so a retried call sends identical content.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.content import media
from siyu.content import repository as repo
from siyu.content.models import ContentItem
from siyu.content.radar import RadarClaim
from siyu.content.service import link_url
from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.wecom.client import WeComClient

CONTENT = "content"
LINK_DAYS = 90  # radar links in messages stay valid this long after the message was created


def reference(item_id: int) -> dict[str, Any]:
    return {"msgtype": CONTENT, CONTENT: {"item_id": item_id}}


def referenced(attachments: list[Any]) -> list[int]:
    """Item ids referenced by a message's attachments."""
    return [
        int(a[CONTENT]["item_id"])
        for a in attachments
        if isinstance(a, dict) and a.get("msgtype") == CONTENT
    ]


async def check(s: AsyncSession, corp_id: int, item_id: int) -> ContentItem:
    """The item, when it can go out in a message (400 / 404 / 409 otherwise)."""
    item = await repo.get_item(s, corp_id, item_id)
    if item is None:
        raise NotFound(f"content item {item_id} does not exist")
    if item.archived_at is not None:
        raise Conflict(f"content item {item_id} is archived")
    if item.kind not in media.ATTACHABLE:
        raise InvalidInput(f"a {item.kind} item cannot be attached (put text in the message)")
    return item


async def resolve(
    s: AsyncSession,
    corp_id: int,
    attachments: list[Any],
    client: WeComClient,
    *,
    userid: str,
    issued_at: datetime,
    secret_key: str,
    base_url: str,
    broadcast_id: int = 0,
    customer_id: int = 0,
    fresh: bool = False,
) -> list[dict[str, Any]]:
    """WeCom attachments with every content reference resolved (``fresh``: re-upload media)."""
    out: list[dict[str, Any]] = []
    expires = int((issued_at + timedelta(days=LINK_DAYS)).timestamp())
    for att in attachments:
        if not (isinstance(att, dict) and att.get("msgtype") == CONTENT):
            out.append(att)
            continue
        item = await repo.get_item(s, corp_id, int(att[CONTENT]["item_id"]))
        if item is None:
            raise NotFound("the attached content item was deleted")
        claim = RadarClaim(
            corp_id, item.id, customer_id, userid, expires, broadcast_id, item.link_epoch
        )
        url = link_url(claim, secret_key=secret_key, base_url=base_url)
        out.append(await media.attachment(s, item, client, link_url=url, fresh=fresh))
    return out


async def count_send(s: AsyncSession, corp_id: int, attachments: list[Any]) -> None:
    """One more send of every referenced item (a message WeCom accepted)."""
    for item_id in referenced(attachments):
        item = await repo.get_item(s, corp_id, item_id)
        if item is not None:
            item.sends += 1
