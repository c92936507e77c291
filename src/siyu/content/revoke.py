"""Revoking radar links: one link (by its URL, or the link behind an open) or every link of an
item made so far. A revoked link answers 410 on every public route (open, OAuth return, read
beats, file); links made afterwards work. Archiving an item withdraws all its links too (410)
until it is restored. Functions take the session and the corp explicitly, never commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.content import repository as repo
from siyu.content.models import ContentItem, RadarOpen, RadarRevokedLink
from siyu.content.radar import link_id, verify
from siyu.content.schemas import RadarRevokeIn, RadarRevokeOut
from siyu.core.errors import Forbidden, InvalidInput, NotFound
from siyu.corps.models import Corp
from siyu.db.base import utcnow
from siyu.db.repository import scoped


def _token(link: str) -> str:
    """The token of a radar link given as its URL (``…/r/<token>``) or as the token."""
    text = link.strip()
    if "/r/" in text:
        text = text.rsplit("/r/", 1)[1]
    return text.split("?", 1)[0].split("#", 1)[0].split("/", 1)[0]


async def _link_of_open(s: AsyncSession, corp: Corp, item: ContentItem, open_id: int) -> str:
    o = await s.scalar(scoped(RadarOpen, corp.id).where(RadarOpen.id == open_id))
    if o is None or o.item_id != item.id:
        raise NotFound(f"open {open_id} of content item {item.id} does not exist")
    if not o.link:
        raise InvalidInput("this open predates link revocation; revoke every link instead")
    return o.link


async def revoke(
    s: AsyncSession, corp: Corp, item: ContentItem, data: RadarRevokeIn, *, secret_key: str
) -> RadarRevokeOut:
    if sum((data.all, data.link is not None, data.open_id is not None)) != 1:
        raise InvalidInput("give exactly one of: link, open_id, all")
    if data.all:
        item.link_epoch += 1
        return RadarRevokeOut(revoked=1, link_epoch=item.link_epoch)
    if data.link is not None:
        token = _token(data.link)
        try:
            claim = verify(token, secret_key=secret_key, now=0)  # an expired link too
        except Forbidden as exc:
            raise InvalidInput("this is not a radar link of Siyu") from exc
        if claim.corp_id != corp.id or claim.item_id != item.id:
            raise InvalidInput(f"this link is not a link of content item {item.id}")
        link = link_id(token)
    else:
        assert data.open_id is not None
        link = await _link_of_open(s, corp, item, data.open_id)
    if await repo.link_revoked(s, corp.id, link):
        return RadarRevokeOut(revoked=0, link_epoch=item.link_epoch)
    s.add(RadarRevokedLink(corp_id=corp.id, item_id=item.id, link=link, revoked_at=utcnow()))
    await s.flush()
    return RadarRevokeOut(revoked=1, link_epoch=item.link_epoch)
