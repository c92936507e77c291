"""What operators read about ownership: collisions (防撞单), loss records (流失客户) and a
customer's owner, with names instead of ids, filters, keyset pages and export rows.

Dates (``start``/``end``) are calendar days in the corp's time zone, both inclusive.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.models import ChannelCode, Collision, CustomerOwner, LossRecord, OwnerChange
from siyu.acquisition.schemas import (
    CollisionOut,
    LossOut,
    OwnerCandidate,
    OwnerChangeOut,
    OwnerOut,
)
from siyu.core.errors import InvalidInput, NotFound
from siyu.core.export import Time
from siyu.core.pagination import Page, encode_cursor, id_page_bounds
from siyu.customers.models import Customer, FollowRelation
from siyu.db.repository import scoped
from siyu.employees import service as employees

LOSS_BY = ("customer", "employee")
EXPORT_CHUNK = 500
LOSS_EXPORT_HEADERS = [
    "客户",
    "员工",
    "流失方式",
    "渠道",
    Time("添加时间"),
    Time("流失时间"),
    "跟进天数",
    "已提醒员工",
]
BY_LABEL = {"customer": "客户删除员工", "employee": "员工删除客户"}


def day_bounds(
    start: date | None, end: date | None, tz: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """UTC bounds [from, to) of the corp's calendar days ``start``..``end`` (inclusive)."""
    if start is not None and end is not None and start > end:
        raise InvalidInput("start must not be after end")
    lo = datetime.combine(start, time(), tz) if start else None
    hi = datetime.combine(end + timedelta(days=1), time(), tz) if end else None
    return lo, hi


async def employee_names(
    session: AsyncSession, corp_id: int, userids: Iterable[str]
) -> dict[str, str]:
    """userid → display name (department beside a shared name)."""
    return await employees.display_names(session, corp_id, userids)


async def _channel_names(
    session: AsyncSession, corp_id: int, ids: Iterable[int | None]
) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = await session.execute(
        scoped(ChannelCode, corp_id, ChannelCode.id, ChannelCode.name).where(
            ChannelCode.id.in_(wanted)
        )
    )
    return dict(rows.all())


# -- collisions -------------------------------------------------------------------------------


def _collisions(
    corp_id: int,
    *,
    userid: str | None,
    customer_id: int | None,
    lo: datetime | None,
    hi: datetime | None,
) -> Select[Any]:
    stmt = (
        select(Collision, Customer.name, Customer.avatar, CustomerOwner.userid)
        .join(Customer, Customer.id == Collision.customer_id)
        .outerjoin(
            CustomerOwner,
            (CustomerOwner.corp_id == corp_id)
            & (CustomerOwner.customer_id == Collision.customer_id),
        )
        .where(Collision.corp_id == corp_id)
    )
    if userid:
        stmt = stmt.where((Collision.owner_userid == userid) | (Collision.other_userid == userid))
    if customer_id is not None:
        stmt = stmt.where(Collision.customer_id == customer_id)
    if lo is not None:
        stmt = stmt.where(Collision.at >= lo)
    if hi is not None:
        stmt = stmt.where(Collision.at < hi)
    return cast("Select[Any]", stmt)


async def collisions_page(
    session: AsyncSession,
    corp_id: int,
    *,
    tz: ZoneInfo,
    userid: str | None = None,
    customer_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[CollisionOut]:
    """Collisions, newest first, with the customer's, employees' and channel's names."""
    lo, hi = day_bounds(start, end, tz)
    stmt = _collisions(corp_id, userid=userid, customer_id=customer_id, lo=lo, hi=hi)
    after = id_page_bounds(cursor)
    if after is not None:
        stmt = stmt.where(Collision.id < after)
    rows = (await session.execute(stmt.order_by(Collision.id.desc()).limit(limit + 1))).all()
    more, rows = len(rows) > limit, rows[:limit]
    cols = [r[0] for r in rows]
    names = await employee_names(
        session,
        corp_id,
        [c.owner_userid for c in cols] + [c.other_userid for c in cols] + [r[3] for r in rows],
    )
    channels = await _channel_names(session, corp_id, [c.channel_id for c in cols])
    items = [
        CollisionOut.model_validate(c).model_copy(
            update={
                "customer_name": name or "",
                "customer_avatar": avatar or "",
                "owner_name": names.get(c.owner_userid, c.owner_userid),
                "other_name": names.get(c.other_userid, c.other_userid),
                "channel_name": channels.get(c.channel_id, "") if c.channel_id else "",
                "current_owner_userid": owner,
                "current_owner_name": names.get(owner, owner) if owner else "",
            }
        )
        for c, name, avatar, owner in rows
    ]
    return Page(items=items, next_cursor=encode_cursor([cols[-1].id]) if more else None)


# -- losses -----------------------------------------------------------------------------------


def _losses(
    corp_id: int,
    *,
    by: str | None,
    userid: str | None,
    channel_id: int | None,
    keyword: str | None,
    lo: datetime | None,
    hi: datetime | None,
) -> Select[Any]:
    if by is not None and by not in LOSS_BY:
        raise InvalidInput("by must be customer or employee")
    stmt = (
        select(LossRecord, Customer.name, Customer.avatar)
        .join(Customer, Customer.id == LossRecord.customer_id)
        .where(LossRecord.corp_id == corp_id)
    )
    if by:
        stmt = stmt.where(LossRecord.by == by)
    if userid:
        stmt = stmt.where(LossRecord.userid == userid)
    if channel_id is not None:
        stmt = stmt.where(LossRecord.channel_id == channel_id)
    if keyword:
        stmt = stmt.where(Customer.name.contains(keyword, autoescape=True))
    if lo is not None:
        stmt = stmt.where(LossRecord.deleted_at >= lo)
    if hi is not None:
        stmt = stmt.where(LossRecord.deleted_at < hi)
    return cast("Select[Any]", stmt)


def _kept_days(loss: LossRecord) -> int | None:
    if loss.added_at is None:
        return None
    return max(0, (loss.deleted_at - loss.added_at).days)


async def _loss_items(session: AsyncSession, corp_id: int, rows: Sequence[Any]) -> list[LossOut]:
    losses = [r[0] for r in rows]
    names = await employee_names(session, corp_id, [x.userid for x in losses])
    channels = await _channel_names(session, corp_id, [x.channel_id for x in losses])
    return [
        LossOut.model_validate(x).model_copy(
            update={
                "customer_name": name or "",
                "customer_avatar": avatar or "",
                "employee_name": names.get(x.userid, x.userid),
                "channel_name": channels.get(x.channel_id, "") if x.channel_id else "",
                "kept_days": _kept_days(x),
            }
        )
        for x, name, avatar in rows
    ]


async def losses_page(
    session: AsyncSession,
    corp_id: int,
    *,
    tz: ZoneInfo,
    by: str | None = None,
    userid: str | None = None,
    channel_id: int | None = None,
    keyword: str | None = None,
    start: date | None = None,
    end: date | None = None,
    since: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[LossOut]:
    """Relations that ended (both directions), newest first, with names."""
    lo, hi = day_bounds(start, end, tz)
    if since is not None:
        lo = max(lo, since) if lo is not None else since
    stmt = _losses(
        corp_id, by=by, userid=userid, channel_id=channel_id, keyword=keyword, lo=lo, hi=hi
    )
    after = id_page_bounds(cursor)
    if after is not None:
        stmt = stmt.where(LossRecord.id < after)
    rows = (await session.execute(stmt.order_by(LossRecord.id.desc()).limit(limit + 1))).all()
    more, rows = len(rows) > limit, rows[:limit]
    items = await _loss_items(session, corp_id, rows)
    return Page(items=items, next_cursor=encode_cursor([rows[-1][0].id]) if more else None)


async def loss_counts(
    session: AsyncSession,
    corp_id: int,
    *,
    tz: ZoneInfo,
    userid: str | None = None,
    channel_id: int | None = None,
    keyword: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> dict[str, int]:
    """Losses per direction under the same filters (the console's tab counts)."""
    lo, hi = day_bounds(start, end, tz)
    base = _losses(
        corp_id, by=None, userid=userid, channel_id=channel_id, keyword=keyword, lo=lo, hi=hi
    ).subquery()
    rows = await session.execute(select(base.c.by, func.count()).group_by(base.c.by))
    counts = {k: 0 for k in LOSS_BY}
    counts.update({str(k): int(n) for k, n in rows.all()})
    return counts


async def loss_export_rows(
    session: AsyncSession,
    corp_id: int,
    *,
    tz: ZoneInfo,
    by: str | None = None,
    userid: str | None = None,
    channel_id: int | None = None,
    keyword: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> AsyncIterator[list[Any]]:
    """Every loss under the filters, newest first, as export rows (pages of 500)."""
    lo, hi = day_bounds(start, end, tz)
    base = _losses(
        corp_id, by=by, userid=userid, channel_id=channel_id, keyword=keyword, lo=lo, hi=hi
    )
    after: int | None = None
    while True:
        stmt = base if after is None else base.where(LossRecord.id < after)
        rows = (
            await session.execute(stmt.order_by(LossRecord.id.desc()).limit(EXPORT_CHUNK))
        ).all()
        if not rows:
            return
        for x in await _loss_items(session, corp_id, rows):
            yield [
                x.customer_name,
                x.employee_name,
                BY_LABEL.get(x.by, x.by),
                x.channel_name,
                x.added_at,
                x.deleted_at,
                x.kept_days,
                "是" if x.alerted else "否",
            ]
        after = rows[-1][0].id


# -- a customer's owner -----------------------------------------------------------------------


async def owner_out(session: AsyncSession, corp_id: int, customer_id: int) -> OwnerOut:
    """The owner, every change with names, and who could become owner (live followers)."""
    customer = await session.scalar(
        scoped(Customer, corp_id, Customer.name).where(Customer.id == customer_id)
    )
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist")
    owner = await session.scalar(
        scoped(CustomerOwner, corp_id, CustomerOwner.userid).where(
            CustomerOwner.customer_id == customer_id
        )
    )
    changes = list(
        (
            await session.scalars(
                scoped(OwnerChange, corp_id)
                .where(OwnerChange.customer_id == customer_id)
                .order_by(OwnerChange.id)
            )
        ).all()
    )
    followers = list(
        (
            await session.scalars(
                scoped(FollowRelation, corp_id, FollowRelation.userid)
                .where(
                    FollowRelation.customer_id == customer_id,
                    FollowRelation.deleted_at.is_(None),
                )
                .order_by(FollowRelation.added_at, FollowRelation.id)
            )
        ).all()
    )
    names = await employee_names(
        session,
        corp_id,
        [
            *followers,
            owner or "",
            *(c.from_userid for c in changes),
            *(c.to_userid for c in changes),
        ],
    )
    history = [
        OwnerChangeOut.model_validate(c).model_copy(
            update={
                "from_name": names.get(c.from_userid, c.from_userid),
                "to_name": names.get(c.to_userid, c.to_userid),
            }
        )
        for c in changes
    ]
    return OwnerOut(
        customer_id=customer_id,
        userid=owner,
        name=names.get(owner, owner) if owner else "",
        customer_name=customer,
        history=history,
        candidates=[
            OwnerCandidate(userid=u, name=names.get(u, u)) for u in dict.fromkeys(followers)
        ],
    )
