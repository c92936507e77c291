"""Timeline kinds and the helper that records them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, or_
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.customers.models import Customer, TimelineEvent

_TABLE = cast(Table, TimelineEvent.__table__)

ADDED = "added"
DELETED_BY_CUSTOMER = "deleted_by_customer"
DELETED_BY_EMPLOYEE = "deleted_by_employee"
RELATION_GONE = "relation_gone"
TAGGED = "tagged"
UNTAGGED = "untagged"
REMARK_CHANGED = "remark_changed"
JOINED_GROUP = "joined_group"
LEFT_GROUP = "left_group"
TRANSFER_FAILED = "transfer_failed"
CHANNEL_ATTRIBUTED = "channel_attributed"  # an add through a channel code (acquisition)
COLLISION = "collision"  # a locked customer added another employee (acquisition)
OWNER_CHANGED = "owner_changed"  # the customer's owner was set or reassigned (acquisition)
NOTE = "note"  # a follow-up note written by an employee (sidebar / console)
RADAR_OPENED = "radar_opened"  # the customer opened a radar link (content)
SOP_STEP_DONE = "sop_step_done"  # the employee sent an SOP step to the customer (sop)
STAGE_CHANGED = "stage_changed"  # the customer moved to another lifecycle stage (stages)
PROFILE_CHANGED = "profile_changed"  # profile fields edited (remark written to WeCom, birthday…)
FOLLOW_UP_SET = "follow_up_set"  # an employee set or cleared their next follow-up

KINDS = (
    ADDED,
    DELETED_BY_CUSTOMER,
    DELETED_BY_EMPLOYEE,
    RELATION_GONE,
    TAGGED,
    UNTAGGED,
    REMARK_CHANGED,
    JOINED_GROUP,
    LEFT_GROUP,
    TRANSFER_FAILED,
    CHANNEL_ATTRIBUTED,
    COLLISION,
    OWNER_CHANGED,
    NOTE,
    RADAR_OPENED,
    SOP_STEP_DONE,
    STAGE_CHANGED,
    PROFILE_CHANGED,
    FOLLOW_UP_SET,
)


def entry(
    corp_id: int,
    customer_id: int,
    kind: str,
    *,
    at: datetime,
    userid: str = "",
    **data: Any,
) -> dict[str, Any]:
    """One timeline row as a dict for bulk insertion."""
    assert kind in KINDS, kind
    return {
        "corp_id": corp_id,
        "customer_id": customer_id,
        "kind": kind,
        "userid": userid,
        "occurred_at": at,
        "data": data,
    }


async def record(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert timeline rows (no-op for an empty list)."""
    if rows:
        await session.execute(_TABLE.insert(), rows)
        await touch(session, [(r["customer_id"], r["occurred_at"]) for r in rows])


_CUSTOMERS = cast(Table, Customer.__table__)
_TOUCH = (
    _CUSTOMERS.update()
    .where(
        _CUSTOMERS.c.id == bindparam("_id"),
        or_(_CUSTOMERS.c.last_active_at.is_(None), _CUSTOMERS.c.last_active_at < bindparam("_at")),
    )
    .values(last_active_at=bindparam("_at"))
)


async def touch(session: AsyncSession, entries: Iterable[tuple[int, datetime]]) -> None:
    """Move each customer's ``last_active_at`` forward to its newest timeline entry among
    ``entries`` ``(customer id, occurred_at)``. Every writer of timeline rows calls it (``record``
    does), so the dashboard counts active customers on an index instead of the timeline."""
    latest: dict[int, datetime] = {}
    for cid, at in entries:
        if cid not in latest or at > latest[cid]:
            latest[cid] = at
    if latest:
        conn = await session.connection()
        await conn.execute(_TOUCH, [{"_id": c, "_at": at} for c, at in sorted(latest.items())])
