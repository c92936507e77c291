"""Content items, radar links and their opens (timeline entry + app message to the employee)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.ownership import message
from siyu.content.models import ContentItem, RadarOpen
from siyu.content.radar import RadarClaim, sign, verify
from siyu.content.schemas import ContentIn, RadarLinkIn
from siyu.core.errors import InvalidInput, NotFound
from siyu.core.pagination import encode_cursor, id_page_bounds
from siyu.corps.models import Corp
from siyu.customers import timeline
from siyu.customers.models import Customer
from siyu.db.base import utcnow
from siyu.db.repository import scoped


async def create(s: AsyncSession, corp: Corp, data: ContentIn) -> ContentItem:
    if data.kind in ("link",) and not data.url:
        raise InvalidInput("a link needs a url")
    item = ContentItem(corp_id=corp.id, uses=0, opens=0, **data.model_dump())
    s.add(item)
    await s.flush()
    return item


async def get(s: AsyncSession, corp_id: int, item_id: int) -> ContentItem:
    item = await s.scalar(scoped(ContentItem, corp_id).where(ContentItem.id == item_id))
    if item is None:
        raise NotFound(f"content item {item_id} does not exist")
    return item


async def list_page(
    s: AsyncSession,
    corp: Corp,
    *,
    folder: str | None,
    keyword: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[ContentItem], str | None]:
    stmt = scoped(ContentItem, corp.id)
    if folder is not None:
        stmt = stmt.where(ContentItem.folder == folder)
    if keyword:
        stmt = stmt.where(ContentItem.title.like(f"%{keyword}%"))
    after = id_page_bounds(cursor)
    if after is not None:
        stmt = stmt.where(ContentItem.id < after)
    rows = list((await s.scalars(stmt.order_by(ContentItem.id.desc()).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor([rows[-1].id]) if more and rows else None


async def radar_link(
    s: AsyncSession,
    corp: Corp,
    item_id: int,
    data: RadarLinkIn,
    *,
    secret_key: str,
    base_url: str,
) -> tuple[str, datetime]:
    """A signed tracked link for one employee (and one customer when known)."""
    item = await get(s, corp.id, item_id)
    if data.customer_id is not None:
        found = await s.scalar(
            scoped(Customer, corp.id, Customer.id).where(Customer.id == data.customer_id)
        )
        if found is None:
            raise NotFound(f"customer {data.customer_id} does not exist")
    expires = utcnow() + timedelta(days=data.ttl_days)
    claim = RadarClaim(
        corp.id, item.id, data.customer_id or 0, data.userid, int(expires.timestamp())
    )
    item.uses += 1
    return f"{base_url.rstrip('/')}/r/{sign(claim, secret_key=secret_key)}", expires


async def record_open(
    s: AsyncSession, token: str, *, secret_key: str
) -> tuple[ContentItem, int | None]:
    """Verify the token, store the open, add the customer's timeline entry and queue the app
    message to the employee; (the item, the app message id to send after commit)."""
    claim = verify(token, secret_key=secret_key)
    item = await get(s, claim.corp_id, claim.item_id)
    now = utcnow()
    customer = None
    if claim.customer_id:
        customer = await s.scalar(
            scoped(Customer, claim.corp_id).where(Customer.id == claim.customer_id)
        )
    s.add(
        RadarOpen(
            corp_id=claim.corp_id,
            item_id=item.id,
            customer_id=customer.id if customer else None,
            userid=claim.userid,
            opened_at=now,
        )
    )
    item.opens += 1
    if customer is not None:
        await timeline.record(
            s,
            [
                timeline.entry(
                    claim.corp_id,
                    customer.id,
                    timeline.RADAR_OPENED,
                    at=now,
                    userid=claim.userid,
                    item_id=item.id,
                    title=item.title,
                )
            ],
        )
    who = customer.name if customer else "一位客户"
    msg = message(
        s,
        claim.corp_id,
        kind="radar_open",
        userids=[claim.userid],
        text=f"{who} 刚刚打开了《{item.title}》（{now.astimezone(UTC):%H:%M} UTC）",
        ref=f"radar:{item.id}",
    )
    await s.flush()
    return item, msg.id


async def opens(s: AsyncSession, corp: Corp, item_id: int, *, limit: int) -> list[RadarOpen]:
    await get(s, corp.id, item_id)
    stmt = (
        scoped(RadarOpen, corp.id)
        .where(RadarOpen.item_id == item_id)
        .order_by(RadarOpen.id.desc())
        .limit(limit)
    )
    return list((await s.scalars(stmt)).all())
