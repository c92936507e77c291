"""Welcome messages: exactly one ``send_welcome_msg`` per WelcomeCode, inside its 20 s window.

The send happens in the event handler (the worker processes the callback right after storing
it). A ``welcome_sends`` row keyed by (corp, welcome_code) is written first: a redelivered or
retried event finds it and sends nothing. If the whole event transaction rolls back after a
successful send, the retry's send is refused by WeCom (the code is single-use, 41051) and the
row records that refusal — the customer still got exactly one message.

Images and files are uploaded as temporary WeCom media (valid 3 days) and re-uploaded when the
stored media id is about to expire or WeCom says it is invalid (40007).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.models import AcquisitionImage, ChannelCode, WelcomeSend
from siyu.acquisition.rotation import in_window
from siyu.core import filetypes
from siyu.core.errors import InvalidInput
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.wecom import acquisition_api as api
from siyu.wecom.client import WeComClient
from siyu.wecom.errors import WeComError

log = logging.getLogger(__name__)
MEDIA_TTL = timedelta(days=3)
MEDIA_MARGIN = timedelta(hours=1)
INVALID_MEDIA = 40007
MAX_ASSET_BYTES = 10 * 1024 * 1024


class _Default(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, **values: str) -> str:
    """Replace ``{nickname}``, ``{employee}``, ``{channel}``; unknown placeholders stay."""
    return template.format_map(_Default(values))


def choose(c: ChannelCode, local: datetime) -> dict[str, Any] | None:
    """The time-of-day variant covering ``local``, else the code's default welcome."""
    for v in c.welcome_variants:
        if in_window(v["start"], v["end"], local):
            return {"text": v.get("text", ""), "attachments": v.get("attachments", [])}
    return c.welcome or None


async def save_asset(
    session: AsyncSession, corp_id: int, *, filename: str, content: bytes
) -> AcquisitionImage:
    """Store an upload under the type detected from its bytes (the allowlist of
    :mod:`siyu.core.filetypes`); the type the client sent is never trusted."""
    if not content:
        raise InvalidInput("the uploaded file is empty")
    if len(content) > MAX_ASSET_BYTES:
        raise InvalidInput("the uploaded file exceeds 10 MB")
    detected = filetypes.detect(content, filename=filename)
    asset = AcquisitionImage(
        corp_id=corp_id,
        filename=filename[:200] or "upload",
        content_type=detected,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )
    session.add(asset)
    await session.flush()
    return asset


async def _media(
    session: AsyncSession,
    corp_id: int,
    client: WeComClient,
    asset_id: int,
    kind: str,
    *,
    now: datetime,
    fresh: bool,
) -> str:
    asset = await session.scalar(
        scoped(AcquisitionImage, corp_id).where(AcquisitionImage.id == asset_id)
    )
    if asset is None:
        raise InvalidInput(f"asset {asset_id} does not exist")
    alive = asset.media_expires_at is not None and asset.media_expires_at - MEDIA_MARGIN > now
    if asset.media_id and alive and not fresh:
        return asset.media_id
    asset.media_id = await api.upload_media(
        client,
        kind=kind,
        filename=asset.filename,
        content=asset.content,
        content_type=asset.content_type,
    )
    asset.media_expires_at = now + MEDIA_TTL
    return asset.media_id


async def attachments_for(
    session: AsyncSession,
    corp_id: int,
    client: WeComClient,
    items: list[dict[str, Any]],
    *,
    now: datetime,
    fresh: bool = False,
) -> list[dict[str, Any]]:
    """WeCom's attachment JSON, uploading (or re-uploading) media as needed."""
    out: list[dict[str, Any]] = []
    for a in items:
        kind = a["type"]
        if kind == "image":
            if a.get("asset_id"):
                mid = await _media(
                    session, corp_id, client, a["asset_id"], "image", now=now, fresh=fresh
                )
                out.append({"msgtype": "image", "image": {"media_id": mid}})
            else:
                out.append({"msgtype": "image", "image": {"pic_url": a["pic_url"]}})
        elif kind == "link":
            link = {"title": a["title"], "url": a["url"]}
            for src, dst in (("pic_url", "picurl"), ("desc", "desc")):
                if a.get(src):
                    link[dst] = a[src]
            out.append({"msgtype": "link", "link": link})
        elif kind == "miniprogram":
            mid = await _media(
                session, corp_id, client, a["asset_id"], "image", now=now, fresh=fresh
            )
            out.append(
                {
                    "msgtype": "miniprogram",
                    "miniprogram": {
                        "title": a["title"],
                        "pic_media_id": mid,
                        "appid": a["appid"],
                        "page": a["page"],
                    },
                }
            )
        else:
            mid = await _media(
                session, corp_id, client, a["asset_id"], "file", now=now, fresh=fresh
            )
            out.append({"msgtype": "file", "file": {"media_id": mid}})
    return out


async def send(
    session: AsyncSession,
    corp_id: int,
    client: WeComClient,
    c: ChannelCode,
    *,
    welcome_code: str,
    external_userid: str,
    userid: str,
    nickname: str,
    employee: str,
    tz: ZoneInfo,
) -> WelcomeSend | None:
    """Send the code's welcome for one add, once; returns the durable record (None: no welcome)."""
    now = utcnow()
    done = await session.scalar(
        scoped(WelcomeSend, corp_id).where(WelcomeSend.welcome_code == welcome_code)
    )
    if done is not None:
        return done
    content = choose(c, now.astimezone(tz))
    if not content:
        return None
    text = fill(content.get("text", ""), nickname=nickname, employee=employee, channel=c.name)
    row = WelcomeSend(
        corp_id=corp_id,
        welcome_code=welcome_code,
        channel_id=c.id,
        external_userid=external_userid,
        userid=userid,
        status="sending",
        content={"text": text, "attachments": content.get("attachments", [])},
        created_at=now,
    )
    session.add(row)
    await session.flush()
    items = content.get("attachments", [])
    try:
        try:
            atts = await attachments_for(session, corp_id, client, items, now=now)
            await api.send_welcome_msg(client, welcome_code, text=text, attachments=atts)
        except WeComError as exc:
            if exc.errcode != INVALID_MEDIA:
                raise
            atts = await attachments_for(session, corp_id, client, items, now=now, fresh=True)
            await api.send_welcome_msg(client, welcome_code, text=text, attachments=atts)
        row.status = "sent"
    except WeComError as exc:
        row.status, row.error = "failed", f"{exc.errmsg} (errcode {exc.errcode})"[:300]
        log.warning("welcome for %s via %s failed: %s", external_userid, c.state, row.error)
    return row


async def list_sends(
    session: AsyncSession,
    corp_id: int,
    *,
    channel_id: int | None,
    limit: int = 100,
    visible: frozenset[str] | None = None,
) -> list[WelcomeSend]:
    """The newest welcome sends (within a data scope: those of its employees)."""
    stmt = scoped(WelcomeSend, corp_id)
    if channel_id is not None:
        stmt = stmt.where(WelcomeSend.channel_id == channel_id)
    if visible is not None:
        stmt = stmt.where(WelcomeSend.userid.in_(sorted(visible)))
    return list((await session.scalars(stmt.order_by(WelcomeSend.id.desc()).limit(limit))).all())


async def asset(session: AsyncSession, corp_id: int, asset_id: int) -> AcquisitionImage | None:
    return await session.scalar(
        select(AcquisitionImage).where(
            AcquisitionImage.corp_id == corp_id, AcquisitionImage.id == asset_id
        )
    )
