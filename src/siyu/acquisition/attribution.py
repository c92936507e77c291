"""Attribution: link each add to its channel code through ``state``; the follow-up work.

On an add through a code: the attribution fact (``channel_adds``) and the daily roll-up, the
customer's source (first channel) or a ``channel_attributed`` timeline entry, and the welcome
message (now: its code lives 20 s). Auto tags and the auto remark are written through to WeCom
by a queue task after commit (:func:`apply_extras`), recorded on the fact row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition import stats
from siyu.acquisition.models import ChannelAdd, ChannelCode, CustomerSource
from siyu.acquisition.repository import insert_ignore
from siyu.acquisition.welcome import fill
from siyu.customers import timeline as tl
from siyu.customers.models import Customer, FollowRelation
from siyu.customers.service import refresh_from_wecom
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.employees.models import Employee
from siyu.tags.relations import mirror_mark_tag
from siyu.wecom.client import WeComClient
from siyu.wecom.errors import WeComError, WeComRateLimited, WeComTokenError, WeComUnavailable

REMARK_MAX = 20  # WeCom: remark ≤20 characters
RETRYABLE = (WeComRateLimited, WeComUnavailable, WeComTokenError)


async def employee_name(session: AsyncSession, corp_id: int, userid: str) -> str:
    name = await session.scalar(
        scoped(Employee, corp_id, Employee.name).where(Employee.userid == userid)
    )
    return name or userid


async def record_add(
    session: AsyncSession,
    corp_id: int,
    c: ChannelCode,
    *,
    customer_id: int,
    userid: str,
    now: datetime,
    tz: ZoneInfo,
) -> ChannelAdd:
    add = ChannelAdd(
        corp_id=corp_id,
        channel_id=c.id,
        customer_id=customer_id,
        userid=userid,
        added_at=now,
        day=now.astimezone(tz).date(),
    )
    session.add(add)
    await session.flush()
    await stats.record_add(session, corp_id, add)
    first = await insert_ignore(
        session,
        CustomerSource,
        {
            "corp_id": corp_id,
            "customer_id": customer_id,
            "channel_id": c.id,
            "userid": userid,
            "added_at": now,
        },
        unique=["corp_id", "customer_id"],
    )
    await tl.record(
        session,
        [
            tl.entry(
                corp_id,
                customer_id,
                tl.CHANNEL_ATTRIBUTED,
                at=now,
                userid=userid,
                channel_id=c.id,
                channel=c.name,
                state=c.state,
                first=first,
            )
        ],
    )
    return add


async def record_loss(
    session: AsyncSession,
    corp_id: int,
    *,
    customer_id: int,
    userid: str,
    by: str,
    now: datetime,
    tz: ZoneInfo,
) -> ChannelAdd | None:
    """Close the latest open add of this customer × employee and count the loss."""
    add = await session.scalar(
        scoped(ChannelAdd, corp_id)
        .where(
            ChannelAdd.customer_id == customer_id,
            ChannelAdd.userid == userid,
            ChannelAdd.deleted_at.is_(None),
        )
        .order_by(ChannelAdd.id.desc())
        .limit(1)
    )
    if add is None:
        return None
    add.deleted_at, add.deleted_by = now, by
    await stats.record_loss(session, corp_id, add, at=now, tz=tz)
    return add


async def source_of(session: AsyncSession, corp_id: int, customer_id: int) -> CustomerSource | None:
    return await session.scalar(
        scoped(CustomerSource, corp_id).where(CustomerSource.customer_id == customer_id)
    )


async def apply_extras(
    session: AsyncSession, corp_id: int, add_id: int, client: WeComClient
) -> str:
    """Write the code's auto tags and auto remark to WeCom, then mirror them locally."""
    add = await session.scalar(scoped(ChannelAdd, corp_id).where(ChannelAdd.id == add_id))
    if add is None or add.extras_status != "pending":
        return add.extras_status if add else "missing"
    c = await session.get(ChannelCode, add.channel_id)
    row = (
        await session.execute(
            select(FollowRelation, Customer)
            .join(Customer, Customer.id == FollowRelation.customer_id)
            .where(
                FollowRelation.corp_id == corp_id,
                FollowRelation.customer_id == add.customer_id,
                FollowRelation.userid == add.userid,
            )
        )
    ).first()
    if c is None or row is None or row[0].deleted_at is not None:
        add.extras_status, add.extras_error = "skipped", "the relation no longer exists"
        return add.extras_status
    rel, cust = row
    try:
        if c.tag_ids:
            await client.mark_tag(rel.userid, cust.external_userid, add=list(c.tag_ids))
            await mirror_mark_tag(
                session,
                corp_id,
                rel,
                add=list(c.tag_ids),
                remove=[],
                now=utcnow(),
                channel_id=c.id,
            )
        if c.remark_template:
            employee = await employee_name(session, corp_id, rel.userid)
            remark = fill(c.remark_template, channel=c.name, nickname=cust.name, employee=employee)[
                :REMARK_MAX
            ]
            if remark:
                await client.remark(rel.userid, cust.external_userid, remark=remark)
                await refresh_from_wecom(session, corp_id, cust.external_userid, client)
    except RETRYABLE:
        raise
    except WeComError as exc:
        add.extras_status = "failed"
        add.extras_error = f"{exc.errmsg} (errcode {exc.errcode})"[:300]
        return add.extras_status
    add.extras_status = "done"
    return add.extras_status


async def source_detail(session: AsyncSession, corp_id: int, customer_id: int) -> dict[str, Any]:
    """The customer's source channel and its channel adds, oldest first."""
    src = await source_of(session, corp_id, customer_id)
    rows = (
        await session.execute(
            select(ChannelAdd, ChannelCode.name)
            .join(ChannelCode, ChannelCode.id == ChannelAdd.channel_id)
            .where(ChannelAdd.corp_id == corp_id, ChannelAdd.customer_id == customer_id)
            .order_by(ChannelAdd.id)
        )
    ).all()
    names = {a.channel_id: n for a, n in rows}
    return {
        "customer_id": customer_id,
        "channel_id": src.channel_id if src else None,
        "channel": names.get(src.channel_id) if src else None,
        "userid": src.userid if src else None,
        "added_at": src.added_at if src else None,
        "channels": [
            {
                "channel_id": a.channel_id,
                "channel": n,
                "userid": a.userid,
                "added_at": a.added_at,
                "deleted_at": a.deleted_at,
            }
            for a, n in rows
        ],
    }
