"""Ownership (collision lock, 防撞单), loss records (流失提醒) and app messages to employees.

The first employee to add a customer becomes its owner. With the corp's collision lock on, an
add of an owned customer by another employee records a collision and notifies both employees;
the owner stays. Operators reassign owners; every change is kept in ``owner_changes``.
App messages are durable rows (pending → sent | failed) sent by a queue task after commit, with
WeCom's duplicate check on so that a retried job does not notify twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.models import (
    AcquisitionSettings,
    AppMessage,
    Collision,
    CustomerOwner,
    LossRecord,
    OwnerChange,
)
from siyu.acquisition.repository import insert_ignore
from siyu.core.errors import InvalidInput, NotFound
from siyu.corps.models import Corp
from siyu.customers import changelog
from siyu.customers import timeline as tl
from siyu.customers.models import Customer, FollowRelation
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.employees import service as employees
from siyu.wecom import acquisition_api as api
from siyu.wecom.client import WeComClient
from siyu.wecom.errors import WeComError, WeComRateLimited, WeComUnavailable

DEDUPE_SECONDS = 1800


async def settings(session: AsyncSession, corp_id: int) -> AcquisitionSettings:
    row = await session.scalar(scoped(AcquisitionSettings, corp_id))
    if row is None:
        now = utcnow()
        values = {"collision_lock": False, "loss_alerts": True, "created_at": now}
        await insert_ignore(
            session,
            AcquisitionSettings,
            {"corp_id": corp_id, **values, "updated_at": now},
            unique=["corp_id"],
        )
        row = await session.scalar(scoped(AcquisitionSettings, corp_id))
        assert row is not None
    return row


async def update_settings(
    session: AsyncSession, corp_id: int, *, collision_lock: bool, loss_alerts: bool
) -> AcquisitionSettings:
    row = await settings(session, corp_id)
    row.collision_lock, row.loss_alerts = collision_lock, loss_alerts
    return row


async def owner_of(session: AsyncSession, corp_id: int, customer_id: int) -> CustomerOwner | None:
    return await session.scalar(
        scoped(CustomerOwner, corp_id).where(CustomerOwner.customer_id == customer_id)
    )


async def _live_relation(
    session: AsyncSession, corp_id: int, customer_id: int, userid: str
) -> FollowRelation | None:
    return await session.scalar(
        scoped(FollowRelation, corp_id).where(
            FollowRelation.customer_id == customer_id,
            FollowRelation.userid == userid,
            FollowRelation.deleted_at.is_(None),
        )
    )


async def set_owner(
    session: AsyncSession,
    corp_id: int,
    customer_id: int,
    userid: str,
    *,
    reason: str,
    by: str,
    now: datetime,
) -> CustomerOwner:
    owner = await owner_of(session, corp_id, customer_id)
    before = owner.userid if owner else ""
    if owner is None:
        owner = CustomerOwner(corp_id=corp_id, customer_id=customer_id, userid=userid, since=now)
        session.add(owner)
    else:
        owner.userid, owner.since = userid, now
    session.add(
        OwnerChange(
            corp_id=corp_id,
            customer_id=customer_id,
            from_userid=before,
            to_userid=userid,
            reason=reason,
            changed_by=by,
            at=now,
        )
    )
    if before:  # the first owner is the employee of the "added" entry: no extra entry
        await tl.record(
            session,
            [
                tl.entry(
                    corp_id,
                    customer_id,
                    tl.OWNER_CHANGED,
                    at=now,
                    userid=userid,
                    previous=before,
                    reason=reason,
                )
            ],
        )
    await session.flush()
    await changelog.record(session, corp_id, [customer_id])
    return owner


def message(
    session: AsyncSession, corp_id: int, *, kind: str, userids: list[str], text: str, ref: str
) -> AppMessage:
    msg = AppMessage(
        corp_id=corp_id, kind=kind, userids=userids, text=text, ref=ref, created_at=utcnow()
    )
    session.add(msg)
    return msg


async def on_added(
    session: AsyncSession,
    corp_id: int,
    *,
    customer_id: int,
    userid: str,
    name: str,
    state: str,
    channel_id: int | None,
    now: datetime,
) -> list[AppMessage]:
    """Set the first owner, or record a collision under the lock; returns messages to send."""
    owner = await owner_of(session, corp_id, customer_id)
    if owner is None:
        first = await session.scalar(
            scoped(FollowRelation, corp_id, FollowRelation.userid)
            .where(FollowRelation.customer_id == customer_id, FollowRelation.deleted_at.is_(None))
            .order_by(FollowRelation.added_at, FollowRelation.id)
            .limit(1)
        )
        claimed = await insert_ignore(
            session,
            CustomerOwner,
            {"corp_id": corp_id, "customer_id": customer_id, "userid": first or userid}
            | {"since": now},
            unique=["corp_id", "customer_id"],
        )
        if claimed:
            session.add(
                OwnerChange(
                    corp_id=corp_id,
                    customer_id=customer_id,
                    from_userid="",
                    to_userid=first or userid,
                    reason="first add",
                    changed_by="system",
                    at=now,
                )
            )
            await changelog.record(session, corp_id, [customer_id])
            return []
        owner = await owner_of(session, corp_id, customer_id)  # another worker was first
        assert owner is not None
    if owner.userid == userid:
        return []
    if await _live_relation(session, corp_id, customer_id, owner.userid) is None:
        await set_owner(
            session,
            corp_id,
            customer_id,
            userid,
            reason="the previous owner no longer follows the customer",
            by="system",
            now=now,
        )
        return []
    if not (await settings(session, corp_id)).collision_lock:
        return []
    col = Collision(
        corp_id=corp_id,
        customer_id=customer_id,
        owner_userid=owner.userid,
        other_userid=userid,
        channel_id=channel_id,
        state=state,
        at=now,
    )
    session.add(col)
    await session.flush()
    await tl.record(
        session,
        [tl.entry(corp_id, customer_id, tl.COLLISION, at=now, userid=userid, owner=owner.userid)],
    )
    ref = f"collision:{col.id}"
    names = await employees.display_names(session, corp_id, [owner.userid, userid])
    owner_name, other_name = names.get(owner.userid) or owner.userid, names.get(userid) or userid
    return [
        message(
            session,
            corp_id,
            kind="collision",
            userids=[owner.userid],
            text=f"【撞单提醒】你的客户「{name}」又添加了同事 {other_name}，客户仍归属于你。",
            ref=ref,
        ),
        message(
            session,
            corp_id,
            kind="collision",
            userids=[userid],
            text=f"【撞单提醒】客户「{name}」已归属于同事 {owner_name}，请勿重复跟进。",
            ref=ref,
        ),
    ]


async def on_deleted(
    session: AsyncSession,
    corp_id: int,
    *,
    customer_id: int,
    userid: str,
    by: str,
    source: str,
    name: str,
    channel_id: int | None,
    added_at: datetime | None,
    now: datetime,
) -> list[AppMessage]:
    """Record the loss; a customer who deleted the employee triggers an alert to them."""
    cfg = await settings(session, corp_id)
    alert = by == "customer" and cfg.loss_alerts
    loss = LossRecord(
        corp_id=corp_id,
        customer_id=customer_id,
        userid=userid,
        by=by,
        source=source[:64],
        channel_id=channel_id,
        added_at=added_at,
        deleted_at=now,
        alerted=alert,
    )
    session.add(loss)
    await session.flush()
    if not alert:
        return []
    return [
        message(
            session,
            corp_id,
            kind="loss",
            userids=[userid],
            text=f"【流失提醒】客户「{name}」删除了你，可在侧边栏查看客户详情并尝试挽回。",
            ref=f"loss:{loss.id}",
        )
    ]


async def reassign(
    session: AsyncSession, corp_id: int, customer_id: int, *, userid: str, reason: str, by: str
) -> CustomerOwner:
    cust = await session.scalar(scoped(Customer, corp_id).where(Customer.id == customer_id))
    if cust is None:
        raise NotFound(f"customer {customer_id} does not exist")
    if await _live_relation(session, corp_id, customer_id, userid) is None:
        raise InvalidInput(f"employee {userid} does not follow this customer")
    return await set_owner(
        session, corp_id, customer_id, userid, reason=reason or "reassigned", by=by, now=utcnow()
    )


async def history(session: AsyncSession, corp_id: int, customer_id: int) -> list[OwnerChange]:
    return list(
        (
            await session.scalars(
                scoped(OwnerChange, corp_id)
                .where(OwnerChange.customer_id == customer_id)
                .order_by(OwnerChange.id)
            )
        ).all()
    )


async def send_message(session: AsyncSession, corp: Corp, msg_id: int, client: WeComClient) -> str:
    """Send one pending app message; transient WeCom failures raise (the task retries)."""
    msg = await session.scalar(scoped(AppMessage, corp.id).where(AppMessage.id == msg_id))
    if msg is None or msg.status != "pending":
        return msg.status if msg else "missing"
    if not corp.agent_id:
        msg.status, msg.error = "failed", "the corp has no app agent id configured"
        return msg.status
    try:
        await api.send_app_message(
            client,
            agent_id=corp.agent_id,
            userids=list(msg.userids),
            text=msg.text,
            dedupe_seconds=DEDUPE_SECONDS,
        )
    except (WeComRateLimited, WeComUnavailable):
        raise
    except WeComError as exc:
        msg.status, msg.error = "failed", f"{exc.errmsg} (errcode {exc.errcode})"[:300]
        return msg.status
    msg.status, msg.sent_at = "sent", utcnow()
    return msg.status


async def pending_messages(session: AsyncSession, *, before: datetime) -> list[tuple[int, int]]:
    rows = await session.execute(
        select(AppMessage.corp_id, AppMessage.id).where(
            AppMessage.status == "pending", AppMessage.created_at < before
        )
    )
    return [(c, i) for c, i in rows.all()]
